package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.graph.CsrMatrix;
import org.userec.run.Experiment;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.train.EpochRecord;
import org.userec.train.TrainResult;

/** IDFREE: training, determinism, its switches, its graph steps. The parity test checks the maths. */
class IdfreeTest {
  private static Dataset tiny;

  @BeforeAll
  static void data() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
  }

  static Config config(Map<String, Object> extra) {
    Map<String, Object> v = new LinkedHashMap<>(extra);
    v.putIfAbsent("hyper_parameters", List.of());
    v.putIfAbsent("gcn_layers", 2);
    v.putIfAbsent("knn_k", 5);
    v.putIfAbsent("train_batch_size", 128);
    v.putIfAbsent("learning_rate", 0.01);
    return new ConfigLoader().model("IDFREE", ModelRegistry.names()).values("test", v).build();
  }

  private static Recommender create(Config c, Dataset d) {
    return ModelRegistry.create("IDFREE", new ModelContext(c, d, new SplittableRandom(1)));
  }

  private static List<Double> trace(TrainResult r) {
    List<Double> out = new ArrayList<>();
    for (EpochRecord e : r.history()) {
      out.add(e.loss());
      out.add(e.valid().get("recall@20"));
      out.add(e.test().get("ndcg@20"));
    }
    return out;
  }

  @Test
  void trainsDeterministically(@TempDir Path dir) {
    Config cfg = config(Map.of("epochs", 3));
    TrainResult a = Experiment.trainOne("IDFREE", cfg, tiny, dir.resolve("a"), List.of());
    TrainResult b = Experiment.trainOne("IDFREE", cfg, tiny, dir.resolve("b"), List.of());
    assertThat(a.epochsRun()).isEqualTo(3);
    List<EpochRecord> h = a.history();
    assertThat(h.get(2).loss()).isLessThan(h.get(0).loss());
    for (double x : trace(a)) {
      assertThat(x).isFinite();
    }
    assertThat(a.testAtBest().get("recall@20")).isGreaterThan(0.0);
    assertThat(trace(b)).isEqualTo(trace(a));
  }

  @Test
  void theEdgePredictorGetsNoGradientAndTheEncodersDo() {
    Recommender m = create(config(Map.of()), tiny);
    Tape t = Tape.recording();
    Batch b = new Batch(new int[] {3, 17, 4}, new int[] {5, 40, 7}, new int[] {60, 2, 9});
    t.backward(m.loss(b, t, new SplittableRandom(1)));
    for (Param p : m.params()) {
      double max = 0;
      float[] g = p.grad();
      for (int k = 0; g != null && k < g.length; k++) {
        max = Math.max(max, Math.abs(g[k]));
      }
      if (p.name.startsWith("asg_")) {
        assertThat(max).as(p.name).isZero();
      } else {
        assertThat(max).as(p.name).isPositive();
      }
    }
  }

  @Test
  void everySwitchBuildsAndGivesAFiniteLoss() {
    Batch b = new Batch(new int[] {3, 17}, new int[] {5, 40}, new int[] {60, 2});
    List<Map<String, Object>> variants =
        List.of(
            Map.of("use_id", true),
            Map.of("asg", false),
            Map.of("auige", false),
            Map.of("pe", false),
            Map.of("use_text", false),
            Map.of("use_image", false),
            Map.of("dropout", 0.0, "gcn_layers", 0));
    for (Map<String, Object> v : variants) {
      Recommender m = create(config(v), tiny);
      Tape t = Tape.recording();
      double loss = m.loss(b, t, new SplittableRandom(1)).item();
      assertThat(loss).as(v.toString()).isFinite();
      float[] scores = new float[tiny.numItems()];
      m.scorer().score(new int[] {3}, scores);
      assertThat(scores[5]).as(v.toString()).isFinite();
    }
    assertThat(create(config(Map.of("use_id", true)), tiny).params())
        .extracting(p -> p.name)
        .contains("user_id_emb", "item_id_emb", "feat_image", "mlp_text_ln_w", "asg_item_fc1_w");
    assertThat(create(config(Map.of("asg", false)), tiny).params()).extracting(p -> p.name).noneMatch(n -> n.startsWith("asg_"));
    assertThat(create(config(Map.of("use_text", false)), tiny).params()).extracting(p -> p.name).doesNotContain("feat_text");
  }

  @Test
  void badSettingsNameTheirKey() {
    assertThatThrownBy(() -> create(config(Map.of("tau", 0.0)), tiny)).hasMessageContaining("tau");
    assertThatThrownBy(() -> create(config(Map.of("dropout", 1.0)), tiny)).hasMessageContaining("dropout");
    assertThatThrownBy(() -> create(config(Map.of("save_intermediate", true)), tiny)).hasMessageContaining("save_intermediate");
    assertThatThrownBy(() -> create(config(Map.of("use_text", false, "use_image", false)), tiny))
        .hasMessageContaining("use_image");
    FeatureTable img = tiny.features().get(0);
    Dataset three = new Dataset("t", tiny.numUsers(), tiny.numItems(), tiny.train(), tiny.valid(), tiny.test(), List.of(img, img, img));
    assertThatThrownBy(() -> create(config(Map.of()), three)).hasMessageContaining("one or two modalities");
  }

  @Test
  void normalisationClampsTheInverseDegreeAtTen() {
    // row 0: sum 0.04 → d^-1/2 = 5; row 1: sum 0.0001 → 100, clamped to 10; row 2: no edges
    CsrMatrix a = CsrMatrix.fromCoo(3, 3, new int[] {0, 1}, new int[] {1, 0}, new float[] {0.04f, 0.0001f});
    CsrMatrix n = Idfree.normalized(a);
    assertThat((double) n.toDense()[0][1]).isCloseTo(0.04 * 5 * 10, offset(1e-5));
    assertThat((double) n.toDense()[1][0]).isCloseTo(0.0001 * 10 * 5, offset(1e-7));
  }

  @Test
  void samplingKeepsTheRequestedNumberOfEdgesFavouringHeavyOnes() {
    int e = 200;
    int[] r = new int[e];
    int[] c = new int[e];
    float[] v = new float[e];
    for (int k = 0; k < e; k++) {
      r[k] = k / 20;
      c[k] = k % 20;
      v[k] = k % 2 == 0 ? 10f : 0.1f;
    }
    CsrMatrix a = CsrMatrix.fromCoo(10, 20, r, c, v);
    CsrMatrix s = Idfree.sampled(a, 40, new SplittableRandom(3));
    assertThat(s.nnz()).isEqualTo(40);
    int heavy = 0;
    for (float x : s.values) {
      heavy += x == 10f ? 1 : 0;
    }
    assertThat(heavy).isGreaterThan(35); // 100 heavy edges of weight 10 against 100 of 0.1
  }
}
