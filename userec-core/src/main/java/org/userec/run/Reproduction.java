package org.userec.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.data.DatasetSpec;

/**
 * The USERec paper's study (§4.2–4.6) on one dataset, as one resumable run: Table 2 (every model, {@link
 * Comparison}, with per-user significance tests and each model's cost, the paper's Table 4), Figure 2 (the
 * ablation, {@link Ablation}), Figure 3 (USERec's test Recall@20 and NDCG@20 against the item–item graph's
 * modality weight, the attention's sample count C and the kept edge fraction ρp), Figure 4 (the ρd × λcl grid),
 * the hit rate of the 100 most popular items with and without pruning ({@link PopularHitRate}), and each
 * model's validation curve.
 *
 * <p>The sweeps start from USERec's setting as Table 2 chose it for the sweep's seed (the first Table 2 seed's
 * pick when the sweep seed is not one of them) and change one key (two for Figure 4). Folders under {@code dir}:
 * {@code table2/} and {@code ablation/} (a {@link Comparison} and an {@link Ablation}), {@code
 * points/<key=value,...>/seed-<s>/} (one USERec run per sweep point; a point two figures share, e.g. ρp = 1.0
 * for Figure 3 and the hit rate, trains once). The same plan in the same folder again skips finished runs.
 */
public final class Reproduction {
  /** The model the figures study. */
  public static final String MODEL = "USERec";

  /** How much to train: quick shrinks epochs, grids and sweeps for a smoke run of the whole study. */
  public enum Budget {
    /** Every model's yaml grid, the paper's sweep values. */
    FULL(
        List.of(0.1, 0.3, 0.5, 0.7, 0.9),
        List.of(1, 3, 5, 8, 10, 20),
        List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
        List.of(0.1, 0.2, 0.3, 0.4, 0.5),
        List.of(0.1, 0.2, 0.3, 0.4, 0.5)),
    /** At most {@link #QUICK_EPOCHS} epochs, each grid key at its first value, two values per sweep. */
    QUICK(List.of(0.1, 0.9), List.of(1, 5), List.of(0.1, 1.0), List.of(0.1, 0.3), List.of(0.1, 0.3));

    public static final int QUICK_EPOCHS = 3;

    /** Figure 3 (a)–(c) and Figure 4's axes. */
    public final List<Object> modalityWeights;
    public final List<Object> attSamples;
    public final List<Object> pruneKeeps;
    public final List<Object> clDropouts;
    public final List<Object> clWeights;

    Budget(List<Object> modalityWeights, List<Object> attSamples, List<Object> pruneKeeps, List<Object> clDropouts, List<Object> clWeights) {
      this.modalityWeights = modalityWeights;
      this.attSamples = attSamples;
      this.pruneKeeps = pruneKeeps;
      this.clDropouts = clDropouts;
      this.clWeights = clWeights;
    }

    /** "quick" or "full", case-insensitive. */
    public static Budget parse(String s) {
      for (Budget b : values()) {
        if (b.name().equalsIgnoreCase(s.trim())) {
          return b;
        }
      }
      throw new BadInputException("--budget '" + s + "': choose quick (a smoke run: few epochs, small grids) or full");
    }

    /** A model's config under this budget: quick keeps each grid key's first value and at most QUICK_EPOCHS epochs. */
    public Config apply(Config c) {
      if (this == FULL) {
        return c;
      }
      Map<String, Object> set = new LinkedHashMap<>();
      for (String k : c.gridKeys()) {
        set.put(k, c.getList(k).get(0));
      }
      set.put("epochs", Math.min(QUICK_EPOCHS, c.getInt("epochs")));
      return c.with(set, "--budget quick");
    }
  }

  /** What to run: the Table 2 rows (one must be plain USERec), their seeds, the sweeps' seeds, the budget. */
  public record Plan(List<Comparison.Entry> entries, List<Long> seeds, List<Long> sweepSeeds, Budget budget, Path imageFeature) {
    public Plan {
      entries = List.copyOf(entries);
      seeds = List.copyOf(seeds);
      sweepSeeds = List.copyOf(sweepSeeds);
      if (entries.stream().noneMatch(e -> e.label().equals(MODEL))) {
        throw new BadInputException("reproduce studies USERec: add USERec to -m (the figures vary its settings)");
      }
      if (sweepSeeds.isEmpty()) {
        throw new BadInputException("--sweep-seeds needs at least one seed");
      }
      if (seeds.isEmpty()) {
        throw new BadInputException("--seeds needs at least one seed");
      }
    }
  }

  /** One sweep value: its runs (one per sweep seed) and their mean test Recall@20 and NDCG@20. */
  public record SweepPoint(Object value, List<SeedTable.Pick> picks) {
    public double mean(String metric) {
      return picks.stream().mapToDouble(p -> p.test().get(metric)).average().orElse(Double.NaN);
    }
  }

