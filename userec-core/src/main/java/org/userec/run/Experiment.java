package org.userec.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.eval.Evaluator;
import org.userec.model.ModelContext;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.optim.Adam;
import org.userec.train.HeapRecorder;
import org.userec.train.Reports;
import org.userec.train.RunFolder;
import org.userec.train.TrainListener;
import org.userec.train.TrainResult;
import org.userec.train.TrainSettings;
import org.userec.train.Trainer;
import org.userec.train.TrainerState;
import org.userec.util.AtomicFiles;
import org.userec.util.Seeds;

/**
 * One model on one dataset over its whole grid: every combination of the grid keys trains from scratch in
 * its own sub-folder; the pick by validation score (ours) and the pick by test score (MMRec's) are both
 * reported. A grid point whose folder already holds a finished run is skipped on resume (nothing is built
 * or trained); an interrupted one continues from its checkpoint.
 */
public final class Experiment {
  /** One trained grid point. */
  public record Point(int index, String label, Config config, TrainResult result, Path dir) {}

  /** All grid points and the two picks. */
  public record Outcome(String model, List<String> gridKeys, List<Point> points, Point byValid, Point byTest, Path dir) {
    public Point chosen(String selectBy) {
      return selectBy.equalsIgnoreCase("test") ? byTest : byValid;
    }
  }

  /** Listener factory, so each grid point gets fresh listeners (e.g. a progress bar). */
  public interface Listeners {
    List<TrainListener> forPoint(int index, int total, String label);
  }

  private Experiment() {}

  public static Outcome run(String model, Config base, Dataset ds, Path dir, Listeners listeners) {
    List<String> gridKeys = base.gridKeys();
    List<Config> grid = base.expandGrid();
    List<Point> points = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      if (grid.size() > 1) { // a single point's folder is dir itself: its RunFolder writes config.yaml
        AtomicFiles.writeString(dir.resolve("config.yaml"), base.toYaml());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int g = 0; g < grid.size(); g++) {
      Config cfg = grid.get(g);
      String label = gridKeys.isEmpty() ? "default" : cfg.describe(gridKeys);
      Path pointDir = grid.size() == 1 ? dir : dir.resolve(String.format(Locale.ROOT, "grid-%03d", g));
      TrainResult result = trainOne(model, cfg, ds, pointDir, listeners.forPoint(g, grid.size(), label));
      points.add(new Point(g, label, cfg, result, pointDir));
    }
    String metric = TrainSettings.from(base).validMetric();
    Point byValid = null;
    Point byTest = null;
    for (Point p : points) {
      if (p.result.bestValid() == null) {
        continue;
      }
      if (byValid == null || p.result.bestValid().get(metric) > byValid.result.bestValid().get(metric)) {
        byValid = p;
      }
      if (byTest == null || p.result.testAtBest().get(metric) > byTest.result.testAtBest().get(metric)) {
        byTest = p;
      }
    }
    Outcome out = new Outcome(model, gridKeys, points, byValid, byTest, dir);
    try {
      AtomicFiles.writeString(dir.resolve("summary.md"), summary(out, metric));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Trains one configuration in its folder, resuming from the folder's checkpoint when there is one. A
   * folder whose training has ended returns its recorded result at once (the listeners see only {@code
   * onEnd}); a folder trained under another config is an error ({@link RunFolder#checkResumable}).
   */
  public static TrainResult trainOne(String model, Config cfg, Dataset ds, Path dir, List<TrainListener> extra) {
    TrainSettings settings = TrainSettings.from(cfg);
    RunFolder.checkResumable(dir, cfg);
    TrainResult done = RunFolder.finished(dir, settings.epochs());
    if (done != null) {
      for (TrainListener l : extra) {
        l.onEnd(done);
      }
      return done;
    }
    Recommender rec = ModelRegistry.create(model, new ModelContext(cfg, ds, Seeds.rng(settings.seed(), "init")));
    RunFolder folder = new RunFolder(dir, cfg, cfg.getBool("save_checkpoints", true));
    Adam adam = Trainer.newOptimizer(rec, settings);
    TrainerState state = folder.restore(rec, adam);
    if (state == null) {
      state = new TrainerState();
    }
    List<TrainListener> ls = new ArrayList<>(extra);
    ls.add(new HeapRecorder(dir));
    ls.add(folder);
    Evaluator ev = new Evaluator(ds, settings.topK());
    return new Trainer(settings, ds, ev, ls, folder).fit(rec, adam, state);
  }

  public static String summary(Outcome o, String metric) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(o.model()).append(" grid (").append(o.points().size()).append(" points)\n\n");
    sb.append("| # | setting | best epoch | valid ").append(metric).append(" | test ").append(metric).append(" |\n|---|---|---|---|---|\n");
    for (Point p : o.points()) {
      sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %.4f | %.4f |%n", p.index(), p.label(), p.result().bestEpoch(),
          p.result().bestValid() == null ? Double.NaN : p.result().bestValid().get(metric),
          p.result().testAtBest() == null ? Double.NaN : p.result().testAtBest().get(metric)));
    }
    if (o.byValid() != null) {
      sb.append("\nChosen by validation (userec's default): ").append(o.byValid().label()).append('\n');
      sb.append(Reports.markdownHeader(o.byValid().result().testAtBest()));
      sb.append(Reports.markdownRow(o.model() + " (test @ best valid)", o.byValid().result().testAtBest()));
      sb.append("\nMMRec's pick (by test score; leaks test data): ").append(o.byTest().label()).append('\n');
      sb.append(Reports.markdownRow(o.model() + " (MMRec pick)", o.byTest().result().testAtBest()));
    }
    return sb.toString();
  }
}
