package org.userec.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.Yaml;
import org.userec.data.Dataset;
import org.userec.data.DatasetSpec;
import org.userec.eval.Evaluator;
import org.userec.train.RunLock;

/**
 * A paper's main table: several models on one dataset, each trained over its own grid (its yaml's {@code
 * hyper_parameters} lists, or values fixed by --set) for every seed, the grid point chosen by the model's
 * {@code select_by} per seed, and test Recall@10/20 and NDCG@10/20 as mean ± std over seeds ({@link
 * SeedTable}).
 *
 * <p>Folders: {@code <dir>/<MODEL>/seed-<s>/} hold {@link Experiment} runs; {@code <dir>/compare.md} the table
 * and {@code <dir>/compare.json} the per-seed numbers, both rewritten after each model. Running the same plan
 * in the same folder again skips finished grid points and resumes interrupted ones.
 */
public final class Comparison {
  /** The file names in the comparison folder: compare.md, compare.json. */
  public static final String NAME = "compare";

  /**
   * One row of the table: its label (the model, or MODEL@variant for a named setting of it, which also names its
   * folder), the model's canonical name, and its own merged config (grid included).
   */
  public record Entry(String label, String model, Config config) {
    /** A row of a model under its own name. */
    public Entry(String model, Config config) {
      this(model, model, config);
    }
  }

  /** What to run: the models in table order and the seeds. */
  public record Plan(List<Entry> entries, List<Long> seeds) {
    public Plan {
      entries = List.copyOf(entries);
      seeds = List.copyOf(seeds);
      if (entries.isEmpty()) {
        throw new BadInputException("compare needs at least one model (-m LightGCN,FREEDOM,...)");
      }
      if (seeds.isEmpty()) {
        throw new BadInputException("compare needs at least one seed (--seeds 999,1,2)");
      }
      Set<String> labels = new HashSet<>();
      for (Entry e : entries) {
        if (!labels.add(e.label())) {
          throw new BadInputException("'" + e.label() + "' is listed twice; name each model or variant once");
        }
      }
      if (new HashSet<>(seeds).size() != seeds.size()) {
        throw new BadInputException("--seeds " + seeds + " repeats a seed; list each seed once");
      }
    }
  }

  /** Everything a comparison produced: one row per model, in plan order. */
  public record Result(List<SeedTable.Row> rows, List<Long> seeds, Path dir, String markdown) {}

  /** Notified when a model's seed starts, so the caller can show progress. */
  public interface Progress {
    Experiment.Listeners start(Entry entry, long seed, int index, int total);
  }

  private Comparison() {}

  /**
   * Runs the plan in {@code dir}. {@code specOf} gives a model config's dataset spec; {@code load} reads a
   * spec, once per distinct spec (see {@link #datasets}), before any training starts, so a missing feature
   * file fails at once rather than after hours of baselines.
   */
  public static Result run(
      Plan plan, Function<Config, DatasetSpec> specOf, Function<DatasetSpec, Dataset> load, Path dir, Progress progress) {
    try (RunLock lock = RunLock.acquire(dir)) { // one process per comparison folder
      return runLocked(plan, specOf, load, dir, progress);
    }
  }

