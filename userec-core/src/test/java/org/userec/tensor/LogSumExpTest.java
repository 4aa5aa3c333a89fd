package org.userec.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.userec.tensor.GradCheck.param;

import org.junit.jupiter.api.Test;

class LogSumExpTest {

  @Test
  void gradientMatchesFiniteDifferences() {
    Param x = param("x", 5, 7, 1, -3, 3);
    GradCheck.of("logSumExp").check(tp -> LogSumExp.rows(tp, x), x);
    Param one = param("one", 3, 1, 2);
    GradCheck.of("logSumExp of one column").check(tp -> LogSumExp.rows(tp, tp.scale(one, 2f)), one);
  }

  @Test
  void largeRowsSplitAcrossThreadsGiveTheSameGradient() {
    Param x = param("x", 70, 3, 4, -2, 2); // more rows than one task holds
    GradCheck.of("logSumExp 70 rows").check(tp -> LogSumExp.rows(tp, x), x);
  }

  @Test
  void valuesAreStableForLargeArguments() {
    Tensor x = Tensor.of(2, 3, 1000f, 1000f, 1000f, -1000f, 0f, -1000f);
    Tensor y = LogSumExp.rows(Tape.noGrad(), x);
    assertThat(y.data[0]).isCloseTo((float) (1000 + Math.log(3)), within(1e-3f));
    assertThat(y.data[1]).isCloseTo(0f, within(1e-6f));
  }

  @Test
  void aRowOfMinusInfinityGivesMinusInfinity() {
    float inf = Float.NEGATIVE_INFINITY;
    Tensor y = LogSumExp.rows(Tape.noGrad(), Tensor.of(1, 2, inf, inf));
    assertThat(y.data[0]).isEqualTo(inf);
  }
}
