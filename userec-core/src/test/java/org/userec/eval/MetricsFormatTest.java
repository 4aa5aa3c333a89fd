package org.userec.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsFormatTest {
  private static Metrics sample() {
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("recall@10", 0.047915);
    v.put("recall@20", 0.07535);
    v.put("ndcg@10", 0.02566);
    v.put("ndcg@20", 0.0328);
    return new Metrics(v, 100);
  }

  @Test
  void mmrecLineWithFourDecimalsWhateverTheLocale() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertThat(MetricsFormat.line(sample()))
          .isEqualTo("recall@10: 0.0479    recall@20: 0.0754    ndcg@10: 0.0257    ndcg@20: 0.0328");
      assertThat(MetricsFormat.lines(sample()))
          .isEqualTo("recall@10: 0.0479    recall@20: 0.0754\nndcg@10: 0.0257    ndcg@20: 0.0328");
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void markdownHeaderAndRow() {
    List<String> keys = List.of("recall@20", "ndcg@10");
    assertThat(MetricsFormat.markdownHeader("dataset", keys))
        .isEqualTo("| dataset | recall@20 | ndcg@10 |\n|---|---|---|");
    assertThat(MetricsFormat.markdownRow("Baby", sample(), keys)).isEqualTo("| Baby | 0.0754 | 0.0257 |");
    assertThatThrownBy(() -> MetricsFormat.markdownRow("Baby", sample(), List.of("map@5")))
        .hasMessageContaining("map@5");
  }
}
