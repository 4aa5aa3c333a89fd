package org.userec.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticSpecTest {
  @Test
  void presetsHaveTheAdvertisedShapes() {
    assertShape(SyntheticSpec.preset("tiny"), 200, 100, 2_000, 32, 16);
    assertShape(SyntheticSpec.preset("small"), 3_000, 1_500, 30_000, 128, 64);
    assertShape(SyntheticSpec.preset("Baby"), 19_445, 7_050, 160_792, 768, 384);
    assertShape(SyntheticSpec.preset("ELEC"), 192_403, 63_001, 1_689_188, 256, 128);
    for (String p : SyntheticSpec.presetNames()) {
      SyntheticSpec s = SyntheticSpec.preset(p);
      assertThat(s.name()).isEqualTo(p);
      assertThat(s.seed()).isEqualTo(SyntheticSpec.DEFAULT_SEED);
      assertThat(s.modalityNames()).containsExactly("image", "text");
    }
  }

  @Test
  void unknownPresetNamesTheKnownOnes() {
    assertThatThrownBy(() -> SyntheticSpec.preset("sports"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sports").hasMessageContaining("tiny").hasMessageContaining("elec");
  }

  @Test
  void withersReplaceOneField() {
    SyntheticSpec s = SyntheticSpec.elec().withFeatureDims(4096, 384).withSeed(7).withName("elec4k");
    assertShape(s, 192_403, 63_001, 1_689_188, 4096, 384);
    assertThat(s.seed()).isEqualTo(7);
    assertThat(s.name()).isEqualTo("elec4k");
    assertThat(s.withLatentDim(32).latentDim()).isEqualTo(32);
    assertThat(s.withFeatureNoise(0).featureNoise()).isZero();
    assertThat(s.withPopularityExponent(1).popularityExponent()).isEqualTo(1.0);
    assertThat(s.withAffinityTemperature(2).affinityTemperature()).isEqualTo(2.0);
    assertThat(s.withSize(10, 20, 100).interactions()).isEqualTo(100);
    assertThatThrownBy(() -> s.withFeatureDims(64)).hasMessageContaining("1 dims given for 2 modalities");
    assertThat(SyntheticSpec.tiny().describe()).startsWith("tiny: 200 users, 100 items, 2000 interactions")
        .endsWith("modalities [image 32, text 16], seed 999");
  }

  @Test
  void compactConstructorRejectsImpossibleSpecs() {
    SyntheticSpec t = SyntheticSpec.tiny();
    assertThatThrownBy(() -> t.withSize(0, 100, 2_000)).hasMessageContaining("users must be >= 1");
    assertThatThrownBy(() -> t.withSize(200, 4, 2_000)).hasMessageContaining("items must be >= 5");
    assertThatThrownBy(() -> t.withSize(200, 100, 999)).hasMessageContaining("use at least 1000");
    assertThatThrownBy(() -> t.withSize(10, 100, 60)).hasMessageContaining("each of 100 items one");
    assertThatThrownBy(() -> t.withSize(10, 10, 101)).hasMessageContaining("exceed users x items = 100");
    assertThatThrownBy(() -> t.withLatentDim(0)).hasMessageContaining("latentDim");
    assertThatThrownBy(() -> t.withPopularityExponent(-1)).hasMessageContaining("popularityExponent");
    assertThatThrownBy(() -> t.withPopularityExponent(Double.NaN)).hasMessageContaining("popularityExponent");
    assertThatThrownBy(() -> t.withAffinityTemperature(0)).hasMessageContaining("affinityTemperature");
    assertThatThrownBy(() -> t.withFeatureNoise(Double.POSITIVE_INFINITY)).hasMessageContaining("featureNoise");
    assertThatThrownBy(() -> t.withName("../x")).hasMessageContaining("dataset name '../x'");
    assertThatThrownBy(() -> t.withName(null)).hasMessageContaining("dataset name");
    assertThatThrownBy(() -> t.withModalities(null)).hasMessageContaining("modalities must not be null");
    assertThatThrownBy(() -> t.withModalities(List.of(new SyntheticSpec.Modality("a", 2), new SyntheticSpec.Modality("a", 3))))
        .hasMessageContaining("'a' appears twice");
    assertThatThrownBy(() -> new SyntheticSpec.Modality("image", 0)).hasMessageContaining("dim must be >= 1");
    assertThatThrownBy(() -> new SyntheticSpec.Modality("a b", 3)).hasMessageContaining("modality name 'a b'");
    assertThat(t.withModalities(List.of()).modalities()).isEmpty();
  }

  private static void assertShape(SyntheticSpec s, int users, int items, int interactions, int image, int text) {
    assertThat(s.users()).isEqualTo(users);
    assertThat(s.items()).isEqualTo(items);
    assertThat(s.interactions()).isEqualTo(interactions);
    assertThat(s.modalities()).containsExactly(
        new SyntheticSpec.Modality("image", image), new SyntheticSpec.Modality("text", text));
  }
}
