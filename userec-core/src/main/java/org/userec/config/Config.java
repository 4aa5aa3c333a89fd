package org.userec.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.userec.BadInputException;

/**
 * A merged, immutable configuration with MMRec's key names. Every value remembers the layer that set it
 * (e.g. {@code configs/model/LightGCN.yaml} or {@code --set}), so a type error names where to fix it.
 *
 * <p>Typed getters convert once and fail with a one-line {@link BadInputException}. Numbers written the
 * way MMRec's yaml writes them ({@code 1e-02}, which YAML 1.1 reads as a string) are accepted as numbers.
 */
public final class Config {
  private final Map<String, Object> values;
  private final Map<String, String> sources;

  Config(Map<String, Object> values, Map<String, String> sources) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
  }

  /** A config of literal values (tests, programmatic use). */
  public static Config of(Map<String, Object> values) {
    Map<String, String> src = new LinkedHashMap<>();
    values.keySet().forEach(k -> src.put(k, "code"));
    return new Config(values, src);
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  public Set<String> keys() {
    return values.keySet();
  }

  public Map<String, Object> asMap() {
    return values;
  }

  /** Where a key was last set (a file name or "--set"). */
  public String source(String key) {
    return sources.getOrDefault(key, "defaults");
  }

  /** A copy with some values replaced (e.g. one grid point). */
  public Config with(Map<String, Object> overrides, String source) {
    Map<String, Object> v = new LinkedHashMap<>(values);
    Map<String, String> s = new LinkedHashMap<>(sources);
    overrides.forEach(
        (k, val) -> {
          v.put(k, val);
          s.put(k, source);
        });
    return new Config(v, s);
  }

  public Config with(String key, Object value) {
    return with(Map.of(key, value), "code");
  }

  public Object raw(String key) {
    if (!values.containsKey(key)) {
      throw new BadInputException(
          "missing config key '" + key + "'; add it to the model's yaml or pass --set " + key + "=VALUE");
    }
    return values.get(key);
  }

  private BadInputException wrongType(String key, String want) {
    Object v = values.get(key);
    String hint = v instanceof String s && (s.strip().startsWith("[") && !s.strip().endsWith("]") || s.strip().startsWith("{") && !s.strip().endsWith("}"))
        ? " (an unclosed list? write [a, b])" : "";
    return new BadInputException(
        source(key) + ": key '" + key + "' must be " + want + ", got '" + v + "'" + hint + "; fix it there or pass --set "
            + key + "=VALUE");
  }

  public String getString(String key) {
    Object v = raw(key);
    if (v == null) {
      throw wrongType(key, "a string");
    }
    if (v instanceof List || v instanceof Map) {
      throw wrongType(key, "a single value");
    }
    return String.valueOf(v);
  }

  public String getString(String key, String fallback) {
    return has(key) ? getString(key) : fallback;
  }

  public double getDouble(String key) {
    Double d = asDouble(raw(key));
    if (d == null) {
      throw wrongType(key, "a number");
    }
    return d;
  }

  public double getDouble(String key, double fallback) {
    return has(key) ? getDouble(key) : fallback;
  }

  public float getFloat(String key) {
    return (float) getDouble(key);
  }

  public int getInt(String key) {
    Object v = raw(key);
    Double d = asDouble(v);
    if (d == null || d != Math.rint(d)) {
      throw wrongType(key, "an integer");
    }
    if (Math.abs(d) > Integer.MAX_VALUE) {
      throw wrongType(key, "an integer between -2147483647 and 2147483647");
    }
    return d.intValue();
  }

  public int getInt(String key, int fallback) {
    return has(key) ? getInt(key) : fallback;
  }

  public long getLong(String key) {
    Object v = raw(key);
    if (v instanceof Number n && !(v instanceof Double) && !(v instanceof Float)) {
      return n.longValue();
    }
    Double d = asDouble(v);
    if (d == null || d != Math.rint(d)) {
      throw wrongType(key, "an integer");
    }
    return d.longValue();
  }

  public boolean getBool(String key) {
    Object v = raw(key);
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      if (s.equalsIgnoreCase("true")) {
        return true;
      }
      if (s.equalsIgnoreCase("false")) {
        return false;
      }
    }
    throw wrongType(key, "true or false");
  }

  public boolean getBool(String key, boolean fallback) {
    return has(key) ? getBool(key) : fallback;
  }

  public List<Object> getList(String key) {
    Object v = raw(key);
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v == null) {
      return new ArrayList<>();
    }
    throw wrongType(key, "a list such as [a, b]");
  }

  public double[] getDoubleList(String key) {
    List<Object> l = getList(key);
    double[] out = new double[l.size()];
    for (int i = 0; i < out.length; i++) {
      Double d = asDouble(l.get(i));
      if (d == null) {
        throw wrongType(key, "a list of numbers");
      }
      out[i] = d;
    }
    return out;
  }

  public int[] getIntList(String key) {
    double[] d = getDoubleList(key);
    int[] out = new int[d.length];
    for (int i = 0; i < d.length; i++) {
      if (d[i] != Math.rint(d[i])) {
        throw wrongType(key, "a list of integers");
      }
      out[i] = (int) d[i];
    }
    return out;
  }

  public List<String> getStringList(String key) {
    List<String> out = new ArrayList<>();
    for (Object o : getList(key)) {
      out.add(String.valueOf(o));
    }
    return out;
  }

  /** A map value (e.g. feature_files: {image: image_feat.npy}); empty when null. */
  public Map<String, Object> getMap(String key) {
    Object v = raw(key);
    if (v == null) {
      return new LinkedHashMap<>();
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, val) -> out.put(String.valueOf(k), val));
      return out;
    }
    throw wrongType(key, "a map such as {name: value}");
  }

  static Double asDouble(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** The grid dimensions: keys named in hyper_parameters whose value is a list, in that order. */
  public List<String> gridKeys() {
    List<String> keys = new ArrayList<>();
    if (!has("hyper_parameters")) {
      return keys;
    }
    for (String k : getStringList("hyper_parameters")) {
      if (!values.containsKey(k)) {
        throw new BadInputException(
            source("hyper_parameters") + ": hyper_parameters names '" + k + "', which is not a config key; remove it or set "
                + k);
      }
      if (values.get(k) instanceof List) {
        keys.add(k);
      }
    }
    return keys;
  }

  /**
   * Expands the grid: one config per combination of the grid keys' values (the last key varies fastest, as
   * MMRec's itertools.product), each with scalar values. A config without grid keys yields itself.
   */
  public List<Config> expandGrid() {
    List<String> keys = gridKeys();
    List<Config> out = new ArrayList<>();
    expand(keys, 0, new LinkedHashMap<>(), out);
    return out;
  }

  private void expand(List<String> keys, int depth, Map<String, Object> chosen, List<Config> out) {
    if (depth == keys.size()) {
      // each grid value keeps the layer that listed it, so an error names the file (or --set) to fix
      Map<String, Object> v = new LinkedHashMap<>(values);
      Map<String, String> s = new LinkedHashMap<>(sources);
      chosen.forEach((k, val) -> {
        v.put(k, val);
        s.put(k, source(k) + " (grid value " + Yaml.render(val) + ")");
      });
      out.add(new Config(v, s));
      return;
    }
    String k = keys.get(depth);
    List<Object> opts = getList(k);
    if (opts.isEmpty()) {
      throw new BadInputException(source(k) + ": key '" + k + "' is an empty list; give at least one value");
    }
    for (Object o : opts) {
      chosen.put(k, o);
      expand(keys, depth + 1, chosen, out);
    }
    chosen.remove(k);
  }

  /** The grid point of this config as "k1=v1, k2=v2" over the given keys. */
  public String describe(List<String> keys) {
    StringBuilder sb = new StringBuilder();
    for (String k : keys) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(k).append('=').append(values.get(k));
    }
    return sb.toString();
  }

  /** The merged config as YAML (for the run folder), keys sorted. */
  public String toYaml() {
    StringBuilder sb = new StringBuilder();
    for (String k : new TreeSet<>(values.keySet())) {
      sb.append(k).append(": ").append(Yaml.render(values.get(k))).append("   # ").append(source(k)).append('\n');
    }
    return sb.toString();
  }
}
