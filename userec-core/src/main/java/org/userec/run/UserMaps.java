package org.userec.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.config.Yaml;
import org.userec.data.Dataset;
import org.userec.eval.DotScorer;
import org.userec.model.ModelContext;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.model.Scorer;
import org.userec.train.RunFolder;
import org.userec.train.TrainSettings;
import org.userec.util.AtomicFiles;
import org.userec.util.ParamFile;
import org.userec.util.Seeds;
import org.userec.viz.Tsne;

/**
 * The paper's Figure 5: t-SNE maps of USERec's final user embeddings with and without the positional encoding,
 * from the ablation's "USERec" and "w/o Pos" runs (first seed, chosen grid point, best parameters). Each panel is
 * {@code <dir>/tsne/<panel>.tsv}: a header line, then "x<TAB>y" per sampled user. A panel already written is kept.
 */
public final class UserMaps {
  /** The folder of the panels, under the study's folder. */
  public static final String FOLDER = "tsne";

  private UserMaps() {}

  /**
   * Writes the two panels for an ablation; {@code users} random users (seeded), or all when there are fewer;
   * {@code iterations} of t-SNE (1,000 for the figure). Rows the ablation lacks are skipped.
   */
  public static void write(Ablation.Result ablation, Dataset ds, Path dir, int users, int iterations, long seed) {
    for (SeedTable.Row row : ablation.rows()) {
      String panel = row.label().equals(Ablation.Variant.FULL.label) ? "with-pe"
          : row.label().equals(Ablation.Variant.NO_POS.label) ? "without-pe" : null;
      if (panel == null) {
        continue;
      }
      Path file = dir.resolve(FOLDER).resolve(panel + ".tsv");
      Path run = row.picks().get(0).dir();
      if (Files.exists(file) || run == null || !Files.isRegularFile(run.resolve(RunFolder.BEST))) {
        continue;
      }
      float[] emb = userEmbeddings(run, ds);
      if (emb == null) {
        continue;
      }
      int d = emb.length / ds.numUsers();
      int[] sample = sample(ds.numUsers(), users, seed);
      double[] x = new double[sample.length * d];
      for (int i = 0; i < sample.length; i++) {
        for (int c = 0; c < d; c++) {
          x[i * d + c] = emb[sample[i] * d + c];
        }
      }
      double perplexity = Math.min(30, (sample.length - 1) / 3.0);
      Tsne.Result r = Tsne.embed(x, sample.length, d, new Tsne.Settings(perplexity, iterations, 200, seed));
      StringBuilder sb = new StringBuilder("x\ty\n");
      for (int i = 0; i < sample.length; i++) {
        sb.append(Double.toString(r.y()[2 * i])).append('\t').append(Double.toString(r.y()[2 * i + 1])).append('\n');
      }
      try {
        Files.createDirectories(file.getParent());
        AtomicFiles.writeString(file, sb.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": cannot write", e);
      }
    }
  }

  /** The final user table of a USERec run (its config.yaml and best.params), or null for a non-dot-product scorer. */
  static float[] userEmbeddings(Path run, Dataset ds) {
    Path yaml = run.resolve("config.yaml");
    Config cfg = new ConfigLoader().model("USERec", ModelRegistry.names()).values(yaml.toString(), Yaml.parseFile(yaml)).build();
    cfg = cfg.expandGrid().get(0);
    Recommender rec = ModelRegistry.create("USERec", new ModelContext(cfg, ds, Seeds.rng(TrainSettings.from(cfg).seed(), "init")));
    Path best = run.resolve(RunFolder.BEST);
    RunFolder.loadParams(rec, ParamFile.read(best).arrays(), best);
    Scorer s = rec.scorer();
    return s instanceof DotScorer dot ? dot.userEmbeddings() : null;
  }

  /** {@code k} distinct users of {@code n}, ascending (all when k ≥ n), from a seeded shuffle. */
  static int[] sample(int n, int k, long seed) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
    }
    if (k >= n) {
      return ids;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < k; i++) {
      int j = i + rng.nextInt(n - i);
      int t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
    }
    int[] out = java.util.Arrays.copyOf(ids, k);
    java.util.Arrays.sort(out);
    return out;
  }
}
