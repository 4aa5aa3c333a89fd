package org.userec.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.userec.BadInputException;

/**
 * Merged configs for several models on one dataset (userec compare): each model gets its own {@link
 * ConfigLoader} layers (overall < dataset < model < model/dataset < --config < --set), and the user's layers
 * are shared out by key.
 *
 * <ul>
 *   <li>{@code key=value}, and each key of a --config file, applies to every model whose config defines the key
 *       and is left out for the others, with a note ({@code --set n_layers=2} reaches LightGCN, not FREEDOM);
 *   <li>{@code MODEL:key=value} applies to that model only ({@code --set LightGCN:reg_weight=1e-4}), and
 *       {@code MODEL@variant:key=value} to that variant only ({@link ModelVariant}: one model may stand in a
 *       table several times under named settings, e.g. {@code USERec} and {@code USERec@paper});
 *   <li>a key that no model defines, or that a scoped model does not define, is an error, as in a
 *       single-model run: a typo never becomes a silent default.
 * </ul>
 */
public final class ModelConfigs {
  /** One config per entry's label (in the given order) and the notes on keys that only some models take. */
  public record Built(Map<String, Config> configs, List<String> notes) {}

  private ModelConfigs() {}

  /**
   * Builds the configs. {@code entries} name canonical models with a packaged yaml each; {@code datasetFolder}
   * may be null (no folder yaml). A variant without a packaged yaml must get values of its own from --set.
   */
  public static Built build(
      List<ModelVariant> entries, List<String> knownModels, String datasetName, Path datasetFolder, List<Path> files, List<String> overrides) {
    List<String> labels = new ArrayList<>();
    Map<String, Set<String>> keys = new LinkedHashMap<>();
    Map<String, ConfigLoader> loaders = new LinkedHashMap<>();
    Set<String> packagedVariant = new LinkedHashSet<>();
    for (ModelVariant e : entries) {
      String label = e.label();
      if (loaders.containsKey(label)) {
        throw new BadInputException("'" + label + "' is listed twice; name each model or variant once");
      }
      labels.add(label);
      ConfigLoader l = new ConfigLoader(); // layer order: the dataset's yamls, then the model's, then the variant's
      if (datasetName != null) {
        l.dataset(datasetName, datasetFolder);
      }
      l.model(e.model(), knownModels);
      if (l.variant(e)) {
        packagedVariant.add(label);
      }
      loaders.put(label, l);
      keys.put(label, ConfigLoader.definedKeys(e.model()));
    }
    List<String> notes = new ArrayList<>();
    for (Path f : files) {
      Map<String, Map<String, Object>> perModel = new LinkedHashMap<>();
      labels.forEach(m -> perModel.put(m, new LinkedHashMap<>()));
      Yaml.parseFile(f).forEach((k, v) -> {
        for (String m : takers(f.toString(), k, k + ": " + Yaml.render(v), labels, keys, notes)) {
          perModel.get(m).put(k, v);
        }
      });
      perModel.forEach((m, values) -> loaders.get(m).values(f.toString(), values));
    }
    Map<String, List<String>> assignments = new LinkedHashMap<>();
    labels.forEach(m -> assignments.put(m, new ArrayList<>()));
    Set<String> scoped = new LinkedHashSet<>();
    for (String a : overrides) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new BadInputException("--set '" + a + "': expected key=value or MODEL:key=value, e.g. --set learning_rate=0.0005");
      }
      String lhs = a.substring(0, eq).trim();
      String value = a.substring(eq + 1);
      int colon = lhs.indexOf(':');
      if (colon < 0) {
        for (String m : takers("--set", lhs, a, labels, keys, notes)) {
          assignments.get(m).add(lhs + "=" + value);
        }
        continue;
      }
      String label = scope(lhs.substring(0, colon).trim(), a, labels);
      String key = lhs.substring(colon + 1).trim();
      if (!keys.get(label).contains(key)) {
        String model = ModelVariant.parse(label).model();
        throw new BadInputException(
            "--set " + a + ": " + model + " has no config key '" + key + "'" + ConfigLoader.suggestion(key, keys.get(label))
                + "; see configs/overall.yaml and configs/model/" + model + ".yaml");
      }
      assignments.get(label).add(key + "=" + value);
      scoped.add(label);
    }
    for (ModelVariant e : entries) {
      if (e.variant() != null && !packagedVariant.contains(e.label()) && !scoped.contains(e.label())) {
        throw new BadInputException(
            "'" + e.label() + "': there is no " + e.resource() + " and no --set " + e.label() + ":key=value; a variant needs settings "
                + "of its own (it would equal " + e.model() + ")");
      }
    }
    Map<String, Config> configs = new LinkedHashMap<>();
    for (String m : labels) {
      configs.put(m, loaders.get(m).overrides(assignments.get(m)).build());
    }
    return new Built(configs, notes);
  }

  /** The models that define {@code key}; none is an error naming the source, some is a note. */
  private static List<String> takers(
      String source, String key, String shown, List<String> models, Map<String, Set<String>> keys, List<String> notes) {
    List<String> yes = new ArrayList<>();
    List<String> no = new ArrayList<>();
    Set<String> all = new LinkedHashSet<>();
    for (String m : models) {
      (keys.get(m).contains(key) ? yes : no).add(m);
      all.addAll(keys.get(m));
    }
    if (yes.isEmpty()) {
      throw new BadInputException(
          source + ": no compared model (" + String.join(", ", models) + ") has the config key '" + key + "'"
              + ConfigLoader.suggestion(key, all) + "; remove it or use a key from configs/overall.yaml or a model's yaml");
    }
    if (!no.isEmpty()) {
      notes.add((source.equals("--set") ? "--set " : source + ": ") + shown + " applies to " + String.join(", ", yes) + " only ("
          + String.join(", ", no) + (no.size() == 1 ? " has" : " have") + " no key '" + key + "')");
    }
    return yes;
  }

  /** The compared model or variant a "MODEL:" or "MODEL@variant:" prefix names (case-insensitive). */
  private static String scope(String name, String assignment, List<String> models) {
    for (String m : models) {
      if (m.equalsIgnoreCase(name)) {
        return m;
      }
    }
    throw new BadInputException(
        "--set " + assignment + ": '" + name + "' is not one of the compared models (" + String.join(", ", models)
            + "); use MODEL:key=value (or MODEL@variant:key=value) with one of them, or key=value for all");
  }
}
