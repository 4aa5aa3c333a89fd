package org.userec.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TextEncoderTest {
  private static TextEncoder encoder;
  private static String why;

  @BeforeAll
  static void load() {
    try {
      encoder = TextEncoder.load(2);
    } catch (IllegalStateException e) {
      why = e.getMessage();
    }
  }

  @AfterAll
  static void close() {
    if (encoder != null) {
      encoder.close();
    }
  }

  private static TextEncoder encoder() {
    Assumptions.assumeTrue(encoder != null, () -> "skipped: the text model cannot load here: " + why);
    return encoder;
  }

  @Test
  void similarSentencesAreCloserThanUnrelatedOnes() {
    float[][] v =
        encoder().encode(List.of(
            "A soft cotton blanket for a newborn baby's crib.",
            "Warm baby blanket made of soft cotton, for the nursery.",
            "Stainless steel socket wrench set for car repair."));
    assertThat(v).hasDimensions(3, TextEncoder.DIMENSION);
    for (float[] r : v) {
      assertThat(dot(r, r)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }
    assertThat(dot(v[0], v[1])).isGreaterThan(dot(v[0], v[2]) + 0.2);
    assertThat(dot(v[0], v[1])).isGreaterThan(dot(v[1], v[2]) + 0.2);
  }

  @Test
  void blankTextsAndLongTextsEncodeAndTruncateAt256Tokens() {
    String longText = "blanket ".repeat(600);
    String cut = "blanket ".repeat(TextEncoder.MAX_TOKENS - 2);
    assertThat(encoder().tokens(longText)).isEqualTo(TextEncoder.MAX_TOKENS);
    float[][] v = encoder().encode(List.of("", longText, cut, "a short one"));
    assertThat(v[0]).hasSize(TextEncoder.DIMENSION);
    assertThat(dot(v[1], v[2])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    // Padding in a batch does not change a text's vector.
    float[] alone = encoder().encode(List.of("a short one"))[0];
    assertThat(dot(alone, v[3])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
  }

  @Test
  void agreesWithLangchain4jsOwnModelOnShortTexts() {
    TextEncoder enc = encoder();
    var reference = new dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel();
    String text = "Stainless steel socket wrench set for car repair.";
    float[] theirs = reference.embed(text).content().vector();
    float[] ours = enc.encode(List.of(text, "a longer text that pads the first one in this batch of two texts"))[0];
    assertThat(dot(ours, theirs)).isGreaterThan(0.99999);
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * b[k];
    }
    return s;
  }
}
