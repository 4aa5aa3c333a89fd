package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.userec.BadInputException;
import org.userec.cli.report.StudyReport;
import org.userec.data.DatasetLoader;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.run.Comparison;
import org.userec.run.Datasets;
import org.userec.run.Reproduction;
import org.userec.train.TrainListener;
import org.userec.train.TrainResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "reproduce",
    mixinStandardHelpOptions = true,
    description = {
      "The USERec paper's study on one dataset, in one resumable command: Table 2 (every model, per-user",
      "Wilcoxon tests, cost = Table 4), Figure 2 (ablation), Figure 3 (USERec against the modality weight, the",
      "attention's sample count C and the kept edge fraction ρp), Figure 4 (ρd × λcl heatmap), the hit rate of the",
      "100 most popular items with and without pruning, and validation curves. Writes <run-dir>/report.md, a",
      "self-contained report.html, figures/*.svg and *.png, tables/*.csv. The same command again resumes:",
      "finished runs are skipped.",
      "",
      "Examples:",
      "  userec reproduce -d ../shared/data/tiktok --run-dir runs/tiktok-study",
      "  userec reproduce -d data/tiny --run-dir runs/tiny-study --budget quick --seeds 999",
      "  userec reproduce -d ../shared/data/tiktok --run-dir runs/t -m LightGCN,USERec,USERec@paper --set USERec:reg_weight=1e-4"
    })
final class ReproduceCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-d", "--dataset"}, required = true, paramLabel = "DATASET", description = "Dataset folder, or a name under data_path.")
  String dataset;

  @Option(names = "--run-dir", required = true, paramLabel = "DIR", description = "The study's folder; the same DIR again resumes.")
  Path runDir;

  @Option(
      names = {"-m", "--models"},
      split = ",",
      paramLabel = "M1,M2,...",
      description = "Table 2's rows (default: every registry model and USERec@paper); USERec must be one of them.")
  List<String> models = new ArrayList<>();

  @Option(names = "--seeds", split = ",", defaultValue = "999,1,2", paramLabel = "S1,S2,...",
      description = "Seeds of Table 2 and the ablation (default ${DEFAULT-VALUE}).")
  List<Long> seeds = new ArrayList<>();

  @Option(names = "--sweep-seeds", split = ",", defaultValue = "999", paramLabel = "S1,...",
      description = "Seeds of Figures 3–4 and the hit rate (default ${DEFAULT-VALUE}).")
  List<Long> sweepSeeds = new ArrayList<>();

  @Option(names = "--budget", defaultValue = "full", paramLabel = "quick|full",
      description = "full (default): every yaml grid, the paper's sweep values; quick: at most 3 epochs, first grid values, two values per sweep.")
  String budget;

  @Option(names = "--image-feature", paramLabel = "FILE",
      description = "Plain image features for the ablation's w/o MLLM (relative to the dataset folder or absolute).")
  Path imageFeature;

  @Mixin Common common;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Reproduction.Budget b = Reproduction.Budget.parse(budget);
    if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
      throw new BadInputException("--run-dir " + runDir + ": is a file; pass a folder (new or one a reproduce run made)");
    }
    List<String> rows = new ArrayList<>(models);
    if (rows.isEmpty()) {
      rows.addAll(ModelRegistry.names());
      rows.add(Reproduction.MODEL + "@paper");
    }
    List<String> notes = new ArrayList<>();
    List<Session> sessions = Session.openEach(rows, dataset, common, notes);
    List<Comparison.Entry> entries = new ArrayList<>();
    for (Session s : sessions) {
      entries.add(new Comparison.Entry(s.label(), s.model(), s.config()));
    }
    Datasets.Located loc = sessions.get(0).located();
    Path image = null;
    if (imageFeature != null) {
      image = loc.folder().resolve(imageFeature);
      if (!Files.isRegularFile(image)) {
        throw new BadInputException("--image-feature " + imageFeature + ": no such file (looked at " + image + ")");
      }
      image = image.toAbsolutePath().normalize();
    }
    Reproduction.Plan plan = new Reproduction.Plan(entries, seeds, sweepSeeds, b, image);
    if (!common.quiet) {
      out.println("reproduce on " + loc.name() + " (" + b.name().toLowerCase(Locale.ROOT) + " budget): Table 2 with " + String.join(", ", rows)
          + " × seeds " + seeds + "; ablation × seeds " + seeds + "; sweeps × seeds " + sweepSeeds);
      notes.forEach(out::println);
      out.println("run folder: " + runDir + " (the same command again resumes)");
      out.flush();
    }
    long t0 = System.nanoTime();
    Reproduction.Study study =
        Reproduction.run(
            plan,
            cfg -> Datasets.spec(cfg, loc, cfg.getBool("is_multimodal_model")),
            s -> DatasetLoader.load(s),
            runDir,
            (section, point, index, total) -> (i, n, label) -> List.of(new Line(out, "[" + section + " " + (index + 1) + "/" + total + "] " + point
                + (n > 1 ? " (" + (i + 1) + "/" + n + " " + label + ")" : ""), common.quiet)));
    List<Path> files = StudyReport.write(study, runDir, "userec " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    out.printf(Locale.ROOT, "report: %s, %s (%d files under %s, %.0f s)%n", runDir.resolve("report.md"), runDir.resolve("report.html"), files.size(),
        runDir, (System.nanoTime() - t0) / 1e9);
    out.flush();
    return 0;
  }

  /**
   * One progress line per run when it ends: the section, the point, done/total, and its result ("done earlier"
   * for a run a previous command finished).
   */
  private static final class Line implements TrainListener {
    private final PrintWriter out;
    private final String prefix;
    private final boolean quiet;
    private boolean trained;

    Line(PrintWriter out, String prefix, boolean quiet) {
      this.out = out;
      this.prefix = prefix;
      this.quiet = quiet;
    }

    @Override
    public void onStart(Recommender model, int startEpoch, int batchesPerEpoch) {
      trained = true;
    }

    @Override
    public void onEnd(TrainResult r) {
      if (quiet) {
        return;
      }
      String how = trained ? "" : "done earlier: ";
      if (r.bestValid() == null) {
        out.println(prefix + ": " + how + "no evaluation ran");
      } else {
        out.printf(Locale.ROOT, "%s: %sbest epoch %d, valid R@20 %.4f, test R@20 %.4f (%d epochs, %.1f s)%n", prefix, how, r.bestEpoch(),
            r.bestValid().get("recall@20"), r.testAtBest().get("recall@20"), r.epochsRun(), r.seconds());
      }
      out.flush();
    }
  }
}
