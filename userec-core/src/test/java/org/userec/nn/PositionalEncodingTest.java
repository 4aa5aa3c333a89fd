package org.userec.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;
import org.userec.tensor.Tensor;

class PositionalEncodingTest {
  @Test
  void valuesByHand() {
    Tensor pe = PositionalEncoding.sinusoidal(4, 8);
    assertThat(pe.rows).isEqualTo(4);
    assertThat(pe.cols).isEqualTo(8);
    // position 0: sin 0 = 0 at even columns, cos 0 = 1 at odd columns
    assertThat(pe.data).startsWith(0f, 1f, 0f, 1f, 0f, 1f, 0f, 1f);
    // column pair j: frequency 10000^(-2j/8): 1, 0.1, 0.01, 0.001
    assertThat(pe.get(3, 0)).isCloseTo((float) Math.sin(3), offset(1e-7f));
    assertThat(pe.get(3, 1)).isCloseTo((float) Math.cos(3), offset(1e-7f));
    assertThat(pe.get(3, 2)).isCloseTo((float) Math.sin(0.3), offset(1e-7f));
    assertThat(pe.get(2, 5)).isCloseTo((float) Math.cos(0.02), offset(1e-7f));
    assertThat(pe.get(3, 7)).isCloseTo((float) Math.cos(0.003), offset(1e-7f));
    assertThat(pe.requiresGrad()).isFalse();
  }

  @Test
  void oddDimensionEndsWithASine() {
    Tensor pe = PositionalEncoding.sinusoidal(3, 5);
    assertThat(pe.get(2, 4)).isCloseTo((float) Math.sin(2 * Math.pow(10000, -4.0 / 5)), offset(1e-7f));
    assertThat(pe.get(2, 3)).isCloseTo((float) Math.cos(2 * Math.pow(10000, -2.0 / 5)), offset(1e-7f));
  }

  @Test
  void largeIndicesStayBounded() {
    Tensor pe = PositionalEncoding.sinusoidal(20000, 128);
    for (float v : pe.data) {
      assertThat(v).isBetween(-1f, 1f);
    }
    assertThat(pe.get(19999, 0)).isCloseTo((float) Math.sin(19999), offset(1e-6f));
  }

  @Test
  void rejectsBadShapes() {
    assertThatThrownBy(() -> PositionalEncoding.sinusoidal(3, 0)).hasMessageContaining("dim");
  }
}
