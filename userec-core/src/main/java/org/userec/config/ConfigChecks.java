package org.userec.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.userec.BadInputException;

/**
 * The value rules of the config keys, declared once as a table (key, what it must be, the check), and applied
 * to a merged config and to every point of its grid before anything trains or any run folder is made. A rule
 * applies when the config defines its key (the model's yaml brings the model's keys), so a new model's keys
 * with the shared names (embedding_size, n_layers, reg_weight, knn_k, ...) are checked without a line here.
 *
 * <p>Models keep their own constructor checks for rules between keys (e.g. FREEDOM's feat_embed_dim =
 * embedding_size); this table holds what one key must satisfy on its own, plus the few rules that need the
 * dataset's size ({@code knn_k}) or the evaluator's metric names ({@code valid_metric}).
 */
public final class ConfigChecks {
  /** What the checks may know about the data: its item count (0 = unknown, rules needing it are skipped). */
  public record DataFacts(int items) {
    public static final DataFacts UNKNOWN = new DataFacts(0);
  }

  /** One rule: the key, a phrase saying what the value must be, and the test of a config holding the key. */
  record Rule(String key, String must, Test test) {}

  @FunctionalInterface
  interface Test {
    /** True when the key's value in {@code c} is acceptable; may throw the typed getter's error. */
    boolean ok(Config c, DataFacts data);
  }

  /** The metric kinds the evaluator computes at every K of {@code topk} (keys "recall@20", ...). */
  public static final List<String> METRIC_KINDS = List.of("recall", "ndcg", "precision", "map");

  static final List<Rule> RULES = List.of(
      intAtLeast("epochs", 1),
      intAtLeast("train_batch_size", 1),
      intAtLeast("eval_batch_size", 1),
      intAtLeast("eval_step", 1),
      intAtLeast("stopping_step", 0),
      intAtLeast("threads", 0),
      intAtLeast("training_neg_sample_num", 1),
      positive("learning_rate"),
      atLeast("weight_decay", 0),
      new Rule("learning_rate_scheduler", "[factor > 0, step != 0], e.g. [0.96, 50]", (c, d) -> {
        double[] s = c.getDoubleList("learning_rate_scheduler");
        return s.length == 2 && s[0] > 0 && Double.isFinite(s[0]) && s[1] != 0 && Double.isFinite(s[1]);
      }),
      new Rule("topk", "a non-empty list of integers >= 1, e.g. [10, 20]", (c, d) -> {
        int[] k = c.getIntList("topk");
        return k.length > 0 && java.util.Arrays.stream(k).allMatch(x -> x >= 1);
      }),
      new Rule("valid_metric", "one of the computed metrics: " + METRIC_KINDS + " at a K of topk, e.g. Recall@20",
          (c, d) -> computedMetrics(c).contains(c.getString("valid_metric").toLowerCase(Locale.ROOT))),
      new Rule("select_by", "'valid' or 'test'", (c, d) -> Set.of("valid", "test").contains(c.getString("select_by").toLowerCase(Locale.ROOT))),
      intAtLeast("embedding_size", 1),
      intAtLeast("feat_embed_dim", 1),
      intAtLeast("n_layers", 0),
      intAtLeast("n_ui_layers", 0),
      intAtLeast("n_mm_layers", 0),
      intAtLeast("n_ii_layers", 0),
      atLeast("reg_weight", 0),
      atLeast("cl_weight", 0),
      positive("cl_temperature"),
      new Rule("knn_k", "an integer in [1, items - 1]", (c, d) -> {
        int k = c.getInt("knn_k");
        return k >= 1 && (d.items() <= 1 || k <= d.items() - 1);
      }),
      intAtLeast("knn_rank", 1),
      intAtLeast("knn_candidates", 1),
      intAtLeast("ii_topk", 0),
      intAtLeast("ii_min_common", 1),
      intAtLeast("att_samples", 1),
      fraction("mm_image_weight", true),
      fraction("att_alpha", true),
      fraction("lambda_coeff", true),
      fraction("dropout", false),
      fraction("cl_dropout", false),
      new Rule("prune_keep", "a number in (0, 1]", (c, d) -> {
        double v = c.getDouble("prune_keep");
        return v > 0 && v <= 1;
      }),
      finite("pe_scale"),
      positive("feature_scale"));

  private ConfigChecks() {}

  /**
   * Checks {@code base} and every point of its grid; the first broken rule is a one-line error naming the key,
   * the layer that set it, the value and the rule.
   */
  public static void check(Config base, DataFacts data) {
    base.gridKeys(); // hyper_parameters names real keys
    for (Config point : base.expandGrid()) {
      checkPoint(point, data);
    }
  }

  /** Checks one grid point (every key a scalar, except list-valued keys such as topk). */
  public static void checkPoint(Config c, DataFacts data) {
    for (Rule r : RULES) {
      if (!c.has(r.key())) {
        continue;
      }
      boolean ok;
      try {
        ok = r.test().ok(c, data);
      } catch (BadInputException e) {
        throw e; // a type error from the getter: already names the key, layer and fix
      }
      if (!ok) {
        throw new BadInputException(c.source(r.key()) + ": key '" + r.key() + "' must be " + r.must() + ruleDetail(r.key(), data)
            + ", got " + Yaml.render(c.raw(r.key())) + "; fix it there or pass --set " + r.key() + "=VALUE");
      }
    }
  }

  private static String ruleDetail(String key, DataFacts data) {
    return key.equals("knn_k") && data.items() > 0 ? " (the dataset has " + data.items() + " items)" : "";
  }

  /** The metric keys the evaluator will report for this config: every kind at every K of topk. */
  public static Set<String> computedMetrics(Config c) {
    Set<String> out = new LinkedHashSet<>();
    for (String kind : METRIC_KINDS) {
      for (int k : c.getIntList("topk")) {
        out.add(kind + "@" + k);
      }
    }
    return out;
  }

  /** key and rule, one per line ("embedding_size: an integer >= 1"), for 'userec keys'. */
  public static String describe(String key) {
    for (Rule r : RULES) {
      if (r.key().equals(key)) {
        return r.must();
      }
    }
    return null;
  }

  /** The keys that have a rule. */
  public static List<String> keys() {
    List<String> out = new ArrayList<>();
    RULES.forEach(r -> out.add(r.key()));
    return out;
  }

  private static Rule intAtLeast(String key, int min) {
    return new Rule(key, "an integer >= " + min, (c, d) -> c.getInt(key) >= min);
  }

  private static Rule atLeast(String key, double min) {
    return new Rule(key, "a number >= " + fmt(min), (c, d) -> {
      double v = c.getDouble(key);
      return v >= min && Double.isFinite(v);
    });
  }

  private static Rule positive(String key) {
    return new Rule(key, "a number > 0", (c, d) -> {
      double v = c.getDouble(key);
      return v > 0 && Double.isFinite(v);
    });
  }

  private static Rule finite(String key) {
    return new Rule(key, "a finite number", (c, d) -> Double.isFinite(c.getDouble(key)));
  }

  private static Rule fraction(String key, boolean closed) {
    return new Rule(key, closed ? "a number in [0, 1]" : "a number in [0, 1)", (c, d) -> {
      double v = c.getDouble(key);
      return v >= 0 && (closed ? v <= 1 : v < 1);
    });
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
