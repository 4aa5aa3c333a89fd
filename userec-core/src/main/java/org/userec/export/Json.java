package org.userec.export;

import java.util.List;
import java.util.Map;

/**
 * A small JSON writer for manifests (maps, lists, strings, numbers, booleans, null). The manifest is read back
 * with the YAML parser (JSON is YAML's flow style), so doubles are written with an explicit exponent sign.
 */
public final class Json {
  private Json() {}

  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, "");
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object v, String indent) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      string(sb, s);
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
      sb.append(v);
    } else if (v instanceof Number n) {
      sb.append(number(n.doubleValue()));
    } else if (v instanceof double[] a) {
      sb.append('[');
      for (int i = 0; i < a.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(number(a[i]));
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      String in = indent + "  ";
      sb.append("{\n");
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(first ? "" : ",\n").append(in);
        first = false;
        string(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), in);
      }
      sb.append('\n').append(indent).append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      boolean first = true;
      for (Object o : l) {
        sb.append(first ? "" : ", ");
        first = false;
        write(sb, o, indent);
      }
      sb.append(']');
    } else {
      string(sb, v.toString());
    }
  }

  /** A finite double as JSON that round-trips (Double.toString, the exponent signed); NaN and ±∞ as null. */
  public static String number(double d) {
    if (!Double.isFinite(d)) {
      return "null";
    }
    String s = Double.toString(d);
    int e = s.indexOf('E');
    if (e >= 0 && s.charAt(e + 1) != '-') {
      s = s.substring(0, e + 1) + "+" + s.substring(e + 1);
    }
    return s;
  }

  public static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
