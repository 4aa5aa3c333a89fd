package org.userec.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.userec.data.FeatureTable;
import org.userec.data.NpyReader;
import org.userec.graph.CsrMatrix;
import org.userec.graph.KnnGraph;
import org.userec.util.Parallel;

/**
 * Times {@link KnnGraph#cosineTopK} on a generated feature table (or a .npy file) and reports the peak heap
 * and the recall of the exact top-k on a sample of rows. Not JMH: one build is many seconds long, and its
 * peak memory is part of the answer.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx2g -cp userec-bench/target/benchmarks.jar \
 *     org.userec.bench.KnnGraphBench [items=63000] [dim=4096] [k=10] [threads=2] [method=auto] \
 *     [sample=500] [rank=128] [candidates=64] [npy=FILE]
 * </pre>
 *
 * The generated table is a low-rank signal (16 latent factors through a random map) plus Gaussian noise,
 * so the neighbours are not arbitrary; its generation is not timed. {@code sample} rows (seeded) get their
 * exact top-k by brute force, and the recall is the fraction of those the built graph keeps (0: skip).
 */
public final class KnnGraphBench {
  /** Held so that the logger (and its level) is not collected before KnnGraph logs. */
  private static final Logger KNN_LOG = Logger.getLogger(KnnGraph.class.getName());

  private KnnGraphBench() {}

  public static void main(String[] args) throws Exception {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 63_000;
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
    int k = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    KnnGraph.Method method = KnnGraph.Method.parse(args.length > 4 ? args[4] : "auto");
    int sample = args.length > 5 ? Integer.parseInt(args[5]) : 500;
    int rank = args.length > 6 ? Integer.parseInt(args[6]) : KnnGraph.Options.DEFAULT.rank();
    int cands = args.length > 7 ? Integer.parseInt(args[7]) : KnnGraph.Options.DEFAULT.candidates();
    String npy = args.length > 8 ? args[8] : null;
    showDebug();
    Parallel.setThreads(threads);
    FeatureTable f = npy == null ? generate(items, dim, 999) : NpyReader.read(java.nio.file.Path.of(npy));
    KnnGraph.Options options = new KnnGraph.Options(method, rank, cands, 999);
    System.gc();
    resetPeaks();
    long c0 = cpuNanos();
    long t0 = System.nanoTime();
    CsrMatrix g = KnnGraph.cosineTopK(f, k, false, options);
    double sec = (System.nanoTime() - t0) / 1e9;
    double cpu = (cpuNanos() - c0) / 1e9;
    long peak = peakHeap();
    System.out.printf(
        Locale.ROOT,
        "kNN graph of %,d items x %,d dims, k=%d, %d threads, %s: %.1f s wall (%.1f s CPU), nnz %,d, peak heap %,d MiB of max %,d MiB%n",
        f.rows(), f.cols(), k, threads, options.resolve(f.rows(), f.cols()), sec, cpu, g.nnz(), peak >> 20,
        Runtime.getRuntime().maxMemory() >> 20);
    if (sample > 0) {
      int[] rows = sampleRows(f.rows(), Math.min(sample, f.rows()), 7);
      long t1 = System.nanoTime();
      double recall = KnnGraph.recall(f, g, k, rows);
      System.out.printf(
          Locale.ROOT, "recall@%d against the exact top-%d on %d sampled rows: %.4f (%.1f s)%n",
          k, k, rows.length, recall, (System.nanoTime() - t1) / 1e9);
    }
  }

  /** Shows KnnGraph's DEBUG phase timings. */
  private static void showDebug() {
    Logger l = KNN_LOG;
    l.setLevel(Level.FINE);
    ConsoleHandler h = new ConsoleHandler();
    h.setLevel(Level.FINE);
    l.addHandler(h);
  }

  /** CPU time of this process (all threads, GC included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static int[] sampleRows(int n, int s, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return r.ints(0, n).distinct().limit(s).sorted().toArray();
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
