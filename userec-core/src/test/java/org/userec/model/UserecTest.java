package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.nn.PositionalEncoding;
import org.userec.run.Experiment;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;
import org.userec.train.EpochRecord;
import org.userec.train.TrainResult;
import org.userec.util.Parallel;
import org.userec.util.Seeds;

class UserecTest {
  private static Dataset tiny;

  @BeforeAll
  static void data() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
  }

  /** USERec.yaml with scalar grid keys, small kNN and attention for 100 items, plus overrides. */
  static Config config(Object... kv) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("reg_weight", 1e-4);
    v.put("cl_weight", 0.3);
    v.put("epochs", 3);
    v.put("save_checkpoints", false);
    v.put("train_batch_size", 256);
    v.put("embedding_size", 8);
    for (int k = 0; k < kv.length; k += 2) {
      v.put((String) kv[k], kv[k + 1]);
    }
    return new ConfigLoader().model("USERec", List.of("USERec")).values("test", v).build();
  }

  static Userec model(Config c, Dataset ds) {
    return new Userec(new ModelContext(c, ds, Seeds.rng(c.getLong("seed"), "init")));
  }

  static Batch batch() {
    int[] u = new int[32];
    int[] p = new int[32];
    int[] n = new int[32];
    for (int k = 0; k < 32; k++) {
      u[k] = tiny.train().users()[k * 7];
      p[k] = tiny.train().items()[k * 7];
      n[k] = (p[k] + 13) % tiny.numItems();
    }
    return new Batch(u, p, n);
  }

  static int tapeSize(Config c) {
    Userec m = model(c, tiny);
    Tape t = Tape.recording();
    m.loss(batch(), t, new SplittableRandom(1));
    return t.size();
  }

  @Test
  void trainsThreeEpochsWithDecreasingLossAndFiniteMetrics(@TempDir Path dir) {
    TrainResult r = Experiment.trainOne("USERec", config(), tiny, dir, List.of());
    assertThat(r.history()).hasSize(3);
    double[] loss = r.history().stream().mapToDouble(EpochRecord::loss).toArray();
    assertThat(loss[1]).isLessThan(loss[0]);
    assertThat(loss[2]).isLessThan(loss[1]);
    for (EpochRecord e : r.history()) {
      for (double v : e.test().values().values()) {
        assertThat(v).isFinite().isBetween(0.0, 1.0);
      }
    }
    assertThat(r.testAtBest().get("recall@20")).isPositive();
  }

  @Test
  void sameSeedSameTrace(@TempDir Path dir) {
    TrainResult a = Experiment.trainOne("USERec", config("epochs", 2), tiny, dir.resolve("a"), List.of());
    TrainResult b = Experiment.trainOne("USERec", config("epochs", 2), tiny, dir.resolve("b"), List.of());
    for (int e = 0; e < 2; e++) {
      assertThat(b.history().get(e).loss()).isEqualTo(a.history().get(e).loss());
      assertThat(b.history().get(e).valid().values()).isEqualTo(a.history().get(e).valid().values());
    }
    TrainResult c = Experiment.trainOne("USERec", config("epochs", 2, "seed", 1), tiny, dir.resolve("c"), List.of());
    assertThat(c.history().get(0).loss()).isNotEqualTo(a.history().get(0).loss());
  }

  @Test
  void threadCountDoesNotChangeTheTrace(@TempDir Path dir) {
    int before = Parallel.threads();
    try {
      Parallel.setThreads(1);
      TrainResult one = Experiment.trainOne("USERec", config("epochs", 2), tiny, dir.resolve("one"), List.of());
      Parallel.setThreads(2);
      TrainResult two = Experiment.trainOne("USERec", config("epochs", 2), tiny, dir.resolve("two"), List.of());
      for (int e = 0; e < 2; e++) {
        assertThat(two.history().get(e).loss()).isEqualTo(one.history().get(e).loss());
        assertThat(two.history().get(e).valid().values()).isEqualTo(one.history().get(e).valid().values());
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void positionalEncodingGoesToUsersOnlyUnlessItemPe() {
    // Without propagation the layer-0 rows are visible: users = E_U (+ PE), items = E_I (+ PE) + S E_I0.
    Object[] plain = {"n_ui_layers", 0, "use_ii_graph", false, "n_mm_layers", 0};
    Userec none = model(config(with(plain, "user_pe", false)), tiny);
    Userec users = model(config(with(plain, "user_pe", true)), tiny);
    Userec both = model(config(with(plain, "user_pe", true, "item_pe", true)), tiny);
    Userec.Forward fn = none.forward(Tape.noGrad(), none.fullGraph());
    Userec.Forward fu = users.forward(Tape.noGrad(), users.fullGraph());
    Userec.Forward fb = both.forward(Tape.noGrad(), both.fullGraph());
    int dim = fn.users().cols;
    assertThat(dim).isEqualTo(2 * 8); // |M| · d
    Tensor peU = PositionalEncoding.sinusoidal(tiny.numUsers(), dim);
    Tensor peI = PositionalEncoding.sinusoidal(tiny.numItems(), dim);
    for (int i = 0; i < fn.users().data.length; i++) {
      assertThat(fu.users().data[i] - fn.users().data[i]).isCloseTo(peU.data[i], within(1e-5f));
    }
    assertThat(fu.items().data).isEqualTo(fn.items().data);
    // n_mm_layers 0: items = E_I + PE + (E_I + PE) = 2 (E_I + PE)
    for (int i = 0; i < fn.items().data.length; i++) {
      assertThat(fb.items().data[i] - fn.items().data[i]).isCloseTo(2 * peI.data[i], within(1e-5f));
    }
  }

  @Test
  void peScaleMultipliesTheCode() {
    Object[] plain = {"n_ui_layers", 0, "use_ii_graph", false, "n_mm_layers", 0};
    Userec none = model(config(with(plain, "user_pe", false)), tiny);
    Userec scaled = model(config(with(plain, "user_pe", true, "pe_scale", 0.25)), tiny);
    Userec.Forward fn = none.forward(Tape.noGrad(), none.fullGraph());
    Userec.Forward fs = scaled.forward(Tape.noGrad(), scaled.fullGraph());
    Tensor pe = PositionalEncoding.sinusoidal(tiny.numUsers(), fn.users().cols);
    for (int i = 0; i < fn.users().data.length; i++) {
      assertThat(fs.users().data[i] - fn.users().data[i]).isCloseTo(0.25f * pe.data[i], within(1e-5f));
    }
  }

  @Test
  void peScaleMustBePositive() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> model(config("pe_scale", 0.0), tiny))
        .isInstanceOf(org.userec.BadInputException.class)
        .hasMessageContaining("pe_scale");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> model(config("feature_scale", -1.0), tiny))
        .isInstanceOf(org.userec.BadInputException.class)
        .hasMessageContaining("feature_scale");
  }

  private static Object[] with(Object[] base, Object... more) {
    Object[] out = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, out, base.length, more.length);
    return out;
  }

  @Test
  void ablationSwitchesChangeTheComputationGraph() {
    int full = tapeSize(config());
    assertThat(tapeSize(config("use_ii_graph", false))).isLessThan(full);
    assertThat(tapeSize(config("use_attention", false))).isLessThan(full);
    assertThat(tapeSize(config("user_pe", false))).isLessThan(full);
    assertThat(tapeSize(config("item_pe", true))).isGreaterThan(full);
    assertThat(tapeSize(config("att_sample_per_user", true))).isNotEqualTo(full);
    assertThat(tapeSize(config("cl_weight", 0.0))).isLessThan(full);
    assertThat(tapeSize(config("n_ii_layers", 2))).isEqualTo(full + 1);
    // LightGCN's layers are one fused op: more layers change the values, not the tape
    assertThat(model(config("n_ui_layers", 3), tiny).inference().users().data)
        .isNotEqualTo(model(config(), tiny).inference().users().data);
  }

  @Test
  void pruningKeepsAFractionPerEpochAndInferenceUsesTheFullGraph() {
    Userec pruned = model(config("prune_keep", 0.1), tiny);
    Userec full = model(config("prune_keep", 1.0), tiny);
    int all = pruned.fullGraph().nnz();
    pruned.beforeEpoch(0, new SplittableRandom(1));
    int kept = pruned.trainingGraph().nnz();
    assertThat(kept).isBetween(all / 10 - 2, all / 10 + 2); // 2 entries per edge
    pruned.beforeEpoch(1, new SplittableRandom(2));
    assertThat(pruned.trainingGraph().colIdx).isNotEqualTo(pruned.fullGraph().colIdx);
    full.beforeEpoch(0, new SplittableRandom(1));
    assertThat(full.trainingGraph().nnz()).isEqualTo(all);
  }

  @Test
  void evaluationAttentionSampleIsReproducible() {
    Userec a = model(config(), tiny);
    Userec b = model(config(), tiny);
    int[] s = a.evalSample();
    assertThat(s).hasSize(5).doesNotHaveDuplicates();
    assertThat(b.evalSample()).isEqualTo(s);
    assertThat(a.evalSample()).isEqualTo(s);
    int[] users = {0, 1, 2, 3};
    float[] one = new float[users.length * tiny.numItems()];
    float[] two = new float[one.length];
    a.scorer().score(users, one);
    a.scorer().score(users, two);
    assertThat(two).isEqualTo(one);
    Set<String> samples = new HashSet<>();
    for (long seed = 0; seed < 5; seed++) {
      samples.add(Arrays.toString(model(config("seed", seed), tiny).evalSample()));
    }
    assertThat(samples.size()).isGreaterThan(1);
  }

  @Test
  void attentionChangesUsersButNotItems() {
    Userec with = model(config(), tiny);
    Userec without = model(config("use_attention", false), tiny);
    Userec.Forward fw = with.inference();
    Userec.Forward fo = without.inference();
    assertThat(fw.items().data).isEqualTo(fo.items().data);
    assertThat(fw.users().data).isNotEqualTo(fo.users().data);
  }

  @Test
  void drawsAreDistinctAndCoverEveryItem() {
    SplittableRandom r = new SplittableRandom(5);
    int[] seen = new int[10];
    for (int k = 0; k < 2000; k++) {
      int[] d = Userec.drawItems(10, 3, r);
      assertThat(d).doesNotHaveDuplicates();
      for (int i : d) {
        seen[i]++;
      }
    }
    for (int c : seen) {
      assertThat(c).isBetween(450, 750); // 600 expected
    }
    assertThat(Userec.drawItems(4, 4, r)).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  @Test
  void takesAnyNumberOfModalities() {
    for (int m : new int[] {1, 3}) {
      List<SyntheticSpec.Modality> mods =
          m == 1
              ? List.of(new SyntheticSpec.Modality("text", 12))
              : List.of(new SyntheticSpec.Modality("image", 10), new SyntheticSpec.Modality("audio", 6),
                  new SyntheticSpec.Modality("text", 8));
      Dataset ds = SyntheticGenerator.generate(SyntheticSpec.tiny().withModalities(mods)).toDataset();
      Userec u = model(m == 3 ? config("modality_weights", List.of(0.2, 0.3, 0.5)) : config(), ds);
      Userec.Forward f = u.inference();
      assertThat(f.users().cols).isEqualTo(m * 8);
      Tape t = Tape.recording();
      Tensor loss = u.loss(batch(), t, new SplittableRandom(1));
      assertThat(loss.item()).isFinite();
      t.backward(loss);
    }
  }

  @Test
  void everyTrainableParameterGetsAGradient() {
    Userec m =
        model(
            config(
                "train_features", true, "normalize_projections", true, "standardize_features", true,
                "item_id_embedding", true),
            tiny);
    assertThat(m.params()).extracting(p -> p.name).contains("item_emb");
    Tape t = Tape.recording();
    t.backward(m.loss(batch(), t, new SplittableRandom(1)));
    for (var p : m.params()) {
      assertThat(p.grad()).as(p.name).isNotNull();
      float abs = 0;
      for (float g : p.grad()) {
        abs += Math.abs(g);
      }
      assertThat(abs).as(p.name).isPositive();
    }
  }

  @Test
  void standardizedFeaturesHaveZeroMeanAndUnitDeviationPerColumn() {
    float[] x = {1, 10, 5, 3, 10, 7, 5, 10, 9}; // 3 items x 3 columns; the middle column is constant
    org.userec.data.FeatureTable s =
        Modalities.Projection.standardized(new org.userec.data.FeatureTable("image", 3, 3, x));
    assertThat(s.data()).containsExactly(
        new float[] {-1.2247449f, 0, -1.2247449f, 0, 0, 0, 1.2247449f, 0, 1.2247449f}, within(1e-6f));
    assertThat(x[0]).isEqualTo(1f); // the dataset's table is left alone
  }

  @Test
  void regItemRowsFalseLeavesTheItemProjectionsOutOfTheRegulariser() {
    Object[] base = {"cl_weight", 0.0, "use_attention", false, "reg_weight", 0.5};
    Userec with = model(config(with(base, "reg_item_rows", true)), tiny);
    Userec without = model(config(with(base, "reg_item_rows", false)), tiny);
    Batch b = batch();
    float lossWith = with.loss(b, Tape.noGrad(), new SplittableRandom(1)).item();
    float lossWithout = without.loss(b, Tape.noGrad(), new SplittableRandom(1)).item();
    Tensor ego = with.forward(Tape.noGrad(), with.trainingGraph()).egoItems();
    double items = 0;
    for (int[] rows : new int[][] {b.pos(), b.neg()}) {
      for (int i : rows) {
        for (int j = 0; j < ego.cols; j++) {
          double v = ego.data[i * ego.cols + j];
          items += v * v;
        }
      }
    }
    assertThat((double) lossWith - lossWithout).isCloseTo(0.5 * items / b.size(), within(1e-3 * Math.max(1, lossWith)));
    assertThat(items).isPositive();
  }

  @Test
  void trainingLossAtTheBatchNodesEqualsTheLossFromTheFullForward() {
    // the loss reads the layer mean at the batch's nodes only; the full forward must give the same value and
    // the same parameter gradients (no attention, contrastive or regulariser terms: pure BPR over final rows)
    Object[] keys = {"use_attention", false, "cl_weight", 0.0, "reg_weight", 0.0, "item_id_embedding", true};
    Userec rows = model(config(keys), tiny);
    Userec full = model(config(keys), tiny);
    Batch b = batch();
    Tape t1 = Tape.recording();
    Tensor l1 = rows.loss(b, t1, new SplittableRandom(3));
    float v1 = l1.item();
    t1.backward(l1);
    Tape t2 = Tape.recording();
    Userec.Forward f = full.forward(t2, full.trainingGraph());
    Tensor u = t2.gatherRows(f.users(), b.users());
    Tensor l2 = Losses.bpr(t2, t2.rowDot(u, t2.gatherRows(f.items(), b.pos())), t2.rowDot(u, t2.gatherRows(f.items(), b.neg())));
    float v2 = l2.item();
    t2.backward(l2);
    assertThat(v1).isCloseTo(v2, within(1e-6f * Math.max(1f, Math.abs(v2))));
    for (int k = 0; k < rows.params().size(); k++) {
      float[] g1 = rows.params().get(k).grad();
      float[] g2 = full.params().get(k).grad();
      assertThat(g1).as(rows.params().get(k).name).isNotNull();
      float scale = 0;
      for (float g : g2) {
        scale = Math.max(scale, Math.abs(g));
      }
      assertThat(scale).as(rows.params().get(k).name).isPositive();
      for (int i = 0; i < g1.length; i++) {
        assertThat(g1[i]).as(rows.params().get(k).name + "[" + i + "]").isCloseTo(g2[i], within(1e-5f * scale));
      }
    }
  }

  @Test
  void featureScaleScalesTheProjectionsInput() {
    float[] x = {1, 2, 3, -1, 0, 4};
    var table = new org.userec.data.FeatureTable("image", 2, 3, x);
    Tensor one = new Modalities.Projection(table, 2, false, false, 1f, new SplittableRandom(5)).all(Tape.noGrad());
    var half = new Modalities.Projection(table, 2, false, false, 0.5f, new SplittableRandom(5));
    Tensor h = half.all(Tape.noGrad());
    float[] b = half.params().get(1).data; // the same bias (the same draws)
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        assertThat(h.data[i * 2 + j] - b[j]).isCloseTo(0.5f * (one.data[i * 2 + j] - b[j]), within(1e-6f));
      }
    }
    assertThat(x[0]).isEqualTo(1f); // the dataset's table is left alone
  }

  @Test
  void itemIdEmbeddingAddsToTheProjectedItems() {
    Object[] plain = {"n_ui_layers", 0, "use_ii_graph", false, "n_mm_layers", 0, "user_pe", false};
    Userec m = model(config(with(plain, "item_id_embedding", true)), tiny);
    var ids = m.params().stream().filter(p -> p.name.equals("item_emb")).findFirst().orElseThrow();
    java.util.Arrays.fill(ids.data, 0f);
    Userec.Forward a = m.forward(Tape.noGrad(), m.fullGraph());
    java.util.Arrays.fill(ids.data, 0.5f);
    Userec.Forward b = m.forward(Tape.noGrad(), m.fullGraph());
    // n_mm_layers 0 doubles layer 0 (E_I + S^0 E_I), so the ID embedding shows twice
    for (int i = 0; i < a.items().data.length; i++) {
      assertThat(b.items().data[i] - a.items().data[i]).isCloseTo(1.0f, within(1e-4f));
    }
  }
}
