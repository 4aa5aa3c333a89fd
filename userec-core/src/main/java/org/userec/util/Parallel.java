package org.userec.util;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Splits index ranges across a fixed pool. Chunk boundaries depend only on the range and the grain, never
 * on the thread count, so that per-chunk reductions give the same result on any machine.
 */
public final class Parallel {
  private static volatile ForkJoinPool pool = new ForkJoinPool(defaultThreads());

  private Parallel() {}

  private static int defaultThreads() {
    String s = System.getProperty("userec.threads", System.getenv("USEREC_THREADS"));
    if (s != null && !s.isBlank()) {
      return Math.max(1, Integer.parseInt(s.trim()));
    }
    return Runtime.getRuntime().availableProcessors();
  }

  /** Sets the number of worker threads (the CLI's --threads). */
  public static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    if (pool.getParallelism() != n) {
      ForkJoinPool old = pool;
      pool = new ForkJoinPool(n);
      old.shutdown();
    }
  }

  public static int threads() {
    return pool.getParallelism();
  }

  /** A body over [from, to). */
  @FunctionalInterface
  public interface RangeBody {
    void run(int from, int to);
  }

  /**
   * Runs body over [0, n) in chunks of at least {@code grain} indices. Runs inline when the range is small
   * or only one thread is configured.
   */
  public static void forRange(int n, int grain, RangeBody body) {
    if (n <= 0) {
      return;
    }
    int g = Math.max(1, grain);
    ForkJoinPool p = pool;
    if (n <= g || p.getParallelism() == 1) {
      body.run(0, n);
      return;
    }
    int chunks = Math.min((n + g - 1) / g, p.getParallelism() * 4);
    p.invoke(new Split(body, 0, n, Math.max(g, (n + chunks - 1) / chunks)));
  }

  private static final class Split extends RecursiveAction {
    private final RangeBody body;
    private final int from;
    private final int to;
    private final int grain;

    Split(RangeBody body, int from, int to, int grain) {
      this.body = body;
      this.from = from;
      this.to = to;
      this.grain = grain;
    }

    @Override
    protected void compute() {
      if (to - from <= grain) {
        body.run(from, to);
        return;
      }
      int mid = from + (to - from) / 2;
      invokeAll(new Split(body, from, mid, grain), new Split(body, mid, to, grain));
    }
  }
}
