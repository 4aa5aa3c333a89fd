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
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.run.Experiment;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.train.EpochRecord;
import org.userec.train.TrainResult;

/** LGMRec: training, determinism, the scorer against the loss, modalities, config checks. */
class LgmrecTest {
  private static Dataset tiny;

  @BeforeAll
  static void data() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
  }

  /** configs/model/LGMRec.yaml with the grid collapsed to MMRec's values, then {@code extra}. */
  static Config config(Map<String, Object> extra) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("hyper_parameters", List.of());
    v.put("train_batch_size", 256);
    v.put("learning_rate", 0.01);
    v.put("n_ui_layers", 2);
    v.put("n_mm_layers", 2);
    v.put("n_hyper_layer", 1);
    v.put("hyper_num", 4);
    v.put("keep_rate", 0.5);
    v.put("alpha", 0.3);
    v.put("cl_weight", 1e-4);
    v.put("reg_weight", 1e-6);
    v.putAll(extra);
    return new ConfigLoader().model("LGMRec", ModelRegistry.names()).values("test", v).build();
  }

  private static Lgmrec create(Config c, Dataset ds) {
    return (Lgmrec) ModelRegistry.create("LGMRec", new ModelContext(c, ds, new SplittableRandom(1)));
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
    TrainResult a = Experiment.trainOne("LGMRec", cfg, tiny, dir.resolve("a"), List.of());
    TrainResult b = Experiment.trainOne("LGMRec", cfg, tiny, dir.resolve("b"), List.of());
    assertThat(a.epochsRun()).isEqualTo(3);
    List<EpochRecord> h = a.history();
    assertThat(h.get(1).loss()).isLessThan(h.get(0).loss());
    assertThat(h.get(2).loss()).isLessThan(h.get(1).loss());
    for (double x : trace(a)) {
      assertThat(x).isFinite();
    }
    assertThat(a.testAtBest().get("recall@20")).isGreaterThan(0.0);
    assertThat(trace(b)).isEqualTo(trace(a));
    TrainResult c = Experiment.trainOne("LGMRec", cfg.with("seed", 7).with("epochs", 1), tiny, dir.resolve("c"), List.of());
    assertThat(trace(c)).isNotEqualTo(trace(a).subList(0, 3));
  }

  /** Fixed Gumbel noise, nothing dropped. */
  private record Fixed(float value) implements Lgmrec.Draws {
    @Override
    public float[] gumbel(String name, int n) {
      float[] g = new float[n];
      java.util.Arrays.fill(g, value);
      return g;
    }

    @Override
    public float[] keep(String name, int n) {
      return null;
    }
  }

  @Test
  void withTheSameNoiseAndNoDropoutTheTrainingBprIsTheScorersMargin() {
    Lgmrec m = create(config(Map.of("keep_rate", 1.0, "cl_weight", 0.0, "reg_weight", 0.0)), tiny);
    m.replayDraws(new Fixed(0.3f));
    Batch b = new Batch(new int[] {3, 17}, new int[] {5, 40}, new int[] {60, 2});
    double loss = m.loss(b, Tape.noGrad(), new SplittableRandom(1)).item();
    Scorer s = m.scorer();
    int n = s.numItems();
    float[] scores = new float[2 * n];
    s.score(new int[] {3, 17}, scores);
    double expected = 0;
    for (int r = 0; r < 2; r++) {
      double margin = scores[r * n + b.pos()[r]] - scores[r * n + b.neg()[r]];
      expected += Math.log1p(Math.exp(-margin));
    }
    assertThat(loss).isCloseTo(expected / 2, offset(1e-5));
  }

  @Test
  void eachTermAddsItsWeightedValue() {
    Batch b = new Batch(new int[] {3, 17, 3}, new int[] {5, 40, 7}, new int[] {60, 2, 9});
    double[] loss = new double[4];
    double[][] settings = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
    for (int k = 0; k < 4; k++) {
      Lgmrec m = create(config(Map.of("cl_weight", settings[k][0], "reg_weight", settings[k][1])), tiny);
      m.replayDraws(new Fixed(0f));
      loss[k] = m.loss(b, Tape.noGrad(), new SplittableRandom(1)).item();
    }
    double hcl = loss[1] - loss[0];
    double reg = loss[2] - loss[0];
    // the contrastive term sums over 3 users and 3 items, each at least 0 and about log |U| or log |I| at random
    assertThat(hcl).isGreaterThan(0.0);
    assertThat(reg).isGreaterThan(0.0);
    assertThat(loss[3]).isCloseTo(loss[0] + hcl + reg, offset(1e-4));
  }

  @Test
  void scoringDrawsItsNoiseFromTheEpochsSeed() {
    Lgmrec m = create(config(Map.of()), tiny);
    m.beforeEpoch(0, new SplittableRandom(5));
    float[] a = new float[tiny.numItems()];
    float[] b = new float[tiny.numItems()];
    float[] c = new float[tiny.numItems()];
    m.scorer().score(new int[] {3}, a);
    m.scorer().score(new int[] {3}, b);
    m.beforeEpoch(1, new SplittableRandom(6));
    m.scorer().score(new int[] {3}, c);
    assertThat(b).isEqualTo(a);
    assertThat(c).isNotEqualTo(a); // new Gumbel noise: the reference's scores are random too
  }

  @Test
  void everyParameterGetsAGradient() {
    Lgmrec m = create(config(Map.of("cl_weight", 0.5)), tiny);
    Tape t = Tape.recording();
    t.backward(m.loss(new Batch(new int[] {1, 2}, new int[] {3, 4}, new int[] {5, 6}), t, new SplittableRandom(2)));
    assertThat(m.params()).extracting(p -> p.name)
        .containsExactly("user_emb", "item_emb", "trs_image", "hyper_image", "trs_text", "hyper_text");
    for (Param p : m.params()) {
      double sum = 0;
      for (float g : p.grad()) {
        sum += Math.abs(g);
      }
      assertThat(sum).as(p.name).isGreaterThan(0.0);
    }
  }

  private static Dataset withModalities(List<FeatureTable> features) {
    return new Dataset("t", tiny.numUsers(), tiny.numItems(), tiny.train(), tiny.valid(), tiny.test(), features);
  }

  @Test
  void oneOrThreeModalities() {
    FeatureTable img = tiny.features().get(0);
    FeatureTable txt = tiny.features().get(1);
    FeatureTable audio = new FeatureTable("audio", txt.rows(), txt.cols(), txt.data());
    Batch b = new Batch(new int[] {1}, new int[] {2}, new int[] {3});
    Lgmrec three = create(config(Map.of()), withModalities(List.of(img, txt, audio)));
    assertThat(three.params()).extracting(p -> p.name).contains("hyper_audio", "trs_audio");
    assertThat((double) three.loss(b, Tape.recording(), new SplittableRandom(1)).item()).isFinite();
    Lgmrec one = create(config(Map.of("cl_weight", 1.0)), withModalities(List.of(audio)));
    Lgmrec oneWithout = create(config(Map.of("cl_weight", 0.0)), withModalities(List.of(audio)));
    // one modality has nothing to contrast: the weight changes nothing
    assertThat(one.loss(b, Tape.noGrad(), new SplittableRandom(1)).item())
        .isEqualTo(oneWithout.loss(b, Tape.noGrad(), new SplittableRandom(1)).item());
    assertThatThrownBy(() -> create(config(Map.of()), withModalities(List.of())))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("at least one modality");
  }

  @Test
  void badSettingsNameTheirKey() {
    assertThatThrownBy(() -> create(config(Map.of("feat_embed_dim", 32)), tiny))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("feat_embed_dim");
    assertThatThrownBy(() -> create(config(Map.of("keep_rate", 0.0)), tiny)).hasMessageContaining("keep_rate");
    assertThatThrownBy(() -> create(config(Map.of("cf_model", "ngcf")), tiny)).hasMessageContaining("cf_model");
    assertThatThrownBy(() -> create(config(Map.of("n_hyper_layer", 0)), tiny)).hasMessageContaining("n_hyper_layer");
  }

  @Test
  void theYamlHoldsMmrecsValuesFirstAndTheAuthorsPerDataset() {
    Config c = new ConfigLoader().model("LGMRec", ModelRegistry.names()).build();
    assertThat(c.gridKeys()).contains("n_hyper_layer", "hyper_num", "keep_rate", "alpha");
    assertThat(c.expandGrid()).hasSize(36);
    Config first = c.expandGrid().get(0);
    assertThat(first.getDouble("keep_rate")).isEqualTo(0.5);
    assertThat(first.getDouble("alpha")).isEqualTo(0.3);
    assertThat(first.getInt("hyper_num")).isEqualTo(4);
    Config clothing = new ConfigLoader().dataset("clothing", null).model("LGMRec", ModelRegistry.names()).build();
    assertThat(clothing.expandGrid()).hasSize(1);
    assertThat(clothing.getInt("hyper_num")).isEqualTo(64);
    assertThat(clothing.getInt("n_hyper_layer")).isEqualTo(2);
  }
}
