package org.userec.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.userec.eval.Metrics;
import org.userec.model.Recommender;
import org.userec.run.Experiment;
import org.userec.train.EpochRecord;
import org.userec.train.TrainListener;
import org.userec.train.TrainResult;
import org.userec.train.TrainerState;

/**
 * Prints one line per epoch (loss, seconds, the validation metric, test at the same epoch, a star on
 * improvement) and, on an interactive terminal, a progress bar over the epoch's batches. A grid point that
 * had already finished (a resumed grid) shows only its result, marked "done earlier".
 */
final class ConsoleProgress implements TrainListener {
  private final PrintWriter out;
  private final String prefix;
  private final String metric;
  private final boolean bar;
  private final boolean quiet;
  private ProgressBar progress;
  private boolean started;

  ConsoleProgress(PrintWriter out, String prefix, String metric, boolean quiet) {
    this.out = out;
    this.prefix = prefix;
    this.metric = metric.toLowerCase(Locale.ROOT);
    this.quiet = quiet;
    this.bar = !quiet && System.console() != null;
  }

  /**
   * Listeners for one row and seed of a seed table (ablate, compare): each line starts with "[3/12 FREEDOM,
   * seed 1, 2/8 dropout=0.8, reg_weight=1e-4] ".
   */
  static Experiment.Listeners forSeed(PrintWriter out, String row, long seed, int index, int total, String metric, boolean quiet) {
    return (i, n, label) -> {
      String prefix = "[" + (index + 1) + "/" + total + " " + row + ", seed " + seed + (n > 1 ? ", " + (i + 1) + "/" + n + " " + label : "")
          + "] ";
      return List.of(new ConsoleProgress(out, prefix, metric, quiet));
    };
  }

  @Override
  public void onStart(Recommender model, int startEpoch, int batchesPerEpoch) {
    started = true;
    if (!quiet && startEpoch > 0) {
      out.printf(Locale.ROOT, "%sresuming at epoch %d%n", prefix, startEpoch);
      out.flush();
    }
  }

  @Override
  public void onBatch(int epoch, int batch, int batches, double loss) {
    if (!bar) {
      return;
    }
    if (batch == 0) {
      progress =
          new ProgressBarBuilder()
              .setTaskName(prefix + "epoch " + epoch)
              .setInitialMax(batches)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(200)
              .continuousUpdate()
              .clearDisplayOnFinish()
              .build();
    }
    progress.stepTo(batch + 1);
    if (batch + 1 == batches) {
      progress.close();
      progress = null;
    }
  }

  @Override
  public void onEpoch(EpochRecord r, TrainerState state) {
    if (quiet) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%sepoch %3d  loss %.4f  train %.2fs", prefix, r.epoch(), r.loss(), r.trainSeconds()));
    if (r.valid() != null) {
      sb.append(String.format(Locale.ROOT, "  eval %.2fs  valid %s %.4f  test %.4f", r.evalSeconds(), metric, value(r.valid()), value(r.test())));
      if (r.improved()) {
        sb.append("  *");
      }
    }
    out.println(sb);
    out.flush();
  }

  private double value(Metrics m) {
    return m.get(metric);
  }

  @Override
  public void onEnd(TrainResult result) {
    if (progress != null) {
      progress.close();
    }
    if (!quiet && result.bestValid() != null) {
      out.printf(
          Locale.ROOT,
          "%s%sbest epoch %d: valid %s %.4f, test %.4f (%d epochs, %.1fs%s)%n",
          prefix,
          started ? "" : "done earlier: ",
          result.bestEpoch(),
          metric,
          value(result.bestValid()),
          value(result.testAtBest()),
          result.epochsRun(),
          result.seconds(),
          result.stoppedEarly() ? ", early stop" : "");
      out.flush();
    }
  }
}
