package org.userec.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config keys as the packaged yaml files document them: each top-level key with its default (as written)
 * and its comment (continuation comment lines joined), plus the value rule {@link ConfigChecks} enforces.
 * This is what {@code userec keys} prints, so the list can never drift from the files that define the keys.
 */
public final class KeyDocs {
  /** One key: where it is defined, its default as written, its documentation and its rule (or null). */
  public record Key(String name, String file, String defaultValue, String doc, String rule) {}

  private static final Pattern KEY_LINE = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*):\\s*(.*?)\\s*$");

  private KeyDocs() {}

  /** The keys of overall.yaml, then those of configs/model/{@code model}.yaml (null: overall only). */
  public static List<Key> of(String model) {
    List<Key> out = new ArrayList<>(read("configs/overall.yaml"));
    if (model != null) {
      String file = "configs/model/" + model + ".yaml";
      for (Key k : read(file)) {
        out.removeIf(o -> o.name().equals(k.name())); // the model's yaml sets its own default
        out.add(k);
      }
    }
    return out;
  }

  static List<Key> read(String resource) {
    String text;
    try (InputStream in = KeyDocs.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return List.of();
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read resource " + resource, e);
    }
    List<Key> out = new ArrayList<>();
    String name = null;
    String value = null;
    StringBuilder doc = new StringBuilder();
    for (String line : text.split("\n")) {
      Matcher m = KEY_LINE.matcher(line);
      if (m.matches()) {
        if (name != null) {
          out.add(new Key(name, resource, value, doc.toString().strip(), ConfigChecks.describe(name)));
        }
        name = m.group(1);
        String[] vc = splitComment(m.group(2));
        value = vc[0];
        doc = new StringBuilder(vc[1]);
      } else if (name != null && line.startsWith(" ") && line.strip().startsWith("#")) {
        doc.append(' ').append(line.strip().substring(1).strip());
      } else if (name != null && !line.isBlank()) {
        out.add(new Key(name, resource, value, doc.toString().strip(), ConfigChecks.describe(name)));
        name = null;
      }
    }
    if (name != null) {
      out.add(new Key(name, resource, value, doc.toString().strip(), ConfigChecks.describe(name)));
    }
    return out;
  }

  /** {value, comment} of "value   # comment" (a '#' inside quotes is part of the value). */
  static String[] splitComment(String s) {
    boolean quoted = false;
    char q = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        quoted = c != q;
      } else if (c == '"' || c == '\'') {
        quoted = true;
        q = c;
      } else if (c == '#' && (i == 0 || s.charAt(i - 1) == ' ')) {
        return new String[] {s.substring(0, i).strip(), s.substring(i + 1).strip()};
      }
    }
    return new String[] {s.strip(), ""};
  }
}
