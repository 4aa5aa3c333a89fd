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
import org.userec.run.Experiment;
import org.userec.tensor.Tape;
import org.userec.train.EpochRecord;
import org.userec.train.TrainResult;

/** FREEDOM and PGL: training, determinism, train/inference consistency, modality handling. */
class MultimodalModelsTest {
  private static Dataset tiny;

  @BeforeAll
  static void data() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
  }

  static Config config(String model, Map<String, Object> extra) {
    Map<String, Object> v = new LinkedHashMap<>(extra);
    v.putIfAbsent("hyper_parameters", List.of());
    v.putIfAbsent("train_batch_size", 256);
    v.putIfAbsent("learning_rate", 0.01);
    if (model.equals("FREEDOM")) {
      v.putIfAbsent("dropout", 0.8);
      v.putIfAbsent("reg_weight", 1e-3);
    } else {
      v.putIfAbsent("dropout", 0.2);
      v.putIfAbsent("reg_weight", 0.1);
      v.putIfAbsent("mode", "local");
      v.put("train_batch_size", 128); // InfoNCE is quadratic in the batch
    }
    return new ConfigLoader().model(model, ModelRegistry.names()).values("test", v).build();
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

  private static void trainsAndRepeats(String model, Path dir) {
    Config cfg = config(model, Map.of("epochs", 3));
    TrainResult a = Experiment.trainOne(model, cfg, tiny, dir.resolve("a"), List.of());
    TrainResult b = Experiment.trainOne(model, cfg, tiny, dir.resolve("b"), List.of());
    assertThat(a.epochsRun()).isEqualTo(3);
    List<EpochRecord> h = a.history();
    assertThat(h.get(1).loss()).isLessThan(h.get(0).loss());
    assertThat(h.get(2).loss()).isLessThan(h.get(1).loss());
    for (double x : trace(a)) {
      assertThat(x).isFinite();
    }
    assertThat(a.testAtBest().get("recall@20")).isGreaterThan(0.0);
    assertThat(trace(b)).isEqualTo(trace(a));
    TrainResult c = Experiment.trainOne(model, cfg.with("seed", 7).with("epochs", 1), tiny, dir.resolve("c"), List.of());
    assertThat(trace(c)).isNotEqualTo(trace(a).subList(0, 3));
  }

  @Test
  void freedomTrainsDeterministically(@TempDir Path dir) {
    trainsAndRepeats("FREEDOM", dir);
  }

  @Test
  void pglTrainsDeterministically(@TempDir Path dir) {
    trainsAndRepeats("PGL", dir);
  }

  /** With the full graph and no auxiliary term, the training BPR equals −log σ of the scorer's margin. */
  private static void trainingMatchesScorer(Recommender m) {
    Batch b = new Batch(new int[] {3, 17}, new int[] {5, 40}, new int[] {60, 2});
    double loss = m.loss(b, Tape.noGrad(), new SplittableRandom(1)).item();
    Scorer s = m.scorer();
    float[] scores = new float[2 * s.numItems()];
    s.score(new int[] {3, 17}, scores);
    int n = s.numItems();
    double expected = 0;
    for (int r = 0; r < 2; r++) {
      double margin = scores[r * n + b.pos()[r]] - scores[r * n + b.neg()[r]];
      expected += Math.log1p(Math.exp(-margin));
    }
    assertThat(loss).isCloseTo(expected / 2, offset(1e-5));
  }

  @Test
  void trainingPathMatchesScorerOnTheFullGraph() {
    Config f = config("FREEDOM", Map.of("dropout", 0.0, "reg_weight", 0.0));
    Recommender freedom = ModelRegistry.create("FREEDOM", new ModelContext(f, tiny, new SplittableRandom(1)));
    freedom.beforeEpoch(0, new SplittableRandom(2));
    trainingMatchesScorer(freedom);
    Config p = config("PGL", Map.of("prune_keep", 1.0, "reg_weight", 0.0));
    Recommender pgl = ModelRegistry.create("PGL", new ModelContext(p, tiny, new SplittableRandom(1)));
    pgl.beforeEpoch(0, new SplittableRandom(2));
    trainingMatchesScorer(pgl);
  }

  @Test
  void prunedGraphChangesEachEpochButScoringUsesTheFullGraph() {
    Config f = config("FREEDOM", Map.of("dropout", 0.8, "reg_weight", 0.0));
    Recommender m = ModelRegistry.create("FREEDOM", new ModelContext(f, tiny, new SplittableRandom(1)));
    Batch b = new Batch(new int[] {3}, new int[] {5}, new int[] {60});
    m.beforeEpoch(0, new SplittableRandom(10));
    double l0 = m.loss(b, Tape.noGrad(), new SplittableRandom(1)).item();
    float[] s0 = new float[tiny.numItems()];
    m.scorer().score(new int[] {3}, s0);
    m.beforeEpoch(1, new SplittableRandom(11));
    double l1 = m.loss(b, Tape.noGrad(), new SplittableRandom(1)).item();
    float[] s1 = new float[tiny.numItems()];
    m.scorer().score(new int[] {3}, s1);
    assertThat(l1).isNotEqualTo(l0);
    assertThat(s1).isEqualTo(s0);
  }

  private static Dataset withModalities(List<FeatureTable> features) {
    return new Dataset("t", tiny.numUsers(), tiny.numItems(), tiny.train(), tiny.valid(), tiny.test(), features);
  }

  @Test
  void anyNumberOfModalities() {
    FeatureTable img = tiny.features().get(0);
    FeatureTable txt = tiny.features().get(1);
    FeatureTable audio = new FeatureTable("audio", txt.rows(), txt.cols(), txt.data());
    Dataset three = withModalities(List.of(img, txt, audio));
    for (String model : List.of("FREEDOM", "PGL")) {
      Config c = config(model, Map.of());
      assertThatThrownBy(() -> ModelRegistry.create(model, new ModelContext(c, three, new SplittableRandom(1))))
          .hasMessageContaining("modality_weights");
      Config w = c.with("modality_weights", List.of(0.2, 0.3, 0.5));
      Recommender r = ModelRegistry.create(model, new ModelContext(w, three, new SplittableRandom(1)));
      assertThat(r.params()).extracting(p -> p.name).contains("proj_audio_w", "feat_audio");
      r.beforeEpoch(0, new SplittableRandom(3));
      assertThat((double) r.loss(new Batch(new int[] {1}, new int[] {2}, new int[] {3}), Tape.recording(), new SplittableRandom(1)).item())
          .isFinite();
      Recommender one = ModelRegistry.create(model, new ModelContext(c, withModalities(List.of(audio)), new SplittableRandom(1)));
      assertThat(one.params()).extracting(p -> p.name).doesNotContain("proj_image_w");
    }
    Config bad = config("FREEDOM", Map.of("modality_weights", List.of(0.5, 0.6)));
    assertThatThrownBy(() -> ModelRegistry.create("FREEDOM", new ModelContext(bad, tiny, new SplittableRandom(1))))
        .hasMessageContaining("sum to");
    assertThatThrownBy(() -> ModelRegistry.create("PGL", new ModelContext(config("PGL", Map.of("mode", "global")), tiny, new SplittableRandom(1))))
        .hasMessageContaining("not implemented");
  }

  @Test
  void modalityWeightsDefaultToTheImageWeight() {
    Config c = config("FREEDOM", Map.of());
    assertThat(Modalities.weights(c, tiny.features(), "FREEDOM")).containsExactly(0.1, 0.9);
    assertThat(Modalities.weights(c, tiny.features().subList(0, 1), "FREEDOM")).containsExactly(1.0);
  }

  @Test
  void frozenFeaturesAreNotParameters() {
    Config c = config("FREEDOM", Map.of("train_features", false));
    Recommender r = ModelRegistry.create("FREEDOM", new ModelContext(c, tiny, new SplittableRandom(1)));
    assertThat(r.params()).extracting(p -> p.name).doesNotContain("feat_image").contains("proj_image_w", "proj_text_b");
  }
}
