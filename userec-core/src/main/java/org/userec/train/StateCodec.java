package org.userec.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.userec.eval.Metrics;

/** Text encodings of metrics, epoch records and trainer state for checkpoint metadata. */
final class StateCodec {
  private StateCodec() {}

  static String metrics(Metrics m) {
    if (m == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("users=").append(m.evaluatedUsers());
    m.values().forEach((k, v) -> sb.append(';').append(k).append('=').append(Double.toString(v)));
    return sb.toString();
  }

  static Metrics metrics(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    Map<String, Double> values = new LinkedHashMap<>();
    int users = 0;
    for (String part : s.split(";")) {
      int eq = part.indexOf('=');
      String k = part.substring(0, eq);
      String v = part.substring(eq + 1);
      if (k.equals("users")) {
        users = Integer.parseInt(v);
      } else {
        values.put(k, Double.parseDouble(v));
      }
    }
    return new Metrics(values, users);
  }

  static String record(EpochRecord r) {
    return r.epoch() + "|" + r.loss() + "|" + r.learningRate() + "|" + r.trainSeconds() + "|" + r.evalSeconds() + "|"
        + metrics(r.valid()) + "|" + metrics(r.test()) + "|" + r.improved();
  }

  static EpochRecord record(String s) {
    String[] f = s.split("\\|", -1);
    return new EpochRecord(
        Integer.parseInt(f[0]),
        Double.parseDouble(f[1]),
        Double.parseDouble(f[2]),
        Double.parseDouble(f[3]),
        Double.parseDouble(f[4]),
        metrics(f[5]),
        metrics(f[6]),
        Boolean.parseBoolean(f[7]));
  }

  static void put(TrainerState st, Map<String, String> meta) {
    meta.put("state.nextEpoch", Integer.toString(st.nextEpoch));
    meta.put("state.bestScore", Double.toString(st.bestScore));
    meta.put("state.bestEpoch", Integer.toString(st.bestEpoch));
    meta.put("state.stale", Integer.toString(st.staleEvaluations));
    meta.put("state.stopped", Boolean.toString(st.stopped));
    meta.put("state.seconds", Double.toString(st.secondsSoFar));
    meta.put("state.bestValid", metrics(st.bestValid));
    meta.put("state.testAtBest", metrics(st.testAtBest));
    StringBuilder h = new StringBuilder();
    for (EpochRecord r : st.history) {
      h.append(record(r)).append('\n');
    }
    meta.put("state.history", h.toString());
  }

  static TrainerState get(Map<String, String> meta) {
    TrainerState st = new TrainerState();
    st.nextEpoch = Integer.parseInt(meta.get("state.nextEpoch"));
    st.bestScore = Double.parseDouble(meta.get("state.bestScore"));
    st.bestEpoch = Integer.parseInt(meta.get("state.bestEpoch"));
    st.staleEvaluations = Integer.parseInt(meta.get("state.stale"));
    st.stopped = Boolean.parseBoolean(meta.get("state.stopped")); // absent in older checkpoints: false
    st.secondsSoFar = Double.parseDouble(meta.get("state.seconds"));
    st.bestValid = metrics(meta.get("state.bestValid"));
    st.testAtBest = metrics(meta.get("state.testAtBest"));
    for (String line : meta.get("state.history").split("\n")) {
      if (!line.isEmpty()) {
        st.history.add(record(line));
      }
    }
    return st;
  }
}
