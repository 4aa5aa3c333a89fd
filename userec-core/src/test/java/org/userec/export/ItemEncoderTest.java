package org.userec.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.data.Interactions;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.eval.DotScorer;
import org.userec.model.ItemEncoders;
import org.userec.model.ModelContext;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.run.Experiment;
import org.userec.train.RunFolder;
import org.userec.util.ParamFile;
import org.userec.util.Seeds;

/**
 * A new item's embedding from its features equals what the trained model itself gives an item without
 * training interactions: the tiny dataset with the last item's training rows removed, the encoder built over
 * the other items, fed the last item's features.
 */
class ItemEncoderTest {
  @TempDir static Path tmp;
  static Dataset cold;
  static Path folder;

  @BeforeAll
  static void data() {
    folder = tmp.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), folder);
    Dataset ds = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
    int last = ds.numItems() - 1;
    Interactions t = ds.train();
    int keep = 0;
    for (int k = 0; k < t.size(); k++) {
      keep += t.items()[k] == last ? 0 : 1;
    }
    int[] u = new int[keep];
    int[] i = new int[keep];
    for (int k = 0, w = 0; k < t.size(); k++) {
      if (t.items()[k] != last) {
        u[w] = t.users()[k];
        i[w++] = t.items()[k];
      }
    }
    assertThat(keep).isLessThan(t.size()); // the last item had training rows: now it has none
    cold = new Dataset(ds.name(), ds.numUsers(), ds.numItems(), new Interactions(u, i), ds.valid(), ds.test(), ds.features());
  }

  static Config config(String model, Map<String, Object> extra) {
    Map<String, Object> v = new LinkedHashMap<>(extra);
    v.putIfAbsent("hyper_parameters", List.of());
    v.putIfAbsent("train_batch_size", 256);
    v.putIfAbsent("learning_rate", 0.01);
    v.putIfAbsent("epochs", 2);
    if (model.equals("PGL")) {
      v.putIfAbsent("dropout", 0.2);
      v.putIfAbsent("reg_weight", 0.0);
      v.putIfAbsent("mode", "local");
    }
    if (model.equals("USERec")) {
      v.putIfAbsent("cl_weight", 0.1);
      v.putIfAbsent("reg_weight", 1e-4);
      v.putIfAbsent("train_batch_size", 128);
    }
    return new ConfigLoader().model(model, ModelRegistry.names()).values("test", v).build();
  }

  /** Trains two epochs and returns the model with its best parameters. */
  static Recommender trained(String model, Config c, Path dir) {
    Experiment.trainOne(model, c, cold, dir, List.of());
    Recommender m = ModelRegistry.create(model, new ModelContext(c, cold, Seeds.rng(c.getLong("seed"), "init")));
    RunFolder.loadParams(m, ParamFile.read(dir.resolve(RunFolder.BEST)).arrays(), dir);
    return m;
  }

  /** The encoder over the first n−1 items only (the last one becomes the "new" item). */
  static ItemEncoder withoutLast(ItemEncoder e) {
    int n = e.items() - 1;
    List<ItemEncoder.Modality> mods = new ArrayList<>();
    for (ItemEncoder.Modality m : e.modalities()) {
      mods.add(new ItemEncoder.Modality(m.name(), m.featureDim(), m.outDim(), m.weight(),
          Arrays.copyOf(m.knnFeatures(), n * m.featureDim()), m.mean(), m.invStd(), m.scale(), m.w(), m.b(), m.normalize()));
    }
    List<float[]> prop = new ArrayList<>();
    for (float[] p : e.propagated()) {
      prop.add(Arrays.copyOf(p, n * e.dim()));
    }
    return new ItemEncoder(mods, e.dim(), e.uiLayers(), e.knnK(), prop, e.itemPeScale(), e.iiSelf(), e.iiLayers(), n);
  }

  static List<float[]> featuresOf(Dataset ds, int item) {
    List<float[]> x = new ArrayList<>();
    for (FeatureTable f : ds.features()) {
      x.add(Arrays.copyOfRange(f.data(), item * f.cols(), (item + 1) * f.cols()));
    }
    return x;
  }

  static void encoderReproducesTheColdItem(String model, Map<String, Object> settings, Path dir) {
    Config c = config(model, settings);
    Recommender m = trained(model, c, dir);
    DotScorer s = (DotScorer) m.scorer();
    int last = cold.numItems() - 1;
    float[] offline = Arrays.copyOfRange(s.itemEmbeddings(), last * s.dim(), (last + 1) * s.dim());
    ItemEncoder full = ItemEncoders.of(model, m, c, cold);
    float[] online = withoutLast(full).embed(featuresOf(cold, last));
    assertThat(online).hasSize(offline.length);
    double norm = 0;
    for (int k = 0; k < offline.length; k++) {
      assertThat(Math.abs(online[k] - offline[k])).as(model + " " + settings + " column " + k).isLessThan(2e-6f);
      norm += offline[k] * offline[k];
    }
    assertThat(norm).isGreaterThan(1e-4);
    // another item's features give another embedding (the test could fail)
    float[] other = withoutLast(full).embed(featuresOf(cold, 0));
    assertThat(other).isNotEqualTo(online);
  }

  @Test
  void pglEmbedsANewItemAsItEmbedsAnItemWithoutInteractions() {
    encoderReproducesTheColdItem("PGL", Map.of("train_features", false), tmp.resolve("pgl1"));
    encoderReproducesTheColdItem("PGL", Map.of("train_features", false, "n_mm_layers", 2, "knn_k", 5), tmp.resolve("pgl2"));
  }

  @Test
  void userecEmbedsANewItemAsItEmbedsAnItemWithoutInteractions() {
    encoderReproducesTheColdItem("USERec", Map.of(), tmp.resolve("u1"));
    encoderReproducesTheColdItem(
        "USERec",
        Map.of("item_pe", true, "pe_scale", 0.5, "standardize_features", true, "feature_scale", 0.5, "normalize_projections", true,
            "n_mm_layers", 2, "cl_weight", 0.0),
        tmp.resolve("u2"));
  }

  @Test
  void idBasedModelsSayWhyTheyCannot() {
    assertThat(ItemEncoders.unsupportedReason("FREEDOM", config("FREEDOM", Map.of("dropout", 0.8, "reg_weight", 0.0)))).contains("ID embedding");
    assertThat(ItemEncoders.unsupportedReason("LightGCN", config("LightGCN", Map.of()))).contains("ID embedding");
    assertThat(ItemEncoders.unsupportedReason("USERec", config("USERec", Map.of("item_id_embedding", true)))).contains("item_id_embedding");
    assertThat(ItemEncoders.unsupportedReason("PGL", config("PGL", Map.of()))).isNull();
  }

  @Test
  void exportWritesAFolderThatReadsBackAndRefusesToOverwrite() throws Exception {
    Config c = config("PGL", Map.of("train_features", false));
    Recommender m = trained("PGL", c, tmp.resolve("pgl-export"));
    Path out = tmp.resolve("model");
    Map<String, Object> manifest = ModelExport.write(new ModelExport.Source("PGL", c, cold, folder, m, tmp.resolve("pgl-export/results.json"), "test"), out, false);
    assertThat(manifest.get("item_encoder")).isNotNull();
    ExportedModel e = ExportedModel.load(out);
    DotScorer s = (DotScorer) m.scorer();
    assertThat(e.users()).isEqualTo(s.userEmbeddings());
    assertThat(e.items()).isEqualTo(s.itemEmbeddings());
    assertThat(e.trainItems()).isDeepEqualTo(cold.train().itemsByUser(cold.numUsers()));
    assertThat(e.encoder()).isNotNull();
    List<float[]> x = featuresOf(cold, 3);
    assertThat(e.encoder().embed(x)).isEqualTo(ItemEncoders.of("PGL", m, c, cold).embed(x));
    // manifest: results at the best epoch and the dataset files' hashes
    Map<?, ?> results = (Map<?, ?>) e.manifest().get("results");
    assertThat(((Map<?, ?>) results.get("test")).get("recall@20")).isInstanceOf(Number.class);
    String fp = Files.readString(out.resolve(ModelFolder.MANIFEST));
    assertThat(fp).contains("tiny.inter").containsPattern("\"sha256\": \"[0-9a-f]{64}\"");
    assertThatThrownBy(() -> ModelExport.write(new ModelExport.Source("PGL", c, cold, folder, m, null, "test"), out, false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("--force");
    ModelExport.write(new ModelExport.Source("PGL", c, cold, folder, m, null, "test2"), out, true);
    assertThat(ExportedModel.load(out).manifest().get("userec_version")).isEqualTo("test2");
    try (var files = Files.list(tmp)) { // no temporary or old folder left behind
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".model"))).isEmpty();
    }
  }
}
