package org.userec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.userec.BadInputException;

/** configs/model/<MODEL>/<dataset>.yaml: after the model yaml, before --config and --set. */
class ModelDatasetLayerTest {
  private static final List<String> MODELS = List.of("USERec");

  @Test
  void datasetSpecificModelSettingsOverrideTheModelYaml() {
    Config c = new ConfigLoader().dataset("sports", null).model("USERec", MODELS).build();
    assertThat(c.getDouble("cl_dropout")).isEqualTo(0.1);
    assertThat(c.getDouble("cl_weight")).isEqualTo(0.2);
    assertThat(c.getInt("att_samples")).isEqualTo(3);
    assertThat(c.source("cl_weight")).isEqualTo("configs/model/USERec/sports.yaml");
    assertThat(c.source("prune_keep")).isEqualTo("configs/model/USERec/sports.yaml");
    assertThat(c.source("n_ui_layers")).isEqualTo("configs/model/USERec.yaml");
    assertThat(c.gridKeys()).containsExactly("reg_weight"); // cl_weight fixed for Sports
  }

  @Test
  void orderOfDatasetAndModelCallsDoesNotMatter() {
    Config c = new ConfigLoader().model("USERec", MODELS).dataset("clothing", null).build();
    assertThat(c.getDouble("cl_weight")).isEqualTo(0.5);
    assertThat(c.source("cl_weight")).isEqualTo("configs/model/USERec/clothing.yaml");
  }

  @Test
  void setStillWins() {
    Config c = new ConfigLoader().dataset("baby", null).model("USERec", MODELS).overrides(List.of("cl_weight=0.4")).build();
    assertThat(c.getDouble("cl_weight")).isEqualTo(0.4);
    assertThat(c.source("cl_weight")).isEqualTo("--set");
  }

  @Test
  void noDatasetFileMeansTheModelDefaults() {
    Config c = new ConfigLoader().dataset("somewhere-else", null).model("USERec", MODELS).build();
    assertThat(c.getDoubleList("cl_weight")).containsExactly(0.3, 0.1, 0.5);
    assertThat(c.source("cl_weight")).isEqualTo("configs/model/USERec.yaml");
    assertThat(c.gridKeys()).containsExactly("reg_weight", "cl_weight");
  }

  @Test
  void everyPackagedDatasetFileUsesOnlyKnownKeys() {
    for (String ds : List.of("baby", "sports", "clothing", "elec", "tiktok", "microlens")) {
      Config c = new ConfigLoader().dataset(ds, null).model("USERec", MODELS).build();
      // the paper's 0.1 on Amazon; TikTok's file validated a denser training graph, MicroLens's reuses TikTok's
      boolean tiktokRecipe = ds.equals("tiktok") || ds.equals("microlens");
      assertThat(c.getDouble("prune_keep")).as(ds).isEqualTo(tiktokRecipe ? 0.5 : 0.1);
      assertThat(c.getBool("item_id_embedding", false)).as(ds).isEqualTo(tiktokRecipe);
    }
  }

  @Test
  void microLensBaselinesSearchTheirReducedGrids() {
    Config lightgcn = new ConfigLoader().dataset("microlens", null).model("LightGCN", List.of("LightGCN")).build();
    assertThat(lightgcn.getIntList("n_layers")).containsExactly(1, 2);
    assertThat(lightgcn.getDoubleList("reg_weight")).containsExactly(1e-2, 1e-3, 1e-4);
    assertThat(lightgcn.source("n_layers")).isEqualTo("configs/model/LightGCN/microlens.yaml");
    Config freedom = new ConfigLoader().dataset("microlens", null).model("FREEDOM", List.of("FREEDOM")).build();
    assertThat(freedom.getDoubleList("dropout")).containsExactly(0.8);
    assertThat(freedom.getDoubleList("reg_weight")).containsExactly(0.0, 1e-4, 1e-3);
    // elsewhere the full grids of the model yaml
    Config baby = new ConfigLoader().dataset("baby", null).model("LightGCN", List.of("LightGCN")).build();
    assertThat(baby.getIntList("n_layers")).containsExactly(1, 2, 3, 4);
  }

  @Test
  void aTypoInTheDatasetLayerNamesItsFile() {
    assertThatThrownBy(() -> new ConfigLoader().dataset("typo-test", null).model("USERec", MODELS).build())
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("configs/model/USERec/typo-test.yaml")
        .hasMessageContaining("cl_wieght")
        .hasMessageContaining("did you mean 'cl_weight'");
  }
}
