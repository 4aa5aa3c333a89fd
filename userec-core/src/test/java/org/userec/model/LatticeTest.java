package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.graph.CsrMatrix;
import org.userec.run.Experiment;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;
import org.userec.train.EpochRecord;
import org.userec.train.TrainResult;

/** LATTICE: training, when the learned graph passes gradients, the user–item graph, bad keys. */
class LatticeTest {
  private static Dataset tiny;

  @BeforeAll
  static void data() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
  }

  private static Config config(Map<String, Object> extra) {
    Map<String, Object> v = new LinkedHashMap<>(extra);
    v.putIfAbsent("hyper_parameters", List.of());
    v.putIfAbsent("train_batch_size", 256);
    v.putIfAbsent("learning_rate", 0.01);
    v.putIfAbsent("reg_weight", 1e-4);
    return new ConfigLoader().model("LATTICE", ModelRegistry.names()).values("test", v).build();
  }

  @Test
  void trainsDeterministically(@TempDir Path dir) {
    Config cfg = config(Map.of("epochs", 3));
    TrainResult a = Experiment.trainOne("LATTICE", cfg, tiny, dir.resolve("a"), List.of());
    TrainResult b = Experiment.trainOne("LATTICE", cfg, tiny, dir.resolve("b"), List.of());
    List<EpochRecord> h = a.history();
    assertThat(h.get(1).loss()).isLessThan(h.get(0).loss());
    assertThat(h.get(2).loss()).isLessThan(h.get(1).loss());
    assertThat(a.testAtBest().get("recall@20")).isGreaterThan(0.0);
    for (int e = 0; e < 3; e++) {
      assertThat(b.history().get(e).loss()).isEqualTo(h.get(e).loss());
      assertThat(b.history().get(e).valid()).isEqualTo(h.get(e).valid());
    }
  }

  @Test
  void mfBackboneTrains(@TempDir Path dir) {
    TrainResult a = Experiment.trainOne("LATTICE", config(Map.of("epochs", 2, "cf_model", "mf")), tiny, dir, List.of());
    assertThat(a.history().get(1).loss()).isLessThan(a.history().get(0).loss());
  }

  /** The graph is learned (gradients reach the projections and α) at an epoch's first batch only. */
  @Test
  void theLearnedGraphPassesGradientsAtTheEpochsFirstBatchOnly() {
    Recommender m = ModelRegistry.create("LATTICE", new ModelContext(config(Map.of()), tiny, new SplittableRandom(1)));
    Batch batch = new Batch(new int[] {0, 1, 2}, new int[] {0, 1, 2}, new int[] {3, 4, 5});
    for (int step = 0; step < 3; step++) {
      if (step == 2) {
        m.beforeEpoch(1, new SplittableRandom(2));
      }
      for (Param p : m.params()) {
        p.zeroGrad();
      }
      Tape t = Tape.recording();
      t.backward(m.loss(batch, t, new SplittableRandom(3)));
      for (Param p : m.params()) {
        boolean graphSide = p.name.startsWith("proj_") || p.name.startsWith("feat_") || p.name.equals("modal_weight");
        if (!graphSide) {
          assertThat(maxAbs(p.grad())).as(p.name).isGreaterThan(0f);
        } else if (step == 1) {
          assertThat(maxAbs(p.grad())).as(p.name + " at the second batch").isEqualTo(0f);
        } else {
          assertThat(maxAbs(p.grad())).as(p.name + " at an epoch's first batch").isGreaterThan(0f);
        }
      }
    }
  }

  private static float maxAbs(float[] g) {
    float m = 0f;
    if (g == null) {
      return 0f;
    }
    for (float x : g) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  @Test
  void userItemGraphIsRowNormalisedWithSelfLoops() {
    CsrMatrix a = Lattice.selfLoopRowNormalized(2, 3, new org.userec.data.Interactions(new int[] {0, 0, 1}, new int[] {0, 2, 2}));
    float[][] d = a.toDense();
    // user 0: itself, items 0 and 2 → 1/3 each; item 2 (node 4): users 0, 1 and itself → 1/3; item 1: itself only
    assertThat(d[0]).containsExactly(1f / 3, 0f, 1f / 3, 0f, 1f / 3);
    assertThat(d[4]).containsExactly(1f / 3, 1f / 3, 0f, 0f, 1f / 3);
    assertThat(d[3]).containsExactly(0f, 0f, 0f, 1f, 0f);
  }

  @Test
  void ngcfIsRefusedNamingTheKey() {
    assertThatThrownBy(
            () -> ModelRegistry.create(
                "LATTICE", new ModelContext(config(Map.of("cf_model", "ngcf")), tiny, new SplittableRandom(1))))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("cf_model");
  }

  @Test
  void scorerIsFinite() {
    Recommender m = ModelRegistry.create("LATTICE", new ModelContext(config(Map.of()), tiny, new SplittableRandom(1)));
    Scorer s = m.scorer();
    float[] out = new float[2 * s.numItems()];
    s.score(new int[] {0, 1}, out);
    for (float x : out) {
      assertThat(x).isFinite();
    }
    assertThat(new Tensor(2, s.numItems(), out).data).isNotEqualTo(new float[out.length]);
  }
}
