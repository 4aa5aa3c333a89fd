package org.userec.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.userec.BadInputException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/** Reads YAML mappings with one-line errors; renders values in flow style. */
public final class Yaml {
  private Yaml() {}

  /** Parses a top-level mapping; an empty document is an empty map. */
  public static Map<String, Object> parseMap(String text, String source) {
    Object doc;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false); // a key written twice is an error naming the line, not a logged warning
      doc = new org.yaml.snakeyaml.Yaml(options).load(text);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new BadInputException(
          source + ":" + line + ": not valid YAML (" + oneLine(e.getProblem()) + "); fix the syntax there");
    } catch (YAMLException e) {
      throw new BadInputException(source + ": not valid YAML (" + oneLine(e.getMessage()) + "); fix the syntax");
    }
    if (doc == null) {
      return new LinkedHashMap<>();
    }
    if (!(doc instanceof Map<?, ?> m)) {
      String got = doc instanceof List ? "a list (lines starting with '- ')" : "a single value '" + doc + "'";
      throw new BadInputException(source + ": expected a mapping of key: value lines, got " + got + "; write one 'key: value' per line, e.g. epochs: 50");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  public static Map<String, Object> parseFile(Path file) {
    try {
      return parseMap(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such config file; check the path");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** Parses a classpath resource, or returns null when it does not exist. */
  public static Map<String, Object> parseResource(String resource) {
    try (InputStream in = Yaml.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      return parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read resource " + resource, e);
    }
  }

  /** Parses one command-line value the way YAML reads a scalar or flow collection ("2", "[1, 2]", "true"). */
  public static Object parseValue(String text) {
    if (text.isEmpty()) {
      return "";
    }
    try {
      return new org.yaml.snakeyaml.Yaml(new LoaderOptions()).load(text);
    } catch (YAMLException e) {
      return text;
    }
  }

  /** One value in YAML flow style. */
  public static String render(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      DumperOptions o = new DumperOptions();
      o.setDefaultFlowStyle(DumperOptions.FlowStyle.FLOW);
      o.setWidth(Integer.MAX_VALUE);
      return new org.yaml.snakeyaml.Yaml(o).dump(s).strip();
    }
    if (value instanceof List<?> || value instanceof Map<?, ?>) {
      DumperOptions o = new DumperOptions();
      o.setDefaultFlowStyle(DumperOptions.FlowStyle.FLOW);
      o.setWidth(Integer.MAX_VALUE);
      return new org.yaml.snakeyaml.Yaml(o).dump(value).strip();
    }
    return String.valueOf(value);
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }
}
