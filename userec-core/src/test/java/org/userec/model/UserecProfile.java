package org.userec.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.DatasetLoader;
import org.userec.run.Datasets;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;
import org.userec.train.NegativeSampler;
import org.userec.util.Seeds;

/**
 * Times the sections of one USERec training batch on a dataset folder (not a test; run by hand):
 * {@code java --add-modules jdk.incubator.vector -cp ... org.userec.model.UserecProfile FOLDER [batches]}.
 * Each section is timed as its own forward + backward (so its backward cost is included).
 */
public final class UserecProfile {
  public static void main(String[] args) {
    Path folder = Path.of(args[0]);
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String name = folder.getFileName().toString();
    Datasets.Located loc = new Datasets.Located(name, folder.toAbsolutePath());
    Config cfg =
        new ConfigLoader().dataset(name, folder).model("USERec", ModelRegistry.names()).build().expandGrid().get(0);
    Dataset ds = DatasetLoader.load(Datasets.spec(cfg, loc, true));
    long b0 = System.nanoTime();
    Userec m = new Userec(new ModelContext(cfg, ds, Seeds.rng(999, "init")));
    System.out.printf(Locale.ROOT, "build %.2fs%n", (System.nanoTime() - b0) / 1e9);
    m.beforeEpoch(0, new SplittableRandom(1));
    NegativeSampler neg = new NegativeSampler(ds.train(), ds.numUsers(), ds.numItems());
    SplittableRandom rng = new SplittableRandom(2);
    int bs = 2048;
    int[] u = new int[bs];
    int[] p = new int[bs];
    int[] n = new int[bs];
    for (int k = 0; k < bs; k++) {
      int row = rng.nextInt(ds.train().size());
      u[k] = ds.train().users()[row];
      p[k] = ds.train().items()[row];
      n[k] = neg.sample(u[k], rng);
    }
    Batch batch = new Batch(u, p, n);
    for (int rep = 0; rep < reps; rep++) {
      long cpu0 = cpu();
      long w0 = System.nanoTime();
      double full = time(m, t -> m.loss(batch, t, new SplittableRandom(3)));
      double fwdOnly = time(m, t -> {
        m.forward(t, m.trainingGraph());
        return null;
      });
      double fwd = time(m, t -> {
        Userec.Forward f = m.forward(t, m.trainingGraph());
        return t.add(t.sumSquares(f.users()), t.sumSquares(f.items()));
      });
      double cpuRatio = (cpu() - cpu0) / (double) (System.nanoTime() - w0);
      Tensor a = new Tensor(bs, 128, new float[bs * 128]);
      Tensor b = new Tensor(bs, 128, new float[bs * 128]);
      Param pa = new Param("a", a);
      Param pb = new Param("b", b);
      double cl = time(m, t -> t.add(t.infoNce(pa, pb, 0.2f), t.infoNce(pb, pa, 0.2f)));
      Tensor x = new Tensor(7050, 1152, new float[7050 * 1152]);
      Param w = new Param("w", 1152, 64);
      double proj = time(m, t -> t.sumSquares(t.linear(x, w, null)));
      float[] c = new float[bs * bs];
      long g0 = System.nanoTime();
      org.userec.tensor.simd.Kernels.gemmNT(a.data, b.data, c, bs, 128, bs, false);
      double gemm = (System.nanoTime() - g0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "batch: full loss+backward %.3fs | forward only (no backward) %.3fs | forward+backward %.3fs | 2x InfoNCE %.3fs"
              + " | projections fwd+bwd %.3fs | one 2048x128x2048 gemm %.3fs (%.1f GFLOPS) | cpu/wall %.2f%n",
          full, fwdOnly, fwd, cl, proj, gemm, 2.0 * bs * bs * 128 / gemm / 1e9, cpuRatio);
    }
  }

  static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  interface Body {
    Tensor run(Tape t);
  }

  static double time(Userec m, Body body) {
    for (Param q : m.params()) {
      q.zeroGrad();
    }
    long t0 = System.nanoTime();
    Tape t = Tape.recording();
    Tensor loss = body.run(t);
    if (loss != null) {
      t.backward(loss);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  static List<String> none() {
    return List.of();
  }
}
