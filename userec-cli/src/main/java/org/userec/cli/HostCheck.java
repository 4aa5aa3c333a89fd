package org.userec.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.userec.graph.CsrMatrix;
import org.userec.tensor.simd.Kernels;

/**
 * Three fixed probes that {@code userec bench} runs before and after its timings, on the same threads: a dense
 * product (compute-bound), a streaming add over arrays larger than the last-level cache (bandwidth-bound) and a
 * sparse product that gathers random 256-byte rows of an 8 MB table (bound by the cache's hit rate and the
 * memory's latency, as a graph model's propagation is). On a shared machine they drop when the neighbours are
 * busy (a sibling hyperthread, the memory bus, the shared cache), and the same build's epochs slow with them;
 * so two bench runs compare only when their host checks match.
 */
record HostCheck(double gflops, double gbytesPerSecond, double gatherGbytesPerSecond) {
  /** The dense probe: n×n times n×n. */
  static final int PRODUCT_SIZE = 256;
  /**
   * Calls of the dense probe before it is timed: it reaches its speed after some 150, the first twenty of which
   * run slowly (interpreted, then compiled without the vector intrinsics).
   */
  static final int PRODUCT_WARM_UP_CALLS = 300;
  /** The streaming probe: out = a + b over this many floats per array (3 × 16 MB). */
  static final int STREAM_FLOATS = 1 << 22;
  /** The gather probe: rows×64 floats (8 MB), each output row the sum of {@link #GATHER_PER_ROW} random rows. */
  static final int GATHER_ROWS = 1 << 15;
  static final int GATHER_COLS = 64;
  static final int GATHER_PER_ROW = 8;
  /** Each probe warms up for at least this long, then repeats for as long; the median is reported. */
  static final double PROBE_SECONDS = 0.1;

  static HostCheck measure() {
    int n = PRODUCT_SIZE;
    float[] a = random(n * n, 1);
    float[] b = random(n * n, 2);
    float[] c = new float[n * n];
    double productSec = medianSeconds(() -> Kernels.gemmNN(a, b, c, n, n, n, false), PRODUCT_WARM_UP_CALLS);
    float[] x = random(STREAM_FLOATS, 3);
    float[] y = random(STREAM_FLOATS, 4);
    float[] z = new float[STREAM_FLOATS];
    double streamSec = medianSeconds(() -> Kernels.add(x, 0, y, 0, z, 0, STREAM_FLOATS), 1);
    CsrMatrix g = randomRows(GATHER_ROWS, GATHER_PER_ROW, 5);
    float[] table = random(GATHER_ROWS * GATHER_COLS, 6);
    float[] product = new float[GATHER_ROWS * GATHER_COLS];
    double gatherSec = medianSeconds(() -> Kernels.spmm(g, table, GATHER_COLS, product, false), 1);
    return new HostCheck(
        2.0 * n * n * n / productSec / 1e9,
        3.0 * 4 * STREAM_FLOATS / streamSec / 1e9,
        4.0 * GATHER_COLS * g.nnz() / gatherSec / 1e9);
  }

  private static CsrMatrix randomRows(int rows, int perRow, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] r = new int[rows * perRow];
    int[] c = new int[rows * perRow];
    float[] v = new float[rows * perRow];
    for (int k = 0; k < r.length; k++) {
      r[k] = k / perRow;
      c[k] = rng.nextInt(rows);
      v[k] = 1f / perRow;
    }
    return CsrMatrix.fromCoo(rows, rows, r, c, v);
  }

  /** "dense product 256³ at 61.2 GFLOP/s, streaming add at 18.4 GB/s, row gathers at 20.3 GB/s". */
  String describe() {
    return String.format(
        Locale.ROOT, "dense product %d³ at %.1f GFLOP/s, streaming add at %.1f GB/s, row gathers at %.1f GB/s", PRODUCT_SIZE,
        gflops, gbytesPerSecond, gatherGbytesPerSecond);
  }

  /** The median seconds of one call, after at least warmUpCalls calls and PROBE_SECONDS (compiled and in cache). */
  private static double medianSeconds(Runnable probe, int warmUpCalls) {
    long warm = System.nanoTime();
    for (int k = 0; k < warmUpCalls || System.nanoTime() - warm < PROBE_SECONDS * 1e9; k++) {
      probe.run();
    }
    double[] times = new double[1024];
    int count = 0;
    long start = System.nanoTime();
    while (count < times.length && (count < 5 || System.nanoTime() - start < PROBE_SECONDS * 1e9)) {
      long t0 = System.nanoTime();
      probe.run();
      times[count++] = Math.max(1, System.nanoTime() - t0) / 1e9;
    }
    double[] t = Arrays.copyOf(times, count);
    Arrays.sort(t);
    return t[count / 2];
  }

  private static float[] random(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextDouble(-1, 1);
    }
    return v;
  }
}