  private static Result runLocked(
      Plan plan, Function<Config, DatasetSpec> specOf, Function<DatasetSpec, Dataset> load, Path dir, Progress progress) {
    List<DatasetSpec> specs = new ArrayList<>();
    for (Entry e : plan.entries()) {
      specs.add(specOf.apply(e.config()));
    }
    String dataset = specs.get(0).name();
    checkSameDataset(dir, dataset);
    List<Dataset> data = datasets(specs, load);
    List<SeedTable.Row> rows = new ArrayList<>();
    int total = plan.entries().size() * plan.seeds().size();
    int index = 0;
    String md = markdown(dataset, rows, plan, List.of());
    if (!Files.exists(dir.resolve(NAME + ".json"))) { // marks the folder's dataset; a rerun keeps the last table until a row is done
      SeedTable.write(dir, NAME, md, SeedTable.json(NAME, dataset, plan.seeds(), rows, plan.entries().size()));
    }
    for (int m = 0; m < plan.entries().size(); m++) {
      Entry e = plan.entries().get(m);
      List<SeedTable.Pick> picks = new ArrayList<>();
      for (long seed : plan.seeds()) {
        Path sub = dir.resolve(e.label()).resolve("seed-" + seed);
        picks.add(SeedTable.runSeed(e.label(), e.model(), e.config(), seed, data.get(m), sub, progress.start(e, seed, index++, total)));
      }
      rows.add(new SeedTable.Row(e.label(), e.config().gridKeys(), e.config().getString("select_by"), picks));
      List<Significance.Comparison> tests = significance(rows);
      md = markdown(dataset, rows, plan, tests);
      SeedTable.write(dir, NAME, md, SeedTable.json(NAME, dataset, plan.seeds(), rows, plan.entries().size(), significanceJson(tests)));
    }
    return new Result(rows, plan.seeds(), dir, md);
  }

  /** The metrics the significance tests compare, per user at {@link PerUserTest#K}. */
  static final List<String> TESTED = List.of("recall@20", "ndcg@20");

  /**
   * Per-user Wilcoxon tests of the best row against every other, for each of {@link #TESTED}: each test user's
   * value averaged over the row's seeds. Rows without a per-user file for every seed are left out.
   */
  static List<Significance.Comparison> significance(List<SeedTable.Row> rows) {
    List<Significance.Sample> recall = new ArrayList<>();
    List<Significance.Sample> ndcg = new ArrayList<>();
    int[] users = null;
    for (SeedTable.Row row : rows) {
      double[] r = null;
      double[] n = null;
      boolean complete = true;
      for (SeedTable.Pick p : row.picks()) {
        Evaluator.PerUser v = p.dir() == null ? null : PerUserTest.read(p.dir());
        if (v == null) {
          complete = false;
          break;
        }
        if (users == null) {
          users = v.users();
        } else if (!Arrays.equals(users, v.users())) {
          throw new IllegalStateException(p.dir() + ": its test users differ from another row's; were the rows trained on one dataset?");
        }
        r = r == null ? new double[users.length] : r;
        n = n == null ? new double[users.length] : n;
        for (int i = 0; i < users.length; i++) {
          r[i] += v.recall()[i] / row.picks().size();
          n[i] += v.ndcg()[i] / row.picks().size();
        }
      }
      if (complete) {
        recall.add(new Significance.Sample(row.label(), r));
        ndcg.add(new Significance.Sample(row.label(), n));
      }
    }
    List<Significance.Comparison> out = new ArrayList<>(Significance.bestAgainstOthers(TESTED.get(0), recall));
    out.addAll(Significance.bestAgainstOthers(TESTED.get(1), ndcg));
    return out;
  }

