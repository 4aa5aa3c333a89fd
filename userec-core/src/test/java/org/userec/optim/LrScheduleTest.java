package org.userec.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.userec.tensor.Param;

class LrScheduleTest {
  @Test
  void factorIsAToTheEpochOverB() {
    LrSchedule s = new LrSchedule(0.96, 50);
    assertThat(s.factor(0)).isEqualTo(1.0);
    assertThat(s.factor(50)).isCloseTo(0.96, within(1e-15));
    assertThat(s.factor(25)).isCloseTo(Math.sqrt(0.96), within(1e-15));
    assertThat(s.factor(1)).isCloseTo(Math.exp(Math.log(0.96) / 50), within(1e-15)); // real division
    assertThat(s.factor(1)).isLessThan(1.0);
    assertThat(s.learningRate(1e-3, 100)).isCloseTo(1e-3 * 0.96 * 0.96, within(1e-15));
  }

  @Test
  void defaultIsConstant() {
    LrSchedule s = LrSchedule.constant();
    assertThat(s.factor(0)).isEqualTo(1.0);
    assertThat(s.factor(999)).isEqualTo(1.0);
  }

  @Test
  void appliesToAdam() {
    Adam adam = new Adam(List.of(new Param("w", 1, 1)), 1e-3);
    new LrSchedule(0.5, 2).apply(adam, 1e-3, 4);
    assertThat(adam.learningRate()).isCloseTo(2.5e-4, within(1e-18));
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new LrSchedule(0.96, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LrSchedule(-1, 50)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LrSchedule.constant().factor(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
