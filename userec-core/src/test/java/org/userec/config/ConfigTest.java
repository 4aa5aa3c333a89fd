package org.userec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;

class ConfigTest {
  private static final List<String> MODELS = List.of("BPR", "LightGCN");

  @Test
  void layersApplyInOrderAndRememberTheirSource() {
    Config c = new ConfigLoader().model("LightGCN", MODELS).overrides(List.of("learning_rate=0.0005", "n_layers=2")).build();
    assertThat(c.getDouble("learning_rate")).isEqualTo(0.0005);
    assertThat(c.source("learning_rate")).isEqualTo("--set");
    assertThat(c.getInt("n_layers")).isEqualTo(2);
    assertThat(c.getInt("train_batch_size")).isEqualTo(2048);
    assertThat(c.source("train_batch_size")).isEqualTo("configs/overall.yaml");
    assertThat(c.source("reg_weight")).isEqualTo("configs/model/LightGCN.yaml");
  }

  @Test
  void mmrecStyleExponentsAreNumbers() {
    Config c = new ConfigLoader().model("LightGCN", MODELS).build();
    // YAML 1.1 reads 1e-02 as a string; MMRec means a number.
    assertThat(c.getDoubleList("reg_weight")).containsExactly(1e-2, 1e-3, 1e-4, 1e-5, 1e-6);
  }

  @Test
  void unknownKeyNamesTheLayerAndSuggests() {
    assertThatThrownBy(() -> new ConfigLoader().model("LightGCN", MODELS).overrides(List.of("n_layer=2")).build())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--set")
        .hasMessageContaining("unknown config key 'n_layer'")
        .hasMessageContaining("did you mean 'n_layers'");
  }

  @Test
  void unknownKeyInUserFileNamesTheFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("mine.yaml");
    Files.writeString(f, "learning_rate: 0.01\nlearnig_rate: 0.02\n");
    assertThatThrownBy(() -> new ConfigLoader().model("BPR", MODELS).file(f).build())
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("learnig_rate");
  }

  @Test
  void badYamlNamesFileAndLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "learning_rate: 0.01\nepochs: [1, 2\n");
    assertThatThrownBy(() -> new ConfigLoader().model("BPR", MODELS).file(f).build())
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(f + ":");
  }

  @Test
  void wrongTypeNamesSourceAndKey() {
    Config c = new ConfigLoader().model("BPR", MODELS).overrides(List.of("epochs=many")).build();
    assertThatThrownBy(() -> c.getInt("epochs"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--set: key 'epochs' must be an integer, got 'many'");
    Config d = new ConfigLoader().model("BPR", MODELS).overrides(List.of("epochs=2.5")).build();
    assertThatThrownBy(() -> d.getInt("epochs")).isInstanceOf(BadInputException.class);
  }

  @Test
  void unknownModelListsTheKnownOnes() {
    assertThatThrownBy(() -> new ConfigLoader().model("LightGNC", MODELS))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("BPR, LightGCN");
  }

  @Test
  void gridExpandsInProductOrderWithScalarValues() {
    Config c = new ConfigLoader().model("LightGCN", MODELS).overrides(List.of("n_layers=[1,2]", "reg_weight=[0.1,0.01,0.001]")).build();
    assertThat(c.gridKeys()).containsExactly("n_layers", "reg_weight");
    List<Config> grid = c.expandGrid();
    assertThat(grid).hasSize(6);
    assertThat(grid.get(0).getInt("n_layers")).isEqualTo(1);
    assertThat(grid.get(0).getDouble("reg_weight")).isEqualTo(0.1);
    assertThat(grid.get(1).getDouble("reg_weight")).isEqualTo(0.01);
    assertThat(grid.get(5).getInt("n_layers")).isEqualTo(2);
    assertThat(grid.get(5).describe(c.gridKeys())).isEqualTo("n_layers=2, reg_weight=0.001");
    // topk is a list but not a grid key
    assertThat(grid.get(0).getIntList("topk")).containsExactly(5, 10, 20, 50);
  }

  @Test
  void scalarGridKeyIsNotADimension() {
    Config c = new ConfigLoader().model("LightGCN", MODELS).overrides(List.of("n_layers=2", "reg_weight=1e-4")).build();
    assertThat(c.gridKeys()).isEmpty();
    assertThat(c.expandGrid()).hasSize(1);
  }

  @Test
  void yamlRoundTripOfMergedConfig() {
    Config c = new ConfigLoader().model("LightGCN", MODELS).overrides(List.of("field_separator=','")).build();
    Map<String, Object> back = Yaml.parseMap(c.toYaml(), "config.yaml");
    assertThat(back.keySet()).containsExactlyInAnyOrderElementsOf(c.keys());
    assertThat(String.valueOf(back.get("field_separator"))).isEqualTo(",");
    assertThat(Config.of(back).getDoubleList("reg_weight")).containsExactly(1e-2, 1e-3, 1e-4, 1e-5, 1e-6);
  }

  @Test
  void malformedSetIsAnError() {
    assertThatThrownBy(() -> new ConfigLoader().overrides(List.of("learning_rate")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("expected key=value");
  }
}
