package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;
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
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.graph.CsrMatrix;
import org.userec.graph.InteractionGraph;
import org.userec.run.Experiment;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.train.EpochRecord;
import org.userec.train.TrainResult;

/** MGCN: training, determinism, train/inference consistency, its graphs and modality handling. */
class MgcnTest {
  private static Dataset tiny;

  @BeforeAll
  static void data() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
  }

  static Config config(Map<String, Object> extra) {
    Map<String, Object> v = new LinkedHashMap<>(extra);
    v.putIfAbsent("hyper_parameters", List.of());
    v.putIfAbsent("train_batch_size", 128); // InfoNCE is quadratic in the batch
    v.putIfAbsent("learning_rate", 0.01);
    v.putIfAbsent("cl_loss", 0.01);
    return new ConfigLoader().model("MGCN", ModelRegistry.names()).values("test", v).build();
  }

  static Recommender model(Config c, Dataset ds) {
    return ModelRegistry.create("MGCN", new ModelContext(c, ds, new SplittableRandom(1)));
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
    TrainResult a = Experiment.trainOne("MGCN", cfg, tiny, dir.resolve("a"), List.of());
    TrainResult b = Experiment.trainOne("MGCN", cfg, tiny, dir.resolve("b"), List.of());
    List<EpochRecord> h = a.history();
    assertThat(a.epochsRun()).isEqualTo(3);
    assertThat(h.get(1).loss()).isLessThan(h.get(0).loss());
    assertThat(h.get(2).loss()).isLessThan(h.get(1).loss());
    for (double x : trace(a)) {
      assertThat(x).isFinite();
    }
    assertThat(a.testAtBest().get("recall@20")).isGreaterThan(0.0);
    assertThat(trace(b)).isEqualTo(trace(a));
  }

  /** Without the L2 and contrastive terms the training loss is BPR on the scorer's margins. */
  @Test
  void trainingRowsMatchTheScorer() {
    Recommender m = model(config(Map.of("reg_weight", 0.0, "cl_loss", 0.0)), tiny);
    Batch b = new Batch(new int[] {3, 17, 3}, new int[] {5, 40, 7}, new int[] {60, 2, 5});
    double loss = m.loss(b, Tape.noGrad(), new SplittableRandom(1)).item();
    Scorer s = m.scorer();
    int n = s.numItems();
    float[] scores = new float[3 * n];
    s.score(b.users(), scores);
    double expected = 0;
    for (int r = 0; r < 3; r++) {
      double margin = scores[r * n + b.pos()[r]] - scores[r * n + b.neg()[r]];
      expected += Math.log1p(Math.exp(-margin));
    }
    assertThat(loss).isCloseTo(expected / 3, offset(1e-5));
  }

  @Test
  void eachTermAddsToTheLoss() {
    Batch b = new Batch(new int[] {3, 17}, new int[] {5, 40}, new int[] {60, 2});
    double plain = model(config(Map.of("reg_weight", 0.0, "cl_loss", 0.0)), tiny).loss(b, Tape.noGrad(), null).item();
    double reg = model(config(Map.of("reg_weight", 1.0, "cl_loss", 0.0)), tiny).loss(b, Tape.noGrad(), null).item();
    double cl = model(config(Map.of("reg_weight", 0.0, "cl_loss", 1.0)), tiny).loss(b, Tape.noGrad(), null).item();
    assertThat(reg).isGreaterThan(plain);
    assertThat(cl).isGreaterThan(plain + 0.1); // two InfoNCE terms over two rows, each ≥ 0 and near log 2
  }

  @Test
  void userItemBlockIsTheNormalisedInteractionMatrix() {
    CsrMatrix adj = InteractionGraph.normalizedAdjacency(tiny.numUsers(), tiny.numItems(), tiny.train());
    CsrMatrix r = Mgcn.userItemBlock(adj, tiny.numUsers(), tiny.numItems());
    assertThat(r.rows).isEqualTo(tiny.numUsers());
    assertThat(r.cols).isEqualTo(tiny.numItems());
    float[][] full = adj.toDense();
    float[][] block = r.toDense();
    for (int u = 0; u < r.rows; u++) {
      for (int i = 0; i < r.cols; i++) {
        assertThat(block[u][i]).isEqualTo(full[u][tiny.numUsers() + i]);
      }
    }
  }

  @Test
  void oneModalityOrTwo() {
    Config c = config(Map.of());
    Recommender two = model(c, tiny);
    assertThat(two.params()).extracting(p -> p.name)
        .contains("feat_image", "proj_text_w", "gate_image_w", "prefer_text_b", "query_w", "query_b", "query_out_w");
    Dataset one = new Dataset("t", tiny.numUsers(), tiny.numItems(), tiny.train(), tiny.valid(), tiny.test(),
        List.of(tiny.features().get(1)));
    Recommender m = model(c, one);
    assertThat(m.params()).extracting(p -> p.name).doesNotContain("gate_image_w");
    Tape t = Tape.recording();
    var loss = m.loss(new Batch(new int[] {1, 2}, new int[] {2, 3}, new int[] {3, 4}), t, null);
    assertThat((double) loss.item()).isFinite();
    t.backward(loss);
    for (Param p : m.params()) {
      assertThat(p.grad()).as(p.name).isNotNull();
    }
  }
}
