package org.userec.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.eval.Evaluator;
import org.userec.model.ModelContext;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.train.RunFolder;
import org.userec.train.TrainSettings;
import org.userec.util.AtomicFiles;
import org.userec.util.ParamFile;
import org.userec.util.Seeds;

/**
 * A trained run's test Recall@20 and NDCG@20 per user, at its best-validation epoch ({@code best.params}), kept
 * in its folder as {@code per-user-test.tsv} (user, recall@20, ndcg@20; users with test rows, ascending): what a
 * table's per-user significance tests ({@link Significance}) compare. Computed once, then read.
 */
public final class PerUserTest {
  public static final String FILE = "per-user-test.tsv";
  /** The cut-off of the per-user metrics. */
  public static final int K = 20;

  private PerUserTest() {}

  /** Computes the file from the run's best parameters when it is not there yet. */
  public static void ensure(String model, Config cfg, Dataset ds, Path dir) {
    if (Files.isRegularFile(dir.resolve(FILE))) {
      return;
    }
    Path best = dir.resolve(RunFolder.BEST);
    if (!Files.isRegularFile(best)) {
      return; // no evaluation ran: nothing to test
    }
    Recommender rec = ModelRegistry.create(model, new ModelContext(cfg, ds, Seeds.rng(TrainSettings.from(cfg).seed(), "init")));
    RunFolder.loadParams(rec, ParamFile.read(best).arrays(), best);
    Evaluator.PerUser p = new Evaluator(ds, new int[] {K}).perUser(rec.scorer(), true, K);
    StringBuilder sb = new StringBuilder("user\trecall@" + K + "\tndcg@" + K + "\n");
    for (int i = 0; i < p.users().length; i++) {
      sb.append(p.users()[i]).append('\t').append(Double.toString(p.recall()[i])).append('\t').append(Double.toString(p.ndcg()[i])).append('\n');
    }
    try {
      AtomicFiles.writeString(dir.resolve(FILE), sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot write " + FILE, e);
    }
  }

  /** The run's per-user values, or null when the file is absent. */
  public static Evaluator.PerUser read(Path dir) {
    Path f = dir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      int n = lines.size() - 1;
      int[] users = new int[n];
      double[] recall = new double[n];
      double[] ndcg = new double[n];
      for (int i = 0; i < n; i++) {
        String[] c = lines.get(i + 1).split("\t");
        if (c.length != 3) {
          throw new BadInputException(String.format(Locale.ROOT, "%s:%d: expected 3 tab-separated values; delete the file to recompute it", f, i + 2));
        }
        users[i] = Integer.parseInt(c[0]);
        recall[i] = Double.parseDouble(c[1]);
        ndcg[i] = Double.parseDouble(c[2]);
      }
      return new Evaluator.PerUser(K, users, recall, ndcg);
    } catch (NumberFormatException e) {
      throw new BadInputException(f + ": " + e.getMessage() + "; delete the file to recompute it");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
