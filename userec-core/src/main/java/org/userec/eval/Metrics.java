package org.userec.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Averaged full-ranking metrics for one split, keyed "recall@20", "ndcg@10", "precision@5", "map@50" (MMRec's
 * names), in a stable order: metric kinds recall, ndcg, precision, map, each over the configured K values.
 */
public record Metrics(Map<String, Double> values, int evaluatedUsers) {
  public Metrics {
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public double get(String key) {
    Double v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("no metric '" + key + "'; have " + values.keySet());
    }
    return v;
  }
}
