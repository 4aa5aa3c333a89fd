package org.userec.util;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits index ranges across a fixed team of threads: the calling thread and {@code threads − 1} workers.
 * Training calls this some hundred times per batch, a few hundred microseconds apart, so a worker that has
 * just finished waits for the next range by spinning for a while before it parks: waking a parked thread
 * costs 50–150 µs on a small VM, as much as many of the ranges themselves take.
 *
 * <p>A body must not depend on how the range is cut or on which thread runs a piece: every piece writes its
 * own outputs, and reductions cut their work into fixed chunks of their own and add the partial results in
 * order, so results are the same on any number of threads. A range started from inside a body, or while
 * another thread's range is running, runs on the calling thread.
 */
public final class Parallel {
  /** After its last piece, a worker spins this long for the next range (calls come well within it in training). */
  private static final long SPIN_NANOS = 200_000;

  /** Then it yields the core for up to this long before it parks. */
  private static final long YIELD_NANOS = 2_000_000;

  private static volatile Team team = new Team(defaultThreads());

  private Parallel() {}

  private static int defaultThreads() {
    String s = System.getProperty("userec.threads", System.getenv("USEREC_THREADS"));
    if (s != null && !s.isBlank()) {
      return Math.max(1, Integer.parseInt(s.trim()));
    }
    return Runtime.getRuntime().availableProcessors();
  }

  /** Sets the number of threads, the caller included (the CLI's --threads). */
  public static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    if (team.size != n) {
      Team old = team;
      team = new Team(n);
      old.shutdown();
    }
  }

  public static int threads() {
    return team.size;
  }

  /** A body over [from, to). */
  @FunctionalInterface
  public interface RangeBody {
    void run(int from, int to);
  }

  /**
   * Runs body over [0, n) in pieces of at least {@code grain} indices, up to sixteen per thread (fine enough
   * that a thread the host holds up leaves little behind), which threads claim in turn. Runs inline when the
   * range is small, only one thread is configured, or the team is busy.
   * The first exception a piece throws is rethrown here once every claimed piece has finished.
   */
  public static void forRange(int n, int grain, RangeBody body) {
    if (n <= 0) {
      return;
    }
    int g = Math.max(1, grain);
    Team t = team;
    if (n <= g || t.size == 1 || !t.busy.compareAndSet(false, true)) {
      body.run(0, n);
      return;
    }
    try {
      int pieces = Math.min((n + g - 1) / g, t.size * 16);
      t.run(body, n, Math.max(g, (n + pieces - 1) / pieces));
    } finally {
      t.busy.set(false);
    }
  }

  /** One range in progress: pieces of {@code piece} indices, claimed through {@code next}. */
  private static final class Job {
    final long seq;
    final RangeBody body;
    final int n;
    final int piece;
    final int pieces;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    volatile Throwable failure;

    Job(long seq, RangeBody body, int n, int piece) {
      this.seq = seq;
      this.body = body;
      this.n = n;
      this.piece = piece;
      this.pieces = (n + piece - 1) / piece;
    }

    /** Claims and runs pieces until none is left. */
    void work() {
      for (int p = next.getAndIncrement(); p < pieces; p = next.getAndIncrement()) {
        try {
          if (failure == null) {
            int from = p * piece;
            body.run(from, Math.min(n, from + piece));
          }
        } catch (Throwable e) {
          if (failure == null) {
            failure = e;
          }
        } finally {
          done.incrementAndGet();
        }
      }
    }
  }

  private static final class Team {
    final int size;
    final AtomicBoolean busy = new AtomicBoolean();
    private final Worker[] workers;
    private volatile Job job;
    private volatile boolean stopped;
    private long seq; // written by the thread holding busy only

    Team(int size) {
      this.size = size;
      this.workers = new Worker[size - 1];
      for (int w = 0; w < workers.length; w++) {
        workers[w] = new Worker(this);
        Thread th = new Thread(workers[w], "userec-worker-" + (w + 1));
        th.setDaemon(true);
        workers[w].thread = th;
        th.start();
      }
    }

    void run(RangeBody body, int n, int piece) {
      Job j = new Job(++seq, body, n, piece);
      job = j;
      for (Worker w : workers) {
        if (w.parked) {
          LockSupport.unpark(w.thread);
        }
      }
      j.work();
      long spins = 0;
      while (j.done.get() < j.pieces) {
        if (++spins < 4096) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
      job = null; // the body may hold large arrays: let them go
      Throwable e = j.failure;
      if (e instanceof RuntimeException r) {
        throw r;
      }
      if (e instanceof Error err) {
        throw err;
      }
      if (e != null) {
        throw new IllegalStateException(e);
      }
    }

    void shutdown() {
      stopped = true;
      for (Worker w : workers) {
        LockSupport.unpark(w.thread);
      }
    }
  }

  private static final class Worker implements Runnable {
    private final Team team;
    Thread thread;
    volatile boolean parked;

    Worker(Team team) {
      this.team = team;
    }

    @Override
    public void run() {
      long last = 0; // the sequence number of the last job seen (holding the job itself would keep its arrays)
      long idleSince = System.nanoTime();
      while (!team.stopped) {
        Job j = team.job;
        if (j != null && j.seq != last) {
          last = j.seq;
          j.work();
          idleSince = System.nanoTime();
          continue;
        }
        long idle = System.nanoTime() - idleSince;
        if (idle < SPIN_NANOS) {
          Thread.onSpinWait();
        } else if (idle < YIELD_NANOS) {
          Thread.yield();
        } else {
          parked = true;
          // the caller publishes its job, then unparks every worker that says it is parked: re-reading the job
          // after saying so means a job published in between is never missed
          Job again = team.job;
          if (again == null || again.seq == last) {
            LockSupport.park(this);
          }
          parked = false;
          idleSince = System.nanoTime();
        }
      }
    }
  }
}
