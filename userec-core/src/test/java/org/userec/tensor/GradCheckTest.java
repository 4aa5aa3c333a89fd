package org.userec.tensor;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The gradient check itself: it passes a right gradient and fails wrong or overwriting ones. */
class GradCheckTest {

  /** x², with a backward that can be made wrong on purpose. */
  private static Tensor square(Tape tape, Tensor x, float slope, boolean overwrite) {
    Tensor out = tape.output(x.rows, x.cols, x);
    for (int i = 0; i < x.size(); i++) {
      out.data[i] = x.data[i] * x.data[i];
    }
    tape.onBackward(out, () -> {
      float[] gx = x.gradBuffer();
      for (int i = 0; i < gx.length; i++) {
        float d = out.grad[i] * slope * x.data[i];
        gx[i] = overwrite ? d : gx[i] + d;
      }
    });
    return out;
  }

  @Test
  void acceptsTheRightGradient() {
    Param x = GradCheck.param("x", 2, 3, 1);
    assertThatCode(() -> GradCheck.of("square").check(t -> square(t, x, 2f, false), x)).doesNotThrowAnyException();
  }

  @Test
  void rejectsAWrongGradient() {
    Param x = GradCheck.param("x", 2, 3, 1);
    assertThatThrownBy(() -> GradCheck.of("square").check(t -> square(t, x, 1.9f, false), x))
        .isInstanceOf(AssertionError.class).hasMessageContaining("finite difference");
  }

  @Test
  void rejectsABackwardThatOverwrites() {
    Param x = GradCheck.param("x", 2, 3, 1);
    assertThatThrownBy(() -> GradCheck.of("square").check(t -> square(t, x, 2f, true), x))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void rejectsAVacuousCheck() {
    Param x = GradCheck.param("x", 2, 3, 1);
    Param unused = GradCheck.param("unused", 1, 1, 2);
    assertThatThrownBy(() -> GradCheck.of("unused").check(t -> t.mulScalar(x, Tensor.scalar(1f)), x, unused))
        .isInstanceOf(AssertionError.class).hasMessageContaining("proves nothing");
  }
}
