package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.FeatureTable;

/** Held-out finding of the 2026-12-08 audit: mm_image_weight follows the modality's name, not its place. */
class ModalityWeightsByNameTest {
  static FeatureTable t(String name) {
    return new FeatureTable(name, 2, 1, new float[2]);
  }

  static final Config C = Config.of(Map.of("mm_image_weight", 0.1));

  @Test
  void HeldOut_mmImageWeightGoesToTheImageModalityInEitherOrder() {
    assertThat(Modalities.weights(C, List.of(t("image"), t("text")), "FREEDOM")).containsExactly(0.1, 0.9);
    assertThat(Modalities.weights(C, List.of(t("text"), t("image")), "FREEDOM")).containsExactly(0.9, 0.1);
    assertThat(Modalities.weights(C, List.of(t("text"), t("vision")), "FREEDOM")).containsExactly(0.9, 0.1);
  }

  @Test
  void HeldOut_twoModalitiesWithoutAnImageOneSayWhichWeightGoesWhere() {
    assertThatThrownBy(() -> Modalities.weights(C, List.of(t("text"), t("audio")), "FREEDOM"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("neither of [text, audio] is named image")
        .hasMessageContaining("modality_weights: [w_text, w_audio]");
    Config explicit = Config.of(Map.of("mm_image_weight", 0.1, "modality_weights", List.of(0.3, 0.7)));
    assertThat(Modalities.weights(explicit, List.of(t("text"), t("audio")), "FREEDOM")).containsExactly(0.3, 0.7);
  }
}
