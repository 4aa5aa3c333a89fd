package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.userec.data.DatasetLoader;
import org.userec.run.Comparison;
import org.userec.run.Datasets;
import org.userec.run.SeedTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "A paper's main table: several models on one dataset, each over its own grid (hyper_parameters in its",
      "yaml and configs/model/<MODEL>/<dataset>.yaml, or values fixed by --set) for every seed, the grid point",
      "chosen by validation (select_by) per seed. Prints test Recall@10/20 and NDCG@10/20 as mean ± std over",
      "seeds and each seed's chosen grid point; writes <run folder>/compare.md and compare.json (per-seed numbers).",
      "",
      "Each model gets its own merged config. 'key=value' (--set, or a key of a --config file) goes to every",
      "model that has the key; 'MODEL:key=value' to that model only. Rerun the same command with the same",
      "--run-dir to resume: finished grid points are skipped, interrupted ones continue from their checkpoint.",
      "",
      "Examples:",
      "  userec compare -m LightGCN,FREEDOM,PGL,USERec -d ../shared/data/tiktok --seeds 999,1,2 --run-dir runs/tiktok-table",
      "  userec compare -m BPR,LightGCN -d ../shared/data/baby --set LightGCN:n_layers=2 --set epochs=200",
      "  userec compare -m LightGCN,USERec -d ../shared/data/baby --seeds 999 --set reg_weight=1e-4 --set cl_weight=0.3",
      "  userec compare -m LightGCN,USERec,USERec@paper -d ../shared/data/tiktok   # the paper's setting beside ours",
      "  userec compare -m LightGCN,LightGCN@deep -d ../shared/data/baby --set LightGCN@deep:n_layers=4"
    })
final class CompareCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-m", "--models"},
      required = true,
      split = ",",
      paramLabel = "M1,M2,...",
      description = "Models in table order: BPR, LightGCN, FREEDOM, PGL, USERec; MODEL@name adds a named setting of a model (USERec@paper).")
  List<String> models = new ArrayList<>();

  @Option(names = {"-d", "--dataset"}, required = true, paramLabel = "DATASET", description = "Dataset folder, or a name under data_path.")
  String dataset;

  @Option(
      names = "--seeds",
      split = ",",
      defaultValue = "999,1,2",
      paramLabel = "S1,S2,...",
      description = "Seeds; every model's grid trains once per seed (default ${DEFAULT-VALUE}).")
  List<Long> seeds = new ArrayList<>();

  @Option(
      names = "--run-dir",
      paramLabel = "DIR",
      description = "The comparison's folder (default: <run_dir>/<dataset>/compare-<time>); the same DIR again resumes.")
  Path runDir;

  @Mixin Common common;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<String> notes = new ArrayList<>();
    List<Session> sessions = Session.openEach(models, dataset, common, notes);
    List<Comparison.Entry> entries = new ArrayList<>();
    List<String> sizes = new ArrayList<>();
    for (Session s : sessions) {
      entries.add(new Comparison.Entry(s.label(), s.model(), s.config()));
      int n = s.config().expandGrid().size();
      sizes.add(s.label() + " (" + n + (n == 1 ? " setting)" : " settings)"));
    }
    Comparison.Plan plan = new Comparison.Plan(entries, seeds);
    Session first = sessions.get(0);
    Datasets.Located loc = first.located();
    Path dir = runDir != null ? runDir : first.stampedDir(Path.of(first.config().getString("run_dir")), Comparison.NAME);
    if (!common.quiet) {
      out.println("compare on " + loc.name() + ": " + String.join(", ", sizes) + " × " + seeds.size() + " seeds " + seeds);
      notes.forEach(out::println);
      out.println("run folder: " + dir + " (rerun with --run-dir " + dir + " to resume)");
      out.flush();
    }
    Comparison.Result r =
        Comparison.run(
            plan,
            cfg -> Datasets.spec(cfg, loc, cfg.getBool("is_multimodal_model")),
            spec -> {
              DatasetLoader.Loaded loaded = DatasetLoader.loadWithStats(spec);
              if (!common.quiet) {
                out.println(loaded.stats().toText());
                out.flush();
              }
              return loaded.dataset();
            },
            dir,
            (e, seed, index, total) -> {
              String metric = e.config().getString("valid_metric");
              if (!common.quiet) {
                int n = e.config().expandGrid().size();
                out.println("[" + (index + 1) + "/" + total + " " + e.label() + ", seed " + seed + "] start: " + n
                    + (n == 1 ? " setting" : " grid settings") + ", in " + dir.resolve(e.label()).resolve("seed-" + seed));
                out.flush();
              }
              return ConsoleProgress.forSeed(out, e.label(), seed, index, total, metric, common.quiet);
            });
    out.println();
    out.println(loc.name() + ": test at the best-validation epoch, " + SeedTable.over(seeds) + ":");
    out.print(Tables.seedTable(r.rows(), true));
    out.println();
    out.println("chosen grid point per seed (select_by):");
    out.print(Tables.seedPicks(r.rows(), seeds));
    out.println("results: " + dir.resolve(Comparison.NAME + ".md") + ", " + dir.resolve(Comparison.NAME + ".json"));
    out.flush();
    return 0;
  }
}
