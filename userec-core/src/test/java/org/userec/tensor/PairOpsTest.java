package org.userec.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;
import static org.userec.tensor.GradCheck.param;

import org.junit.jupiter.api.Test;

/** {@link PairOps}: values against their definitions and finite-difference gradients of every input. */
class PairOpsTest {

  @Test
  void quadraticMeanValues() {
    Tensor a = Tensor.of(1, 3, 3f, 0f, -1f);
    Tensor b = Tensor.of(1, 3, 4f, 0f, 1f);
    Tensor y = PairOps.quadraticMean(Tape.noGrad(), a, b, 1e-8f);
    assertThat(y.data[0]).isCloseTo((float) Math.sqrt(12.5), offset(1e-6f));
    assertThat(y.data[1]).isCloseTo(1e-4f, offset(1e-9f));
    assertThat(y.data[2]).isCloseTo(1f, offset(1e-6f));
  }

  @Test
  void quadraticMeanGradients() {
    Param a = param("a", 3, 4, 1);
    Param b = param("b", 3, 4, 2);
    GradCheck.of("quadraticMean").check(tp -> PairOps.quadraticMean(tp, a, b, 1e-2f), a, b);
    GradCheck.of("quadraticMean(a,a)").check(tp -> PairOps.quadraticMean(tp, a, a, 1e-2f), a);
  }

  @Test
  void rowCosineValues() {
    Tensor a = Tensor.of(3, 2, 1f, 0f, 3f, 4f, 0f, 0f);
    Tensor b = Tensor.of(3, 2, 0f, 2f, 6f, 8f, 1f, 1f);
    Tensor w = PairOps.rowCosine(Tape.noGrad(), a, b, 1e-8f);
    assertThat(w.rows).isEqualTo(3);
    assertThat(w.cols).isEqualTo(1);
    assertThat(w.data[0]).isCloseTo(0f, offset(1e-7f));
    assertThat(w.data[1]).isCloseTo(1f, offset(1e-6f));
    assertThat(w.data[2]).isEqualTo(0f); // a zero row: 0 / (eps · ‖b‖), not NaN
  }

  @Test
  void rowCosineGradients() {
    Param a = param("a", 4, 5, 3);
    Param b = param("b", 4, 5, 4);
    GradCheck.of("rowCosine").check(tp -> PairOps.rowCosine(tp, a, b, 1e-8f), a, b);
    Tensor shift = param("shift", 4, 5, 5).copy();
    GradCheck.of("rowCosine(a,a+c)").check(tp -> PairOps.rowCosine(tp, a, tp.add(a, shift), 1e-8f), a);
  }

  @Test
  void aZeroRowPassesAFiniteGradient() {
    Param a = new Param("a", Tensor.of(1, 2, 0f, 0f));
    Param b = new Param("b", Tensor.of(1, 2, 1f, 1f));
    Tape t = Tape.recording();
    t.backward(PairOps.rowCosine(t, a, b, 1e-8f));
    for (float g : b.grad()) {
      assertThat(g).isZero(); // w = 0 and a = 0: nothing flows to b
    }
    for (float g : a.grad()) {
      assertThat(g).isFinite();
    }
  }

  @Test
  void shapesMustAgree() {
    Tensor a = new Tensor(2, 3);
    Tensor b = new Tensor(3, 2);
    assertThatThrownBy(() -> PairOps.rowCosine(Tape.noGrad(), a, b, 1e-8f)).hasMessageContaining("2x3 vs 3x2");
    assertThatThrownBy(() -> PairOps.quadraticMean(Tape.noGrad(), a, b, 1e-8f)).hasMessageContaining("2x3 vs 3x2");
  }
}
