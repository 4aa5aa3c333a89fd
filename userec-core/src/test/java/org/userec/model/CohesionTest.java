package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.run.Experiment;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.train.EpochRecord;
import org.userec.train.TrainResult;

/** COHESION: what trains, what stays frozen, determinism, per-epoch sampling; the maths is checked by its parity test. */
class CohesionTest {
  private static Dataset tiny;

  @BeforeAll
  static void data() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
  }

  static Config config(Map<String, Object> extra) {
    Map<String, Object> v = new LinkedHashMap<>(extra);
    v.putIfAbsent("hyper_parameters", List.of());
    v.putIfAbsent("train_batch_size", 256);
    v.putIfAbsent("learning_rate", 0.01);
    v.putIfAbsent("reg_weight", 1e-3);
    v.putIfAbsent("dropout", 0.0);
    v.putIfAbsent("num_layer", 1);
    v.putIfAbsent("embedding_size", 16);
    return new ConfigLoader().model("COHESION", ModelRegistry.names()).values("test", v).build();
  }

  private static Recommender create(Config c) {
    return ModelRegistry.create("COHESION", new ModelContext(c, tiny, new SplittableRandom(1)));
  }

  @Test
  void validMetricIsTheReferencesRecallAt10() {
    assertThat(config(Map.of()).getString("valid_metric")).isEqualTo("Recall@10");
  }

  @Test
  void theIdBranchAndItsMlpGetNoGradientEverythingElseDoes() {
    Recommender m = create(config(Map.of("num_layer", 2)));
    Tape t = Tape.recording();
    Batch b = new Batch(new int[] {3, 17, 3}, new int[] {5, 40, 7}, new int[] {60, 2, 11});
    t.backward(m.loss(b, t, new SplittableRandom(1)));
    List<String> frozen = new ArrayList<>();
    List<String> learnt = new ArrayList<>();
    for (Param p : m.params()) {
      boolean any = false;
      float[] g = p.grad();
      if (g != null) {
        for (float x : g) {
          any |= x != 0f;
        }
      }
      (any ? learnt : frozen).add(p.name);
    }
    assertThat(frozen).containsExactlyInAnyOrder("pref_id", "mlp_id_w", "mlp_id_b", "mlp1_id_w", "mlp1_id_b");
    assertThat(learnt).contains("id_feat", "weight_u", "pref_image", "mlp_image_w", "mlp1_text_b");
  }

  @Test
  void trainsDeterministically(@TempDir Path dir) {
    Config cfg = config(Map.of("epochs", 3));
    TrainResult a = Experiment.trainOne("COHESION", cfg, tiny, dir.resolve("a"), List.of());
    TrainResult b = Experiment.trainOne("COHESION", cfg, tiny, dir.resolve("b"), List.of());
    assertThat(a.epochsRun()).isEqualTo(3);
    List<Double> ta = trace(a);
    for (double x : ta) {
      assertThat(x).isFinite();
    }
    assertThat(a.history().get(2).loss()).isLessThan(a.history().get(0).loss());
    assertThat(a.testAtBest().get("recall@20")).isGreaterThan(0.0);
    assertThat(trace(b)).isEqualTo(ta);
  }

  private static List<Double> trace(TrainResult r) {
    List<Double> out = new ArrayList<>();
    for (EpochRecord e : r.history()) {
      out.add(e.loss());
      out.add(e.valid().get("recall@10"));
      out.add(e.test().get("ndcg@20"));
    }
    return out;
  }

  @Test
  void theUserGraphIsResampledEachEpochAndScoringFollowsIt() {
    Recommender m = create(config(Map.of()));
    int[] all = new int[tiny.numUsers()];
    for (int u = 0; u < all.length; u++) {
      all[u] = u;
    }
    int n = all.length * tiny.numItems();
    float[] s0 = new float[n];
    m.beforeEpoch(0, new SplittableRandom(10));
    m.scorer().score(all, s0);
    float[] again = new float[n];
    m.scorer().score(all, again);
    assertThat(again).isEqualTo(s0);
    boolean changed = false;
    for (int e = 1; e < 10 && !changed; e++) {
      float[] s = new float[n];
      m.beforeEpoch(e, new SplittableRandom(10 + e));
      m.scorer().score(all, s);
      changed = !java.util.Arrays.equals(s, s0);
    }
    assertThat(changed).as("some user has fewer than 40 neighbours, so padding draws differ").isTrue();
  }

  @Test
  void badSettingsNameTheKey() {
    assertThatThrownBy(() -> create(config(Map.of("dropout", 1.0)))).hasMessageContaining("dropout");
    assertThatThrownBy(() -> create(config(Map.of("user_neighbours", 0)))).hasMessageContaining("user_neighbours");
  }
}