  static String significanceMarkdown(List<Significance.Comparison> tests) {
    if (tests.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\nPer-user significance: Wilcoxon signed-rank tests (two-sided) of the row with the best mean against each\n")
        .append("other row, on every test user's Recall@20 and NDCG@20 averaged over seeds; users whose two values are equal are\n")
        .append("dropped (scipy's default).\n\n| metric | best | against | users | differing | mean difference | p |\n|---|---|---|---|---|---|---|\n");
    for (Significance.Comparison c : tests) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %+.4f | %s |%n", c.metric().replace("recall", "Recall").replace("ndcg", "NDCG"),
          c.best(), c.other(), c.users(), c.differing(), c.meanDifference(), pValue(c.pValue())));
    }
    return sb.toString();
  }

  /** "0.032", "4.1e-07". */
  static String pValue(double p) {
    return p >= 1e-3 ? String.format(Locale.ROOT, "%.3f", p) : String.format(Locale.ROOT, "%.1e", p);
  }

  static String significanceJson(List<Significance.Comparison> tests) {
    StringBuilder sb = new StringBuilder("  \"significance\": [");
    for (int i = 0; i < tests.size(); i++) {
      Significance.Comparison c = tests.get(i);
      sb.append(i == 0 ? "\n" : ",\n").append("    {\"metric\": ").append(SeedTable.quote(c.metric()))
          .append(", \"best\": ").append(SeedTable.quote(c.best())).append(", \"against\": ").append(SeedTable.quote(c.other()))
          .append(", \"users\": ").append(c.users()).append(", \"differing\": ").append(c.differing())
          .append(", \"mean_difference\": ").append(Double.toString(c.meanDifference()))
          .append(", \"p_value\": ").append(Double.toString(c.pValue())).append('}');
    }
    return sb.append(tests.isEmpty() ? "]" : "\n  ]").toString();
  }

  /**
   * One dataset per spec, each distinct spec loaded once; a spec without modalities (an ID-only model) reuses
   * a loaded dataset that differs from it only by its features, since its model ignores them.
   */
  static List<Dataset> datasets(List<DatasetSpec> specs, Function<DatasetSpec, Dataset> load) {
    Map<DatasetSpec, Dataset> loaded = new LinkedHashMap<>();
    for (DatasetSpec s : specs) { // features first, so that ID-only specs can share them
      if (!s.modalities().isEmpty() && !loaded.containsKey(s)) {
        loaded.put(s, load.apply(s));
      }
    }
    for (DatasetSpec s : specs) {
      if (loaded.containsKey(s)) {
        continue;
      }
      Dataset same = null;
      for (Map.Entry<DatasetSpec, Dataset> l : loaded.entrySet()) {
        if (l.getKey().withModalities(List.of()).equals(s)) {
          same = l.getValue();
          break;
        }
      }
      loaded.put(s, same != null ? same : load.apply(s));
    }
    List<Dataset> out = new ArrayList<>();
    for (DatasetSpec s : specs) {
      out.add(loaded.get(s));
    }
    return out;
  }

  /** A folder that already holds a comparison must hold one of the same dataset. */
  private static void checkSameDataset(Path dir, String dataset) {
    Path json = dir.resolve(NAME + ".json");
    if (!Files.isRegularFile(json)) {
      return;
    }
    Object was = Yaml.parseFile(json).get("dataset");
    if (was != null && !dataset.equals(String.valueOf(was))) {
      throw new BadInputException(
          dir + ": holds a comparison on '" + was + "', not '" + dataset + "'; pass another --run-dir to compare on " + dataset);
    }
  }

  static String markdown(String dataset, List<SeedTable.Row> rows, Plan plan, List<Significance.Comparison> tests) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(dataset).append(": test metrics at the best-validation epoch, ").append(SeedTable.over(plan.seeds()))
        .append("\n\n");
    sb.append("Each model's grid is searched for every seed; the grid point is chosen by the model's select_by.\n");
    if (rows.size() < plan.entries().size()) {
      List<String> todo = new ArrayList<>();
      for (Entry e : plan.entries().subList(rows.size(), plan.entries().size())) {
        todo.add(e.label());
      }
      sb.append("Partial: ").append(rows.size()).append(" of ").append(plan.entries().size()).append(" models done (to come: ")
          .append(String.join(", ", todo)).append("); rerun the same command with the same --run-dir to finish.\n");
    }
    sb.append("s / epoch: the median seconds of a training epoch of the chosen grid point (median over seeds); peak heap: the\n")
        .append("largest sum of the JVM's heap pools' peaks while it trained (an upper bound of its live data).\n");
    sb.append('\n').append(SeedTable.markdown("model", rows, true));
    sb.append(significanceMarkdown(tests));
    sb.append("\nChosen grid point per seed:\n\n").append(SeedTable.picksMarkdown("model", rows, plan.seeds()));
    return sb.toString();
  }
}
