package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.config.Yaml;
import org.userec.data.Dataset;
import org.userec.data.DatasetLoader;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.eval.Metrics;
import org.userec.model.ModelRegistry;
import org.userec.run.Datasets;
import org.userec.run.Experiment;
import org.userec.train.TrainResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Generate a small synthetic dataset, train BPR, LightGCN, FREEDOM, PGL and USERec on it with one sensible setting each,",
      "and print a comparison table (about a minute on two cores). Everything lands in --out."
    })
final class DemoCommand implements Callable<Integer> {
  /**
   * The demo's models, each with one setting (no grid search), the rest from the model's yaml. A registry model
   * joins the demo when it has a setting here whose training fits the demo's minute (LATTICE, MGCN, COHESION,
   * IDFREE and LGMRec have none yet).
   */
  static final Map<String, Map<String, Object>> DEMO_SETTINGS = new LinkedHashMap<>();

  static {
    DEMO_SETTINGS.put("BPR", Map.of("reg_weight", 1e-3));
    DEMO_SETTINGS.put("LightGCN", Map.of("n_layers", 2, "reg_weight", 1e-4));
    DEMO_SETTINGS.put("FREEDOM", Map.of("dropout", 0.8, "reg_weight", 1e-4));
    DEMO_SETTINGS.put("PGL", Map.of("dropout", 0.2, "reg_weight", 0, "mode", "local"));
    // TikTok's recipe, read from its yaml, which also led on MicroLens and here; the paper's ID-free defaults
    // trail LightGCN on all three (docs/results/microlens-compare.md)
    DEMO_SETTINGS.put("USERec", Yaml.parseResource("configs/model/USERec/tiktok.yaml"));
  }

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-o", "--out"}, defaultValue = "runs/demo", description = "Folder for the dataset and runs (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--epochs", defaultValue = "40", description = "Most epochs per model (default ${DEFAULT-VALUE}; early stopping usually ends sooner).")
  int epochs;

  @Option(names = "--seed", defaultValue = "999", description = "Seed for data and training (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    Path data = out.resolve("small");
    long t0 = System.nanoTime();
    if (!Files.exists(data.resolve("small.inter"))) {
      SyntheticSpec s = SyntheticSpec.small().withSeed(seed);
      SyntheticGenerator.write(s, data);
      w.printf(Locale.ROOT, "generated %s in %s%n", s.describe(), data);
    } else {
      w.println("using the dataset already in " + data);
    }
    Datasets.Located loc = new Datasets.Located("small", data.toAbsolutePath().normalize());
    List<String> labels = new ArrayList<>();
    List<Metrics> rows = new ArrayList<>();
    List<List<String>> extra = new ArrayList<>();
    for (String model : DEMO_SETTINGS.keySet()) {
      Map<String, Object> demo = new LinkedHashMap<>(DEMO_SETTINGS.get(model));
      demo.put("epochs", epochs);
      demo.put("stopping_step", 5);
      // a demo, not a benchmark: a larger step than MMRec's 1e-3 so that every model converges in a few epochs
      demo.put("learning_rate", 0.005);
      demo.put("seed", seed);
      demo.put("hyper_parameters", List.of());
      Config cfg = new ConfigLoader().dataset(loc.name(), loc.folder()).model(model, ModelRegistry.names()).values("demo", demo).build();
      Dataset ds = DatasetLoader.load(Datasets.spec(cfg, loc, cfg.getBool("is_multimodal_model")));
      Path dir = out.resolve("runs").resolve(model);
      if (Files.exists(dir.resolve("results.json"))) {
        deleteTree(dir);
      }
      w.printf(Locale.ROOT, "training %-10s ", model);
      w.flush();
      long m0 = System.nanoTime();
      TrainResult r = Experiment.trainOne(model, cfg, ds, dir, List.of());
      double sec = (System.nanoTime() - m0) / 1e9;
      w.printf(Locale.ROOT, "best epoch %3d of %3d, %.1fs%n", r.bestEpoch(), r.epochsRun(), sec);
      labels.add(model);
      rows.add(r.testAtBest());
      extra.add(List.of(Integer.toString(r.bestEpoch()), String.format(Locale.ROOT, "%.1f", sec)));
    }
    w.println();
    w.println("test metrics at the best-validation epoch (synthetic 'small': 3,000 users, 1,500 items):");
    w.print(Tables.metricsTable(labels, rows, List.of("epoch", "seconds"), extra));
    w.println("USERec runs TikTok's recipe (configs/model/USERec/tiktok.yaml): item IDs beside the features, which the"
        + " paper's ID-free model has not");
    w.printf(Locale.ROOT, "total %.1fs; run folders in %s%n", (System.nanoTime() - t0) / 1e9, out.resolve("runs"));
    w.println("next: userec train -m LightGCN -d ../shared/data/baby --set n_layers=2 --set reg_weight=1e-4");
    return 0;
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
