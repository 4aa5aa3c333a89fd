package org.userec.train;

import java.util.Locale;
import java.util.Map;
import org.userec.eval.Metrics;

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

  public static String markdownHeader(Metrics m) {
    if (m == null) {
      return "| run |\n|---|\n";
    }
    StringBuilder h = new StringBuilder("| run |");
    StringBuilder s = new StringBuilder("|---|");
    for (String k : m.values().keySet()) {
      h.append(' ').append(k).append(" |");
      s.append("---|");
    }
    return h.append('\n').append(s).append('\n').toString();
  }

  public static String markdownRow(String label, Metrics m) {
    StringBuilder sb = new StringBuilder("| ").append(label).append(" |");
    if (m != null) {
      for (double v : m.values().values()) {
        sb.append(String.format(Locale.ROOT, " %.4f |", v));
      }
    }
    return sb.append('\n').toString();
  }
}
