package org.userec.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.SplittableRandom;
import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/**
 * The gemm shapes of one USERec training batch on Baby (B = 2048, D = 128, features 768-d and 384-d, 7,050
 * items), timed through the {@link Kernels} facade, with wall and process-CPU seconds and GFLOP/s (2·m·k·n
 * per gemm). Not JMH: the machine these were tuned on is shared, and CPU seconds are the figure that
 * survives other jobs; JMH's wall-clock average does not.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp userec-bench/target/benchmarks.jar \
 *     org.userec.bench.LossGemmBench [threads=2] [seconds per shape=3] [shape filter=all]
 * </pre>
 *
 * Shapes (c = a·b with the layouts the tape uses):
 *
 * <ul>
 *   <li>{@code nt}: cosines S = A·Bᵀ, 2048×128 · (2048×128)ᵀ (InfoNCE forward)
 *   <li>{@code nn}: dA = P·B, 2048×2048 · 2048×128 (InfoNCE backward)
 *   <li>{@code tn}: dB = Pᵀ·A, (2048×2048)ᵀ · 2048×128 (InfoNCE backward)
 *   <li>{@code proj768}, {@code proj384}: item projection X·W, 7050×d · d×64 (forward)
 *   <li>{@code wgrad768}, {@code wgrad384}: weight gradient Xᵀ·G, (7050×d)ᵀ · 7050×64 (backward)
 *   <li>{@code cproj768}, {@code cwgrad768}: the same two with X a {@link Kernels.Constant} (a frozen feature
 *       table, packed once), as USERec's projections run
 * </ul>
 *
 * The machine's peak is 2·8·2 = 32 flop per cycle and core on AVX2 with two FMA units (e.g. 78 GFLOP/s per
 * core at 2.45 GHz); on a shared machine, GFLOP per CPU-second ({@code GF/cpu-s}, per core) is the figure to
 * compare with it.
 */
public final class LossGemmBench {
  private LossGemmBench() {}

  private record Shape(String name, char kind, int m, int k, int n) {
    double gflop() {
      return 2.0 * m * k * n / 1e9;
    }
  }

  private static final Shape[] SHAPES = {
    new Shape("nt", 'T', 2048, 128, 2048),
    new Shape("nn", 'N', 2048, 2048, 128),
    new Shape("tn", 't', 2048, 2048, 128),
    new Shape("proj768", 'N', 7050, 768, 64),
    new Shape("proj384", 'N', 7050, 384, 64),
    new Shape("wgrad768", 't', 7050, 768, 64),
    new Shape("wgrad384", 't', 7050, 384, 64),
    new Shape("cproj768", 'C', 7050, 768, 64),
    new Shape("cwgrad768", 'c', 7050, 768, 64),
  };

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
    String filter = args.length > 2 ? args[2] : "all";
    Parallel.setThreads(threads);
    SplittableRandom rnd = new SplittableRandom(1);
    System.out.printf(Locale.ROOT, "%d threads, %s%n", threads, Kernels.describe());
    System.out.printf(Locale.ROOT, "%-9s %-16s %9s %9s %10s %10s%n", "shape", "m×k×n", "ms", "cpu ms", "GFLOP/s", "GF/cpu-s");
    for (Shape s : SHAPES) {
      if (!filter.equals("all") && !filter.contains(s.name)) {
        continue;
      }
      // operand sizes for the shape's layout: NN a m×k, b k×n; NT b n×k; TN (c = aᵀb, k×n) a m×k, b m×n
      float[] a = random(rnd, s.m * s.k);
      boolean tn = s.kind == 't' || s.kind == 'c';
      float[] b = random(rnd, tn ? s.m * s.n : s.k * s.n);
      float[] c = new float[tn ? s.k * s.n : s.m * s.n];
      Kernels.Constant x = new Kernels.Constant(a, s.m, s.k);
      Runnable run =
          switch (s.kind) {
            case 'N' -> () -> Kernels.gemmNN(a, b, c, s.m, s.k, s.n, false);
            case 'T' -> () -> Kernels.gemmNT(a, b, c, s.m, s.k, s.n, false);
            case 'C' -> () -> Kernels.gemmNN(x, b, c, s.n, false);
            case 'c' -> () -> Kernels.gemmTN(x, b, c, s.n, false);
            default -> () -> Kernels.gemmTN(a, b, c, s.m, s.k, s.n, false);
          };
      long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
      while (System.nanoTime() < warmEnd) {
        run.run();
      }
      int reps = 0;
      long c0 = cpuNanos();
      long t0 = System.nanoTime();
      long end = t0 + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        run.run();
        reps++;
      }
      double wall = (System.nanoTime() - t0) / 1e9 / reps;
      double cpu = (cpuNanos() - c0) / 1e9 / reps;
      System.out.printf(
          Locale.ROOT, "%-9s %-16s %9.2f %9.2f %10.1f %10.1f%n", s.name, s.m + "×" + s.k + "×" + s.n, wall * 1e3,
          cpu * 1e3, s.gflop() / wall, s.gflop() / cpu);
    }
  }

  private static float[] random(SplittableRandom rnd, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = (float) rnd.nextDouble(-1, 1);
    }
    return x;
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
