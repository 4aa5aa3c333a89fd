package org.userec.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.userec.tensor.GradCheck.param;

import org.junit.jupiter.api.Test;

class RowNormsTest {
  @Test
  void inverseNormsAreNormalizesScale() {
    Param x = param("x", 4, 3, 1);
    Tape t = Tape.noGrad();
    Tensor inv = RowNorms.inverse(t, x);
    Tensor viaScale = t.scaleRows(x, inv);
    Tensor normalized = t.l2NormalizeRows(x);
    for (int k = 0; k < x.size(); k++) {
      assertThat((double) viaScale.data[k]).isCloseTo(normalized.data[k], within(1e-6));
    }
    assertThat(RowNorms.inverse(t, Tensor.of(1, 2, 3f, 4f)).data[0]).isCloseTo(0.2f, within(1e-7f));
  }

  @Test
  void aZeroRowStaysZeroAndPassesNoGradient() {
    Param x = new Param("x", Tensor.of(2, 2, 0f, 0f, 3f, 4f));
    Tape t = Tape.recording();
    Tensor inv = RowNorms.inverse(t, x);
    assertThat(inv.data[0]).isEqualTo(1e12f);
    t.backward(t.sum(t.scaleRows(x, inv)));
    assertThat(x.grad()[0]).isEqualTo(1e12f); // through scaleRows only: d(x·s)/dx = s
    assertThat(x.grad()[1]).isEqualTo(1e12f);
  }

  @Test
  void gradient() {
    Param x = param("x", 5, 3, 2);
    GradCheck.of("RowNorms.inverse").check(tp -> RowNorms.inverse(tp, x), x);
    GradCheck.of("normalize via RowNorms").check(tp -> tp.scaleRows(x, RowNorms.inverse(tp, x)), x);
  }
}
