package org.userec.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Text forms of {@link Metrics}: MMRec's log line ({@code utils/utils.py: dict2str}, "key: value" pairs with
 * 4 decimals joined by four spaces) and Markdown table rows. Always '.' as the decimal separator, whatever the
 * locale. Stored values keep full precision; only the text is rounded.
 */
public final class MetricsFormat {
  private static final String SEP = "    ";

  private MetricsFormat() {}

  /** All metrics on one line: {@code recall@5: 0.0123    recall@10: 0.0479    ...}. */
  public static String line(Metrics metrics) {
    StringJoiner j = new StringJoiner(SEP);
    for (Map.Entry<String, Double> e : metrics.values().entrySet()) {
      j.add(e.getKey() + ": " + fixed4(e.getValue()));
    }
    return j.toString();
  }

  /** One line per metric kind (recall, ndcg, precision, map), each as in {@link #line}. */
  public static String lines(Metrics metrics) {
    StringBuilder sb = new StringBuilder();
    String kind = null;
    for (Map.Entry<String, Double> e : metrics.values().entrySet()) {
      String k = kindOf(e.getKey());
      if (kind != null) {
        sb.append(k.equals(kind) ? SEP : "\n");
      }
      kind = k;
      sb.append(e.getKey()).append(": ").append(fixed4(e.getValue()));
    }
    return sb.toString();
  }

  /** The header and separator lines of a Markdown table: {@code | label | recall@10 | ... |}. */
  public static String markdownHeader(String label, List<String> keys) {
    List<String> cells = new ArrayList<>();
    cells.add(label);
    cells.addAll(keys);
    StringJoiner sep = new StringJoiner("|", "|", "|");
    for (int i = 0; i < cells.size(); i++) {
      sep.add("---");
    }
    return row(cells) + "\n" + sep;
  }

  /**
   * One Markdown row, {@code | Baby | 0.0479 | 0.0754 |}, with the given metrics in the given order.
   *
   * @throws IllegalArgumentException naming the key when a metric is missing
   */
  public static String markdownRow(String label, Metrics metrics, List<String> keys) {
    List<String> cells = new ArrayList<>();
    cells.add(label);
    for (String key : keys) {
      cells.add(fixed4(metrics.get(key)));
    }
    return row(cells);
  }

  /** A value with 4 decimals and '.' as separator. */
  public static String fixed4(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String row(List<String> cells) {
    StringJoiner j = new StringJoiner(" | ", "| ", " |");
    cells.forEach(j::add);
    return j.toString();
  }

  private static String kindOf(String key) {
    int at = key.indexOf('@');
    return at < 0 ? key : key.substring(0, at);
  }
}
