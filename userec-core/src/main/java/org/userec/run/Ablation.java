package org.userec.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.train.RunLock;

/**
 * The paper's ablation study (USERec §4.3, figure 2): USERec in full and six variants, each a config switch,
 * each trained over its grid (as the model yaml says, or fixed by --set) for every seed; one table of test
 * Recall@10/20 and NDCG@10/20 as mean ± standard deviation over seeds (the grid point chosen by {@code
 * select_by}, validation by default, for each seed), as {@link SeedTable} builds it.
 *
 * <p>Folders: {@code <dir>/<variant>/seed-<s>/} hold {@link Experiment} runs; {@code <dir>/ablation.md} the
 * table and {@code <dir>/ablation.json} the per-seed numbers (both rewritten after each variant).
 */
public final class Ablation {
  public static final String MODEL = "USERec";

  /** The variants of the paper's figure 2, in its order, with the switches that make each. */
  public enum Variant {
    FULL("USERec", "full", Map.of()),
    NO_MLLM("w/o MLLM", "no-mllm", Map.of()), // plain image features: a different feature file, see run()
    NO_PRUN("w/o Prun", "no-prun", Map.of("prune_keep", 1.0)),
    NO_POS("w/o Pos", "no-pos", Map.of("user_pe", false, "item_pe", false)),
    NO_POS2("w/o Pos2", "no-pos2", Map.of("user_pe", true, "item_pe", true)),
    NO_II("w/o ii", "no-ii", Map.of("use_ii_graph", false)),
    NO_ATT("w/o Att", "no-att", Map.of("use_attention", false));

    public final String label;
    public final String slug;
    public final Map<String, Object> switches;

    Variant(String label, String slug, Map<String, Object> switches) {
      this.label = label;
      this.slug = slug;
      this.switches = switches;
    }

    /** A variant by slug ("no-att") or label ("w/o Att"), case-insensitive. */
    public static Variant parse(String s) {
      for (Variant v : values()) {
        if (v.slug.equalsIgnoreCase(s.trim()) || v.label.equalsIgnoreCase(s.trim()) || v.name().equalsIgnoreCase(s.trim())) {
          return v;
        }
      }
      List<String> slugs = new ArrayList<>();
      for (Variant v : values()) {
        slugs.add(v.slug);
      }
      throw new BadInputException("unknown ablation variant '" + s + "'; choose from " + String.join(", ", slugs));
    }
  }

  /** What to run. imageFeature is null when no plain image feature file is given (w/o MLLM is then skipped). */
  public record Plan(List<Variant> variants, List<Long> seeds, Path imageFeature) {
    public Plan {
      variants = List.copyOf(variants);
      seeds = List.copyOf(seeds);
      if (seeds.isEmpty()) {
        throw new BadInputException("ablation needs at least one seed");
      }
    }

    /** The variants that will run: w/o MLLM only with an image feature file. */
    public List<Variant> effective() {
      List<Variant> out = new ArrayList<>();
      for (Variant v : variants) {
        if (v != Variant.NO_MLLM || imageFeature != null) {
          out.add(v);
        }
      }
      return out;
    }
  }

  /** Everything an ablation produced: one row per variant, labelled as in the paper. */
  public record Result(List<SeedTable.Row> rows, List<Long> seeds, Path dir, String markdown) {}

  /** Notified when a variant's seed starts, so the caller can show progress. */
  public interface Progress {
    Experiment.Listeners start(Variant v, long seed, int index, int total);
  }

  private Ablation() {}

  /**
   * Runs the plan. {@code loader} turns a config into its dataset (called once for the shared features, once
   * more for w/o MLLM's).
   */
  public static Result run(Config base, Function<Config, Dataset> loader, Plan plan, Path dir, Progress progress) {
    try (RunLock lock = RunLock.acquire(dir)) { // one process per ablation folder
      return runLocked(base, loader, plan, dir, progress);
    }
  }

  private static Result runLocked(Config base, Function<Config, Dataset> loader, Plan plan, Path dir, Progress progress) {
    List<Variant> variants = plan.effective();
    Dataset shared = loader.apply(base);
    Dataset plain = null;
    List<SeedTable.Row> rows = new ArrayList<>();
    int total = variants.size() * plan.seeds().size();
    int index = 0;
    String md = markdown(rows, plan.seeds(), base);
    for (Variant v : variants) {
      Config cfg = configFor(base, v, plan.imageFeature());
      Dataset ds = shared;
      if (v == Variant.NO_MLLM) {
        if (plain == null) {
          plain = loader.apply(cfg);
        }
        ds = plain;
      }
      List<SeedTable.Pick> picks = new ArrayList<>();
      for (long seed : plan.seeds()) {
        Path sub = dir.resolve(v.slug).resolve("seed-" + seed);
        picks.add(SeedTable.runSeed(v.label, MODEL, cfg, seed, ds, sub, progress.start(v, seed, index++, total)));
      }
      rows.add(new SeedTable.Row(v.label, cfg.gridKeys(), cfg.getString("select_by"), picks));
      md = markdown(rows, plan.seeds(), base);
      SeedTable.write(dir, "ablation", md, SeedTable.json("ablation", shared.name(), plan.seeds(), rows, variants.size()));
    }
    return new Result(rows, plan.seeds(), dir, md);
  }

  /** The base config with a variant's switches (and, for w/o MLLM, the plain image feature file). */
  public static Config configFor(Config base, Variant v, Path imageFeature) {
    Map<String, Object> set = new LinkedHashMap<>(v.switches);
    if (v == Variant.NO_MLLM) {
      if (imageFeature == null) {
        throw new BadInputException("w/o MLLM needs a plain image feature file (--image-feature FILE)");
      }
      Map<String, Object> files = base.getMap("feature_files");
      if (files.isEmpty()) {
        set.put("vision_feature_file", imageFeature.toString());
      } else {
        String key = files.containsKey("image") ? "image" : files.keySet().iterator().next();
        Map<String, Object> replaced = new LinkedHashMap<>(files);
        replaced.put(key, imageFeature.toString());
        set.put("feature_files", replaced);
      }
    }
    return set.isEmpty() ? base : base.with(set, "ablation " + v.slug);
  }

  static String markdown(List<SeedTable.Row> rows, List<Long> seeds, Config base) {
    StringBuilder sb = new StringBuilder();
    sb.append("# USERec ablation (test metrics at the best-validation epoch; ")
        .append(SeedTable.over(seeds))
        .append(")\n\n");
    List<String> grid = base.gridKeys();
    sb.append("Grid per variant and seed: ")
        .append(grid.isEmpty() ? "none (fixed values)" : grid.toString())
        .append(", chosen by ")
        .append(base.getString("select_by"))
        .append(".\n\n")
        .append(SeedTable.markdown("variant", rows))
        .append("\nChosen grid point per seed:\n\n")
        .append(SeedTable.picksMarkdown("variant", rows, seeds));
    return sb.toString();
  }
}
