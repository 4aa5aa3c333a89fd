package org.userec.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.userec.BadInputException;

/**
 * Builds a {@link Config} from MMRec's layers, later wins:
 *
 * <ol>
 *   <li>{@code configs/overall.yaml} (packaged) — defines the shared keys;
 *   <li>{@code configs/dataset/<name>.yaml} (packaged, when we ship one for that dataset);
 *   <li>{@code <dataset folder>/<name>.yaml} (when the folder brings one, e.g. a generated dataset);
 *   <li>{@code configs/model/<MODEL>.yaml} (packaged) — defines the model's keys;
 *   <li>{@code configs/model/<MODEL>/<dataset>.yaml} (packaged, when we ship one): the model's settings for that
 *       dataset (e.g. the paper's best per dataset); it may only set keys the layers above define;
 *   <li>user files given with {@code --config};
 *   <li>{@code --set key=value} pairs.
 * </ol>
 *
 * A key that neither overall.yaml nor the model's yaml defines is an error naming the file (or --set) that
 * used it: a typo never becomes a silent default.
 */
public final class ConfigLoader {
  private final List<Layer> layers = new ArrayList<>();
  private final Set<String> known = new LinkedHashSet<>();
  private String datasetName;
  private String modelName;

  private record Layer(String source, Map<String, Object> values, boolean definesKeys) {}

  public ConfigLoader() {
    Map<String, Object> overall = Yaml.parseResource("configs/overall.yaml");
    if (overall == null) {
      throw new IllegalStateException("configs/overall.yaml missing from the classpath");
    }
    add("configs/overall.yaml", overall, true);
  }

  /**
   * The keys a config for {@code model} may set: those overall.yaml and configs/model/{@code model}.yaml define
   * (empty model yaml: only overall's keys).
   */
  public static Set<String> definedKeys(String model) {
    Set<String> keys = new LinkedHashSet<>(Yaml.parseResource("configs/overall.yaml").keySet());
    Map<String, Object> m = Yaml.parseResource("configs/model/" + model + ".yaml");
    if (m != null) {
      keys.addAll(m.keySet());
    }
    return keys;
  }

  /** The packaged model names (configs/model/*.yaml exist for them). */
  public static boolean hasModelConfig(String model) {
    return Yaml.parseResource("configs/model/" + model + ".yaml") != null;
  }

  private void add(String source, Map<String, Object> values, boolean definesKeys) {
    layers.add(new Layer(source, values, definesKeys));
    if (definesKeys) {
      known.addAll(values.keySet());
    }
  }

  /** Adds the packaged dataset yaml (if any) and the dataset folder's own yaml (if any). */
  public ConfigLoader dataset(String name, Path folder) {
    datasetName = name;
    Map<String, Object> packaged = Yaml.parseResource("configs/dataset/" + name + ".yaml");
    if (packaged != null) {
      add("configs/dataset/" + name + ".yaml", packaged, false);
    }
    if (folder != null) {
      Path own = folder.resolve(name + ".yaml");
      if (Files.isRegularFile(own)) {
        add(own.toString(), Yaml.parseFile(own), false);
      }
    }
    if (modelName != null) {
      addModelForDataset();
    }
    return this;
  }

  /** Adds the packaged model yaml; an unknown model is an error listing the known ones. */
  public ConfigLoader model(String model, List<String> knownModels) {
    Map<String, Object> m = Yaml.parseResource("configs/model/" + model + ".yaml");
    if (m == null) {
      throw new BadInputException(
          "unknown model '" + model + "'; choose one of " + String.join(", ", knownModels) + " (names are case-sensitive)");
    }
    add("configs/model/" + model + ".yaml", m, true);
    modelName = model;
    if (datasetName != null) {
      addModelForDataset();
    }
    return this;
  }

  /**
   * The dataset-specific model layer {@code configs/model/<MODEL>/<dataset>.yaml}, when packaged. It defines no
   * keys: every key it sets must be one overall.yaml or the model's yaml defines (checked by {@link #build()}).
   */
  private void addModelForDataset() {
    String source = "configs/model/" + modelName + "/" + datasetName + ".yaml";
    Map<String, Object> m = Yaml.parseResource(source);
    if (m != null) {
      add(source, m, false);
    }
  }

  /**
   * Adds a variant's packaged yamls after the model's layers, when there are any: {@code
   * configs/model/<MODEL>@<variant>.yaml}, then its per-dataset {@code configs/model/<MODEL>@<variant>/<dataset>.yaml}
   * (call after {@link #dataset}). A plain model adds nothing. Returns whether a yaml was added. Like the dataset
   * layers they define no keys.
   */
  public boolean variant(ModelVariant v) {
    if (v.resource() == null) {
      return false;
    }
    boolean added = false;
    List<String> sources = new ArrayList<>(List.of(v.resource()));
    if (datasetName != null) {
      sources.add("configs/model/" + v.label() + "/" + datasetName + ".yaml");
    }
    for (String source : sources) {
      Map<String, Object> m = Yaml.parseResource(source);
      if (m != null) {
        add(source, m, false);
        added = true;
      }
    }
    return added;
  }

  /** Adds a user's yaml file. */
  public ConfigLoader file(Path file) {
    add(file.toString(), Yaml.parseFile(file), false);
    return this;
  }

  /** Adds key=value overrides (values parsed as YAML scalars or flow lists). */
  public ConfigLoader overrides(List<String> assignments) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String a : assignments) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new BadInputException("--set '" + a + "': expected key=value, e.g. --set learning_rate=0.0005");
      }
      m.put(a.substring(0, eq).trim(), Yaml.parseValue(a.substring(eq + 1).trim()));
    }
    add("--set", m, false);
    return this;
  }

  /** Adds literal values as if set on the command line under a given source name. */
  public ConfigLoader values(String source, Map<String, Object> values) {
    add(source, values, false);
    return this;
  }

  public Config build() {
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    for (Layer l : layers) {
      for (Map.Entry<String, Object> e : l.values.entrySet()) {
        if (!known.contains(e.getKey())) {
          throw new BadInputException(
              l.source + ": unknown config key '" + e.getKey() + "'" + suggestion(e.getKey())
                  + "; remove it or use a key from configs/overall.yaml or the model's yaml");
        }
        values.put(e.getKey(), e.getValue());
        sources.put(e.getKey(), l.source);
      }
    }
    return new Config(values, sources);
  }

  private String suggestion(String key) {
    return suggestion(key, known);
  }

  /** " (did you mean 'reg_weight'?)" when a known key is close to {@code key}, else "". */
  public static String suggestion(String key, Collection<String> known) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String k : known) {
      int d = editDistance(key.toLowerCase(), k.toLowerCase());
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return best != null && bestD <= Math.max(2, key.length() / 4) ? " (did you mean '" + best + "'?)" : "";
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
