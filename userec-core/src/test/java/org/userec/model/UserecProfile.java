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
      double full = time(m, t -> m.loss(batch, t, new SplittableRandom(3)));
      double fwdOnly = time(m, t -> {
        m.forward(t, m.trainingGraph());
        return null;
      });
      double fwd = time(m, t -> {
        Userec.Forward f = m.forward(t, m.trainingGraph());
        return t.add(t.sumSquares(f.users()), t.sumSquares(f.items()));
      });
      Tensor a = new Tensor(bs, 128, new float[bs * 128]);
      Tensor b = new Tensor(bs, 128, new float[bs * 128]);
      Param pa = new Param("a", a);
      Param pb = new Param("b", b);
      double cl = time(m, t -> t.add(t.infoNce(pa, pb, 0.2f), t.infoNce(pb, pa, 0.2f)));
      System.out.printf(
          Locale.ROOT,
          "batch: full loss+backward %.3fs | forward only (no backward) %.3fs | forward+backward %.3fs | 2x InfoNCE %.3fs%n",
          full, fwdOnly, fwd, cl);
    }
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