  /** One panel of Figure 3: a key and its points in sweep order. */
  public record Sweep(String key, String title, List<SweepPoint> points) {}

  /** Figure 4: mean test Recall@20 (and NDCG@20) at [dropout][weight]. */
  public record ClGrid(List<Object> dropouts, List<Object> weights, double[][] recall, double[][] ndcg) {}

  /** The popular items' hit rate at the chosen prune_keep and at 1.0 (pooled over the sweep seeds). */
  public record HitRates(List<Object> chosenKeep, PopularHitRate.Result pruned, PopularHitRate.Result unpruned) {}

  /** Everything the study produced, for the report. */
  public record Study(
      String dataset,
      Plan plan,
      Comparison.Result table,
      List<Significance.Comparison> significance,
      Ablation.Result ablation,
      List<Sweep> sweeps,
      ClGrid clGrid,
      HitRates hitRates,
      Map<String, ValidationCurve> curves,
      List<String> notes) {}

  /** Notified when a run starts: the section ("Table 2", "Figure 3"), the point, its index and the section's total. */
  public interface Progress {
    Experiment.Listeners start(String section, String point, int index, int total);
  }

  private Reproduction() {}

  /** Runs (or resumes) the whole study in {@code dir}; {@code load} is called once per distinct dataset spec. */
  public static Study run(Plan plan, Function<Config, DatasetSpec> specOf, Function<DatasetSpec, Dataset> load, Path dir, Progress progress) {
    List<Comparison.Entry> entries = new ArrayList<>();
    for (Comparison.Entry e : plan.entries()) {
      entries.add(new Comparison.Entry(e.label(), e.model(), plan.budget().apply(e.config())));
    }
    Map<DatasetSpec, Dataset> loaded = new LinkedHashMap<>();
    Function<DatasetSpec, Dataset> once = s -> loaded.computeIfAbsent(s, load);
    Comparison.Result table =
        Comparison.run(
            new Comparison.Plan(entries, plan.seeds()),
            specOf,
            once,
            dir.resolve("table2"),
            (e, seed, i, n) -> progress.start("Table 2", e.label() + ", seed " + seed, i, n));
    Config userec = entries.stream().filter(e -> e.label().equals(MODEL)).findFirst().orElseThrow().config();
    Dataset ds = once.apply(specOf.apply(userec));
    Ablation.Result ablation =
        Ablation.run(
            userec,
            cfg -> once.apply(specOf.apply(cfg)),
            new Ablation.Plan(List.of(Ablation.Variant.values()), plan.seeds(), plan.imageFeature()),
            dir.resolve("ablation"),
            (v, seed, i, n) -> progress.start("Figure 2", v.label + ", seed " + seed, i, n));
    // Figure 5: the users' final embeddings with and without the positional encoding (the ablation's runs)
    boolean quick = plan.budget() == Budget.QUICK;
    UserMaps.write(ablation, ds, dir, quick ? 60 : 3000, quick ? 250 : 1000, plan.seeds().get(0));

    SeedTable.Row userecRow = table.rows().stream().filter(r -> r.label().equals(MODEL)).findFirst().orElseThrow();
    Map<Long, Config> chosen = new LinkedHashMap<>();
    for (long s : plan.sweepSeeds()) {
      SeedTable.Pick pick = userecRow.picks().stream().filter(p -> p.seed() == s).findFirst().orElse(userecRow.picks().get(0));
      chosen.put(s, chosenConfig(userec, pick.setting()));
    }
    List<String> notes = new ArrayList<>();
    Map<String, List<Object>> panels = new LinkedHashMap<>();
    Map<String, String> titles = new LinkedHashMap<>();
    if (ds.features().size() == 2 && !userec.has("modality_weights")) {
      panels.put("mm_image_weight", plan.budget().modalityWeights);
      titles.put("mm_image_weight", "(a) modality weight α of the item–item graph (" + ds.features().get(0).name() + ")");
    } else {
      notes.add("Figure 3 (a), the modality weight, needs two modalities and no modality_weights; " + ds.name() + " has "
          + ds.features().size() + " modalities" + (userec.has("modality_weights") ? " and modality_weights set" : "") + ".");
    }
    panels.put("att_samples", plan.budget().attSamples);
    titles.put("att_samples", "(b) attention samples C");
    panels.put("prune_keep", plan.budget().pruneKeeps);
    titles.put("prune_keep", "(c) kept edge fraction ρp");

    int seeds = plan.sweepSeeds().size();
    Points points = new Points(dir.resolve("points"), ds, chosen, progress);
    int sweepTotal = panels.values().stream().mapToInt(List::size).sum() * seeds;
    int[] index = {0};
    List<Sweep> sweeps = new ArrayList<>();
    panels.forEach((key, values) -> {
      List<SweepPoint> pts = new ArrayList<>();
      for (Object v : values) {
        pts.add(new SweepPoint(v, points.run("Figure 3", Map.of(key, v), index[0], sweepTotal)));
        index[0] += seeds;
      }
      sweeps.add(new Sweep(key, titles.get(key), pts));
    });

    List<Object> drops = plan.budget().clDropouts;
    List<Object> weights = plan.budget().clWeights;
    double[][] recall = new double[drops.size()][weights.size()];
    double[][] ndcg = new double[drops.size()][weights.size()];
    int gridTotal = drops.size() * weights.size() * seeds;
    for (int a = 0; a < drops.size(); a++) {
      for (int b = 0; b < weights.size(); b++) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("cl_dropout", drops.get(a));
        set.put("cl_weight", weights.get(b));
        SweepPoint p = new SweepPoint(set, points.run("Figure 4", set, (a * weights.size() + b) * seeds, gridTotal));
        recall[a][b] = p.mean("recall@20");
        ndcg[a][b] = p.mean("ndcg@20");
      }
    }

