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
  void frozenTablesAreConstantsAsOnTheReferencesGpu() {
    Recommender trained = create(config(Map.of()));
    Recommender frozen = create(config(Map.of("frozen_id_and_preferences", true)));
    assertThat(trained.params()).extracting(p -> p.name).contains("id_feat", "pref_id", "pref_image", "pref_text");
    assertThat(frozen.params()).extracting(p -> p.name).doesNotContain("id_feat", "pref_id", "pref_image", "pref_text")
        .contains("weight_u", "mlp_image_w", "mlp1_id_b");
    // the same draws either way: the loss is the same before any step
    Batch b = new Batch(new int[] {3, 17}, new int[] {5, 40}, new int[] {60, 2});
    assertThat(frozen.loss(b, Tape.noGrad(), new SplittableRandom(1)).item())
        .isEqualTo(trained.loss(b, Tape.noGrad(), new SplittableRandom(1)).item());
  }

  @Test
  void scoresWithTheLastTrainingBatchsRowsAsTheReference() {
    Recommender last = create(config(Map.of()));
    Recommender fresh = create(config(Map.of("score_last_batch", false)));
    int[] users = {0, 3, 17};
    float[] before = scores(fresh, users);
    assertThat(scores(last, users)).as("no batch yet: computed from the parameters").isEqualTo(before);
    Batch b = new Batch(new int[] {3, 17}, new int[] {5, 40}, new int[] {60, 2});
    last.loss(b, Tape.recording(), new SplittableRandom(1));
    for (Recommender m : List.of(last, fresh)) { // a step's change to the parameters
      for (Param p : m.params()) {
        if (p.name.equals("mlp1_image_b")) {
          for (int k = 0; k < p.data.length; k++) {
            p.data[k] += 0.5f;
          }
        }
      }
    }
    assertThat(scores(last, users)).as("the rows from before the step").isEqualTo(before);
    assertThat(scores(fresh, users)).isNotEqualTo(before);
  }

  private static float[] scores(Recommender m, int[] users) {
    float[] s = new float[users.length * tiny.numItems()];
    m.scorer().score(users, s);
    return s;
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
