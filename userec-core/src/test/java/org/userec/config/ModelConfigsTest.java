package org.userec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;

/** Several models' configs at once (userec compare): each its own layers, user keys shared out by key. */
class ModelConfigsTest {
  private static final List<String> KNOWN = List.of("BPR", "LightGCN", "FREEDOM", "PGL", "USERec");

  private static ModelConfigs.Built build(List<String> models, String dataset, List<Path> files, String... sets) {
    return ModelConfigs.build(models.stream().map(ModelVariant::parse).toList(), KNOWN, dataset, null, files, List.of(sets));
  }

  @Test
  void aVariantIsAModelUnderNamedSettingsOfItsOwn() {
    ModelConfigs.Built b = build(List.of("LightGCN", "LightGCN@deep"), "baby", List.of(), "LightGCN@deep:n_layers=4", "reg_weight=1e-4");
    assertThat(b.configs()).containsOnlyKeys("LightGCN", "LightGCN@deep");
    assertThat(b.configs().get("LightGCN@deep").getInt("n_layers")).isEqualTo(4);
    assertThat(b.configs().get("LightGCN").gridKeys()).contains("n_layers"); // the plain row keeps its grid
    assertThat(b.configs().get("LightGCN").getDouble("reg_weight")).isEqualTo(1e-4); // unscoped keys reach both
    assertThat(b.configs().get("LightGCN@deep").getDouble("reg_weight")).isEqualTo(1e-4);
    assertThatThrownBy(() -> build(List.of("LightGCN", "LightGCN@deep"), "baby", List.of()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("'LightGCN@deep': there is no configs/model/LightGCN@deep.yaml and no --set LightGCN@deep:key=value");
    assertThatThrownBy(() -> build(List.of("LightGCN", "LightGCN"), "baby", List.of()))
        .isInstanceOf(BadInputException.class).hasMessageContaining("'LightGCN' is listed twice");
    assertThatThrownBy(() -> build(List.of("LightGCN@a b"), "baby", List.of())).isInstanceOf(BadInputException.class)
        .hasMessageContaining("a variant name takes letters");
  }

  @Test
  void thePaperVariantOfUserecUndoesADatasetRecipeAndKeepsThePapersPerDatasetValues() {
    ModelConfigs.Built tiktok = build(List.of("USERec", "USERec@paper"), "tiktok", List.of());
    Config ours = tiktok.configs().get("USERec");
    Config paper = tiktok.configs().get("USERec@paper");
    assertThat(ours.getBool("item_id_embedding")).isTrue(); // configs/model/USERec/tiktok.yaml
    assertThat(paper.getBool("item_id_embedding")).isFalse();
    assertThat(paper.source("item_id_embedding")).isEqualTo("configs/model/USERec@paper.yaml");
    assertThat(paper.getDouble("prune_keep")).isEqualTo(0.1);
    assertThat(paper.getDouble("pe_scale")).isEqualTo(1.0);
    Config sports = build(List.of("USERec@paper"), "sports", List.of()).configs().get("USERec@paper");
    assertThat(sports.getInt("att_samples")).isEqualTo(3);
    assertThat(sports.source("att_samples")).isEqualTo("configs/model/USERec@paper/sports.yaml");
  }

  @Test
  void eachModelGetsItsOwnLayers() {
    ModelConfigs.Built b = build(List.of("LightGCN", "USERec"), "baby", List.of());
    Config light = b.configs().get("LightGCN");
    Config userec = b.configs().get("USERec");
    assertThat(light.gridKeys()).containsExactly("n_layers", "reg_weight");
    assertThat(light.getBool("is_multimodal_model")).isFalse();
    assertThat(light.has("cl_weight")).isFalse();
    assertThat(userec.getDouble("cl_weight")).isEqualTo(0.3); // configs/model/USERec/baby.yaml
    assertThat(userec.source("cl_weight")).isEqualTo("configs/model/USERec/baby.yaml");
    assertThat(userec.getBool("is_multimodal_model")).isTrue();
    assertThat(b.notes()).isEmpty();
  }

  @Test
  void datasetYamlComesBeforeTheModelYaml() {
    Config c = build(List.of("PGL"), "tiktok", List.of()).configs().get("PGL");
    assertThat(c.getMap("feature_files")).containsKeys("image", "audio"); // configs/dataset/tiktok.yaml
    assertThat(c.getDoubleList("learning_rate_scheduler")).containsExactly(0.96, 50.0); // PGL.yaml over overall
  }

  @Test
  void aKeyGoesToTheModelsThatHaveItWithANote() {
    ModelConfigs.Built b = build(List.of("LightGCN", "FREEDOM", "USERec"), "baby", List.of(), "n_layers=2", "epochs=7");
    assertThat(b.configs().get("LightGCN").getInt("n_layers")).isEqualTo(2);
    assertThat(b.configs().get("LightGCN").gridKeys()).containsExactly("reg_weight");
    assertThat(b.configs().get("FREEDOM").has("n_layers")).isFalse();
    for (Config c : b.configs().values()) {
      assertThat(c.getInt("epochs")).isEqualTo(7);
    }
    assertThat(b.notes()).containsExactly("--set n_layers=2 applies to LightGCN only (FREEDOM, USERec have no key 'n_layers')");
  }

  @Test
  void aScopedKeyGoesToItsModelOnly() {
    ModelConfigs.Built b = build(List.of("LightGCN", "BPR"), "baby", List.of(), "lightgcn:reg_weight=1e-4", "reg_weight=0.5");
    // later wins within --set: reg_weight=0.5 reaches both, after the scoped value
    assertThat(b.configs().get("BPR").getDouble("reg_weight")).isEqualTo(0.5);
    assertThat(b.configs().get("LightGCN").getDouble("reg_weight")).isEqualTo(0.5);
    b = build(List.of("LightGCN", "BPR"), "baby", List.of(), "reg_weight=0.5", "LightGCN:reg_weight=1e-4");
    assertThat(b.configs().get("LightGCN").getDouble("reg_weight")).isEqualTo(1e-4);
    assertThat(b.configs().get("BPR").getDouble("reg_weight")).isEqualTo(0.5);
    assertThat(b.configs().get("BPR").gridKeys()).isEmpty();
    assertThat(b.notes()).isEmpty();
  }

  @Test
  void aKeyNoModelHasIsAnErrorWithASuggestion() {
    assertThatThrownBy(() -> build(List.of("LightGCN", "BPR"), "baby", List.of(), "n_layer=2"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("--set: no compared model (LightGCN, BPR) has the config key 'n_layer' (did you mean 'n_layers'?); remove it or"
            + " use a key from configs/overall.yaml or a model's yaml");
  }

  @Test
  void aScopedKeyTheModelLacksNamesModelAndKey() {
    assertThatThrownBy(() -> build(List.of("LightGCN", "USERec"), "baby", List.of(), "LightGCN:cl_weight=0.1"))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("--set LightGCN:cl_weight=0.1: LightGCN has no config key 'cl_weight'");
    assertThatThrownBy(() -> build(List.of("LightGCN"), "baby", List.of(), "PGL:dropout=0.1"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("'PGL' is not one of the compared models (LightGCN)");
    assertThatThrownBy(() -> build(List.of("LightGCN"), "baby", List.of(), "n_layers"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("expected key=value");
  }

  @Test
  void configFileKeysAreSharedOutToo(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("mine.yaml");
    Files.writeString(f, "n_layers: 3\nlearning_rate: 0.01\n");
    ModelConfigs.Built b = build(List.of("LightGCN", "BPR"), "baby", List.of(f), "learning_rate=0.002");
    assertThat(b.configs().get("LightGCN").getInt("n_layers")).isEqualTo(3);
    assertThat(b.configs().get("LightGCN").source("n_layers")).isEqualTo(f.toString());
    assertThat(b.configs().get("BPR").getDouble("learning_rate")).isEqualTo(0.002); // --set after --config
    assertThat(b.notes()).containsExactly(f + ": n_layers: 3 applies to LightGCN only (BPR has no key 'n_layers')");
    Files.writeString(f, "n_layres: 3\n");
    assertThatThrownBy(() -> build(List.of("LightGCN", "BPR"), "baby", List.of(f)))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(f + ": no compared model (LightGCN, BPR) has the config key 'n_layres' (did you mean 'n_layers'?)");
  }
}
