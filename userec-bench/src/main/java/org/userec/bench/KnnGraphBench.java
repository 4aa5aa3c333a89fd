package org.userec.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;
import java.util.SplittableRandom;
import org.userec.data.FeatureTable;
import org.userec.graph.CsrMatrix;
import org.userec.graph.KnnGraph;
import org.userec.util.Parallel;

/**
 * Times {@link KnnGraph#cosineTopK} on a generated feature table and reports the peak heap. Not JMH: one
 * build is minutes long, and its peak memory is part of the answer.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx2g -cp userec-bench/target/benchmarks.jar \
 *     org.userec.bench.KnnGraphBench [items=63000] [dim=4096] [k=10] [threads=2]
 * </pre>
 *
 * The table is a low-rank signal (16 latent factors through a random map) plus Gaussian noise, so the
 * neighbours are not arbitrary; its generation is not timed.
 */
public final class KnnGraphBench {
  private KnnGraphBench() {}

  public static void main(String[] args) {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 63_000;
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
    int k = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    Parallel.setThreads(threads);
    FeatureTable f = generate(items, dim, 999);
    System.gc();
    resetPeaks();
    long t0 = System.nanoTime();
    CsrMatrix g = KnnGraph.cosineTopK(f, k, false);
    double sec = (System.nanoTime() - t0) / 1e9;
    double gflop = 2.0 * items * (double) items * dim / 1e9;
    System.out.printf(
        Locale.ROOT,
        "kNN graph of %,d items x %,d dims, k=%d, %d threads: %.1f s (%.1f GFLOP/s on the similarity products), nnz %,d,"
            + " peak heap %,d MiB of max %,d MiB%n",
        items, dim, k, threads, sec, gflop / sec, g.nnz(), peakHeap() >> 20, Runtime.getRuntime().maxMemory() >> 20);
  }

  static FeatureTable generate(int items, int dim, long seed) {
    int latent = 16;
    SplittableRandom r = new SplittableRandom(seed);
    float[] map = new float[latent * dim];
    for (int i = 0; i < map.length; i++) {
      map[i] = (float) r.nextGaussian();
    }
    float[] x = new float[Math.multiplyExact(items, dim)];
    float[] z = new float[latent];
    for (int i = 0; i < items; i++) {
      for (int l = 0; l < latent; l++) {
        z[l] = (float) r.nextGaussian();
      }
      int o = i * dim;
      for (int j = 0; j < dim; j++) {
        float s = 0;
        for (int l = 0; l < latent; l++) {
          s += z[l] * map[l * dim + j];
        }
        x[o + j] = s * 0.25f + (float) r.nextGaussian();
      }
    }
    return new FeatureTable("bench", items, dim, x);
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /** Sum of the heap pools' peaks since the reset (an upper bound on the simultaneous peak). */
  private static long peakHeap() {
    long s = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        s += p.getPeakUsage().getUsed();
      }
    }
    return s;
  }
}
