package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.userec.BadInputException;
import org.userec.data.DatasetLoader;
import org.userec.eval.Metrics;
import org.userec.run.Experiment;
import org.userec.train.RunFolder;
import org.userec.train.RunLock;
import org.userec.train.TrainListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a model with MMRec's protocol and report test metrics at the best-validation epoch.",
      "List values of keys named in hyper_parameters form a grid; every point trains from scratch.",
      "Each run leaves a folder: config.yaml, log.tsv, best.params, checkpoint.params, results.json, results.md.",
      "",
      "Examples:",
      "  userec train -m LightGCN -d ../shared/data/baby --set n_layers=2 --set reg_weight=1e-4",
      "  userec train -m BPR -d ../shared/data/baby                 (MMRec's full reg_weight grid)",
      "  userec train -m LightGCN -d ../shared/data/baby --epochs 3  (at most 3 epochs; the same as --set epochs=3)",
      "  userec train --resume runs/baby/LightGCN-20261128-101500   (continue after a crash or Ctrl-C)",
      "Config keys with their defaults: 'userec keys -m MODEL'."
    })
final class TrainCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "Model name: ${sys:userec.models}.")
  String model;

  @Option(names = {"-d", "--dataset"}, paramLabel = "DATASET", description = "Dataset folder, or a name under data_path.")
  String dataset;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "Parent folder for run folders (default: run_dir, 'runs').")
  Path runDir;

  @Option(names = "--resume", paramLabel = "RUN", description = "Continue an interrupted run from its folder.")
  Path resume;

  @Mixin Common common;

  @Option(names = "--epochs", paramLabel = "N", description = "Train at most N epochs (the same as --set epochs=N).")
  Integer epochs;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (epochs != null) {
      common.overrides.add("epochs=" + epochs);
    }
    Session s;
    Path dir;
    RunLock lock = null;
    boolean fresh = resume == null;
    try {
      if (!fresh) {
        if (model != null || dataset != null) {
          throw new BadInputException("--resume takes the model and dataset from the run folder; drop -m/-d");
        }
        s = Session.resume(resume, common);
        dir = resume;
        lock = RunLock.acquire(dir);
        s.requireSameData(dir, "--resume");
        int removed = RunFolder.removeStaleTemps(dir);
        if (removed > 0 && !common.quiet) {
          out.println("removed " + removed + " temporary file" + (removed == 1 ? "" : "s") + " an interrupted write left in " + dir);
        }
      } else {
        if (model == null || dataset == null) {
          throw new BadInputException("train needs --model and --dataset (or --resume RUN); see 'userec train --help'");
        }
        s = Session.open(model, dataset, common);
        dir = null;
      }
      DatasetLoader.Loaded loaded = s.load();
      Experiment.validate(s.config(), loaded.dataset()); // every grid point, before any folder or training
      if (!common.quiet) {
        out.println(loaded.stats().toText());
      }
      if (fresh) {
        dir = s.newRunDir(runDir, s.fingerprint());
        lock = RunLock.acquire(dir);
      }
      return train(out, s, loaded, dir, fresh);
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  private int train(PrintWriter out, Session s, DatasetLoader.Loaded loaded, Path dir, boolean fresh) {
    if (!common.quiet) {
      out.println("run folder: " + dir);
      List<String> grid = s.config().gridKeys();
      if (!grid.isEmpty()) {
        out.println("grid over " + grid + ": " + s.config().expandGrid().size() + " settings");
      }
      out.flush();
    }
    String metric = s.config().getString("valid_metric");
    Interrupted hint = Interrupted.watch(dir);
    Experiment.Outcome o;
    try {
      o = Experiment.run(
          s.model(),
          s.config(),
          loaded.dataset(),
          dir,
          (i, n, label) -> {
            String prefix = n > 1 ? "[" + (i + 1) + "/" + n + " " + label + "] " : "";
            List<TrainListener> ls = new ArrayList<>();
            ls.add(new ConsoleProgress(out, prefix, metric, common.quiet));
            return ls;
          });
    } catch (BadInputException e) {
      if (fresh) {
        RunFolders.deleteIfNothingTrained(dir); // a rejected run leaves no folder to confuse --resume or eval
      }
      throw e;
    } finally {
      hint.done();
    }
    printOutcome(out, o, s.config().getString("select_by"));
    return 0;
  }

  static void printOutcome(PrintWriter out, Experiment.Outcome o, String selectBy) {
    out.println();
    if (o.points().size() > 1) {
      List<String> labels = new ArrayList<>();
      List<Metrics> rows = new ArrayList<>();
      List<List<String>> extra = new ArrayList<>();
      for (Experiment.Point p : o.points()) {
        labels.add(p.label());
        rows.add(p.result().testAtBest());
        extra.add(List.of(Integer.toString(p.result().bestEpoch()), fmt(p.result().bestValid())));
      }
      out.println("test metrics at each setting's best-validation epoch:");
      out.print(Tables.metricsTable(labels, rows, List.of("best epoch", "valid R@20"), extra));
      out.println();
    }
    if (o.byValid() == null) {
      out.println("no evaluation ran (epochs < eval_step?)");
      out.flush();
      return;
    }
    List<String> labels = new ArrayList<>();
    List<Metrics> rows = new ArrayList<>();
    labels.add(o.model() + " (chosen by validation" + (o.points().size() > 1 ? ": " + o.byValid().label() : "") + ")");
    rows.add(o.byValid().result().testAtBest());
    if (o.points().size() > 1) {
      labels.add(o.model() + " (MMRec's pick, by test score: " + o.byTest().label() + ")");
      rows.add(o.byTest().result().testAtBest());
    }
    out.println("test results (" + (selectBy.equalsIgnoreCase("test") ? "select_by: test" : "select_by: valid") + "):");
    out.print(Tables.metricsTable(labels, rows, List.of(), null));
    out.println("results: " + o.dir());
    out.flush();
  }

  private static String fmt(Metrics m) {
    return m == null ? "-" : String.format(Locale.ROOT, "%.4f", m.get("recall@20"));
  }
}
