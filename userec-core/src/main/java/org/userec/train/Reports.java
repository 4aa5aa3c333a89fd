package org.userec.train;

import java.util.Locale;
import java.util.Map;
import java.util.List;
import org.userec.eval.Metrics;
import org.userec.eval.MetricsFormat;

/** Results as JSON and Markdown. */
public final class Reports {
  private Reports() {}

  public static String json(TrainResult r) {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"best_epoch\": ").append(r.bestEpoch()).append(",\n");
    sb.append("  \"epochs_run\": ").append(r.epochsRun()).append(",\n");
    sb.append("  \"stopped_early\": ").append(r.stoppedEarly()).append(",\n");
    sb.append("  \"seconds\": ").append(String.format(Locale.ROOT, "%.3f", r.seconds())).append(",\n");
    sb.append("  \"valid\": ").append(json(r.bestValid())).append(",\n");
    sb.append("  \"test\": ").append(json(r.testAtBest())).append('\n');
    return sb.append("}\n").toString();
  }

  public static String json(Metrics m) {
    if (m == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Double> e : m.values().entrySet()) {
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append('"').append(e.getKey()).append("\": ").append(Double.toString(e.getValue()));
    }
    return sb.append('}').toString();
  }

  /** A Markdown header over m's metric keys ({@link MetricsFormat}), first column "run". */
  public static String markdownHeader(Metrics m) {
    return MetricsFormat.markdownHeader("run", m == null ? List.of() : List.copyOf(m.values().keySet())) + "\n";
  }

  /** One Markdown row of m's metrics ({@link MetricsFormat}); just the label when m is null. */
  public static String markdownRow(String label, Metrics m) {
    return (m == null ? "| " + label + " |" : MetricsFormat.markdownRow(label, m, List.copyOf(m.values().keySet()))) + "\n";
  }
}
