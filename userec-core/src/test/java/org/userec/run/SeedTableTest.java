package org.userec.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.userec.config.Yaml;
import org.userec.eval.Metrics;

class SeedTableTest {
  private static Metrics all(double x) {
    return new Metrics(Map.of("recall@10", x, "recall@20", x, "ndcg@10", x, "ndcg@20", x), 1);
  }

  private static SeedTable.Row row(String label, double... perSeed) {
    List<SeedTable.Pick> picks = new ArrayList<>();
    for (int s = 0; s < perSeed.length; s++) {
      picks.add(new SeedTable.Pick(s + 1, "reg_weight=0.1", 3, all(perSeed[s] + 0.01), all(perSeed[s]), 0.5 + s, 100.0 * (s + 1), null));
    }
    return new SeedTable.Row(label, List.of("reg_weight"), "valid", picks);
  }

  @Test
  void meanAndSampleStandardDeviation() {
    List<Metrics> ms = List.of(all(0.1), all(0.2), all(0.3));
    double[] m = SeedTable.meanStd(ms).get("ndcg@20");
    assertThat(m[0]).isCloseTo(0.2, within(1e-12));
    assertThat(m[1]).isCloseTo(0.1, within(1e-12));
    assertThat(SeedTable.meanStd(ms.subList(0, 1)).get("recall@10")[1]).isZero();
    assertThat(SeedTable.cell(new double[] {0.08123, 0.0011})).isEqualTo("0.0812 ± 0.0011");
    assertThat(row("x", 0.1, 0.3).meanStd().get("recall@20")).containsExactly(new double[] {0.2, Math.sqrt(0.02)}, within(1e-12));
  }

  @Test
  void markdownBoldsTheBestMeanOfEachColumn() {
    String md = SeedTable.markdown("model", List.of(row("A", 0.1, 0.2), row("B", 0.3, 0.3)));
    assertThat(md)
        .startsWith("| model | Recall@10 | Recall@20 | NDCG@10 | NDCG@20 |\n|---|---|---|---|---|\n")
        .contains("| A | 0.1500 ± 0.0707 | 0.1500 ± 0.0707 |")
        .contains("| B | **0.3000 ± 0.0000** |");
    assertThat(SeedTable.markdown("model", List.of(row("A", 0.1)))).doesNotContain("**");
    // means that differ only beyond the printed digits are both best; one printed digit apart, only the higher
    assertThat(SeedTable.markdown("model", List.of(row("A", 0.047541), row("B", 0.047481), row("C", 0.0470))))
        .contains("| A | **0.0475** |").contains("| B | **0.0475** |").contains("| C | 0.0470 |");
    assertThat(SeedTable.markdown("model", List.of(row("A", 0.04756), row("B", 0.04748))))
        .contains("| A | **0.0476** |").contains("| B | 0.0475 |");
    // one seed: the value alone, no "± 0.0000" that would read as a measured spread
    assertThat(SeedTable.markdown("model", List.of(row("A", 0.1), row("B", 0.3)))).contains("| A | 0.1000 | 0.1000 |").doesNotContain("±");
    assertThat(SeedTable.over(List.of(999L))).isEqualTo("seed 999");
    assertThat(SeedTable.over(List.of(999L, 1L))).isEqualTo("mean ± std over seeds [999, 1]");
    assertThat(SeedTable.picksMarkdown("model", List.of(row("A", 0.1, 0.2)), List.of(1L, 2L)))
        .contains("| model | grid | chosen by | seed 1 | seed 2 |")
        .contains("| A | reg_weight | valid | reg_weight=0.1 (epoch 3, test R@20 0.1000) | reg_weight=0.1 (epoch 3, test R@20 0.2000) |");
  }

  @Test
  void costColumnsShowTheMedianEpochAndTheLargestHeapOverSeeds() {
    SeedTable.Row three = row("A", 0.1, 0.2, 0.3); // epoch seconds 0.5, 1.5, 2.5; heaps 100, 200, 300 MB
    assertThat(three.epochSeconds()).isEqualTo(1.5);
    assertThat(three.peakHeapMb()).isEqualTo(300.0);
    assertThat(row("B", 0.1, 0.2).epochSeconds()).isEqualTo(1.0);
    SeedTable.Pick unrecorded = new SeedTable.Pick(1, "default", 2, all(0.1), all(0.1), Double.NaN, Double.NaN, null);
    SeedTable.Row old = new SeedTable.Row("C", List.of(), "valid", List.of(unrecorded));
    String md = SeedTable.markdown("model", List.of(three, old), true);
    assertThat(md).startsWith("| model | Recall@10 | Recall@20 | NDCG@10 | NDCG@20 | s / epoch | peak heap |\n|---|---|---|---|---|---|---|\n")
        .contains("| 1.50 | 300 MB |").contains("| — | — |");
    assertThat(SeedTable.markdown("model", List.of(three))).doesNotContain("s / epoch");
    Map<String, Object> doc = Yaml.parseMap(SeedTable.json("compare", "tiny", List.of(1L), List.of(three, old), 2), "compare.json");
    Map<?, ?> first = (Map<?, ?>) ((List<?>) doc.get("rows")).get(0);
    assertThat(first.get("median_epoch_seconds")).isEqualTo(1.5);
    assertThat(((Map<?, ?>) ((List<?>) first.get("per_seed")).get(2)).get("peak_heap_mb")).isEqualTo(300.0);
    assertThat(((Map<?, ?>) ((List<?>) doc.get("rows")).get(1)).get("peak_heap_mb")).isNull();
  }

  @Test
  void jsonHoldsEverySeedAndParses() {
    SeedTable.Row r = new SeedTable.Row("a \"quoted\"\\label", List.of(), "test", row("x", 0.1, 0.2).picks());
    String json = SeedTable.json("compare", "tiny", List.of(1L, 2L), List.of(r), 2);
    Map<String, Object> doc = Yaml.parseMap(json, "compare.json");
    assertThat(doc).containsEntry("kind", "compare").containsEntry("dataset", "tiny").containsEntry("complete", false);
    List<?> rows = (List<?>) doc.get("rows");
    Map<?, ?> first = (Map<?, ?>) rows.get(0);
    assertThat(first.get("label")).isEqualTo("a \"quoted\"\\label");
    assertThat(first.get("select_by")).isEqualTo("test");
    assertThat(((Map<?, ?>) first.get("mean")).keySet()).extracting(String::valueOf).contains("recall@10", "ndcg@20");
    List<?> perSeed = (List<?>) first.get("per_seed");
    assertThat(perSeed).hasSize(2);
    Map<?, ?> seed2 = (Map<?, ?>) perSeed.get(1);
    assertThat(seed2.get("seed")).isEqualTo(2);
    assertThat(seed2.get("setting")).isEqualTo("reg_weight=0.1");
    assertThat(((Number) ((Map<?, ?>) seed2.get("test")).get("recall@20")).doubleValue()).isEqualTo(0.2);
    assertThat(Yaml.parseMap(SeedTable.json("compare", "tiny", List.of(1L), List.of(), 1), "empty").get("rows")).isEqualTo(List.of());
  }
}
