package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.userec.BadInputException;
import org.userec.config.ConfigChecks;
import org.userec.data.DatasetLoader;
import org.userec.run.Ablation;
import org.userec.run.Datasets;
import org.userec.run.SeedTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "ablate",
    mixinStandardHelpOptions = true,
    description = {
      "USERec's ablation study: full, w/o MLLM (only with --image-feature), w/o Prun, w/o Pos, w/o Pos2, w/o ii,",
      "w/o Att, each over its grid (USERec.yaml and the dataset's USERec/<dataset>.yaml, or --set values) for",
      "every seed. Prints one table of test Recall@10/20 and NDCG@10/20 (mean ± std over seeds) and writes it",
      "to <run folder>/ablation.md.",
      "",
      "Examples:",
      "  userec ablate -d ../shared/data/tiktok --seeds 999,1,2 --run-dir runs/tiktok-ablation   (same again resumes)",
      "  userec ablate -d ../shared/data/baby --image-feature vgg_image_feat.npy --set reg_weight=1e-4",
      "  userec ablate -d ../shared/data/tiktok --only full,no-att --seeds 999 --set epochs=50"
    })
final class AblateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-d", "--dataset"}, required = true, paramLabel = "DATASET", description = "Dataset folder, or a name under data_path.")
  String dataset;

  @Option(
      names = "--seeds",
      split = ",",
      defaultValue = "999,1,2",
      paramLabel = "S1,S2,...",
      description = "Seeds; every variant trains once per seed (default ${DEFAULT-VALUE}).")
  List<Long> seeds = new ArrayList<>();

  @Option(
      names = "--image-feature",
      paramLabel = "FILE",
      description = "Plain image features (e.g. VGG's image_feat.npy) for w/o MLLM; relative to the dataset folder or absolute.")
  Path imageFeature;

  @Option(
      names = "--only",
      split = ",",
      paramLabel = "V1,V2,...",
      description = "Run only these variants: full, no-mllm, no-prun, no-pos, no-pos2, no-ii, no-att.")
  List<String> only = new ArrayList<>();

  @Option(
      names = "--run-dir",
      paramLabel = "DIR",
      description =
          "The ablation's folder (default: <run_dir>/<dataset>/ablation-<time>); the same DIR again resumes: finished"
              + " runs are skipped, interrupted ones continue from their checkpoint.")
  Path runDir;

  @Mixin Common common;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Session s = Session.open(Ablation.MODEL, dataset, common);
    List<Ablation.Variant> variants = new ArrayList<>();
    if (only.isEmpty()) {
      variants.addAll(List.of(Ablation.Variant.values()));
    } else {
      for (String v : only) {
        variants.add(Ablation.Variant.parse(v));
      }
    }
    Path image = imageFeature;
    if (image != null) {
      Path resolved = s.located().folder().resolve(image);
      if (!Files.isRegularFile(resolved)) {
        throw new BadInputException("--image-feature " + image + ": no such file (looked at " + resolved + ")");
      }
      image = resolved.toAbsolutePath().normalize();
    } else if (variants.contains(Ablation.Variant.NO_MLLM) && !only.isEmpty()) {
      throw new BadInputException("--only no-mllm needs --image-feature FILE (plain image features)");
    }
    ConfigChecks.check(s.config(), ConfigChecks.DataFacts.UNKNOWN); // the whole grid, before any training
    Ablation.Plan plan = new Ablation.Plan(variants, seeds, image);
    Path dir = runDir != null ? runDir : s.stampedDir(Path.of(s.config().getString("run_dir")), "ablation");
    String metric = s.config().getString("valid_metric");
    if (!common.quiet) {
      out.println("ablation of USERec on " + s.located().name() + ": " + plan.effective().size() + " variants × " + seeds.size()
          + " seeds" + (s.config().gridKeys().isEmpty() ? "" : ", grid over " + s.config().gridKeys() + " ("
          + s.config().expandGrid().size() + " settings each)"));
      if (image == null && only.isEmpty()) {
        out.println("w/o MLLM skipped: pass --image-feature FILE (plain image features) to run it");
      }
      out.println("run folder: " + dir + " (rerun with --run-dir " + dir + " to resume)");
      out.flush();
    }
    Ablation.Result r =
        Ablation.run(
            s.config(),
            cfg -> DatasetLoader.load(Datasets.spec(cfg, s.located(), true)),
            plan,
            dir,
            (v, seed, index, total) -> ConsoleProgress.forSeed(out, v.label, seed, index, total, metric, common.quiet));
    out.println();
    out.println("USERec ablation on " + s.located().name() + " (test at best validation; " + SeedTable.over(seeds) + "):");
    out.print(table(r));
    out.println("results: " + dir.resolve("ablation.md"));
    out.flush();
    return 0;
  }

  static String table(Ablation.Result r) {
    return Tables.seedTable(r.rows());
  }
}