    List<Object> keeps = new ArrayList<>();
    PopularHitRate.Result pruned = null;
    PopularHitRate.Result unpruned = null;
    int h = 0;
    for (long s : plan.sweepSeeds()) {
      Object keep = chosen.get(s).raw("prune_keep");
      keeps.add(keep);
      PopularHitRate.Result p = points.hitRate(s, Map.of("prune_keep", keep), h++, 2 * seeds);
      PopularHitRate.Result u = points.hitRate(s, Map.of("prune_keep", 1.0), h++, 2 * seeds);
      pruned = pruned == null ? p : pruned.plus(p);
      unpruned = unpruned == null ? u : unpruned.plus(u);
    }

    Map<String, ValidationCurve> curves = new LinkedHashMap<>();
    for (SeedTable.Row r : table.rows()) {
      String metric = userec.getString("valid_metric").toLowerCase(Locale.ROOT);
      curves.put(r.label(), ValidationCurve.read(r.picks().get(0).dir(), metric));
    }
    return new Study(
        ds.name(), plan, table, Comparison.significance(table.rows()), ablation, sweeps, new ClGrid(drops, weights, recall, ndcg),
        new HitRates(keeps, pruned, unpruned), curves, notes);
  }

  /** The grid point of {@code config} that a pick's setting ("k1=v1, k2=v2") names; the config itself without a grid. */
  static Config chosenConfig(Config config, String setting) {
    if (config.gridKeys().isEmpty()) {
      return config;
    }
    for (Config c : config.expandGrid()) {
      if (c.describe(config.gridKeys()).equals(setting)) {
        return c;
      }
    }
    throw new IllegalStateException("no grid point of " + config.gridKeys() + " is '" + setting + "'");
  }

  /** USERec runs at one setting each, kept in {@code <dir>/<k=v,...>/seed-<s>/}, shared between the figures. */
  private static final class Points {
    private final Path dir;
    private final Dataset ds;
    private final Map<Long, Config> chosen;
    private final Progress progress;

    Points(Path dir, Dataset ds, Map<Long, Config> chosen, Progress progress) {
      this.dir = dir;
      this.ds = ds;
      this.chosen = chosen;
      this.progress = progress;
    }

    /** One run per sweep seed, at the seed's chosen setting with {@code set} on top. */
    List<SeedTable.Pick> run(String section, Map<String, Object> set, int index, int total) {
      List<SeedTable.Pick> out = new ArrayList<>();
      int i = index;
      for (long s : chosen.keySet()) {
        out.add(one(section, s, set, i++, total));
      }
      return out;
    }

    PopularHitRate.Result hitRate(long seed, Map<String, Object> set, int index, int total) {
      SeedTable.Pick p = one("Hit rate", seed, set, index, total);
      return PopularHitRate.ofRun(MODEL, config(seed, set), ds, p.dir(), PopularHitRate.ITEMS, PopularHitRate.K);
    }

    private SeedTable.Pick one(String section, long seed, Map<String, Object> set, int index, int total) {
      String name = name(set);
      return SeedTable.runSeed(MODEL + " " + name, MODEL, config(seed, set).with(Map.of("seed", seed), "--sweep-seeds"), seed, ds,
          dir.resolve(name).resolve("seed-" + seed), progress.start(section, name + ", seed " + seed, index, total));
    }

    private Config config(long seed, Map<String, Object> set) {
      return chosen.get(seed).with(set, "reproduce sweep").with(Map.of("seed", seed), "--sweep-seeds");
    }

    static String name(Map<String, Object> set) {
      StringBuilder sb = new StringBuilder();
      set.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
      return sb.toString();
    }
  }
}
