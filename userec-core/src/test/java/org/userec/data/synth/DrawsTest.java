package org.userec.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DrawsTest {
  @Test
  void normalHasUnitMoments() {
    Draws.Normal n = new Draws.Normal(new SplittableRandom(3));
    double s = 0;
    double s2 = 0;
    int m = 200_000;
    for (int k = 0; k < m; k++) {
      double x = n.next();
      s += x;
      s2 += x * x;
    }
    assertThat(s / m).isCloseTo(0, within(0.01));
    assertThat(s2 / m).isCloseTo(1, within(0.02));
  }

  @Test
  void gumbelHasItsMean() {
    SplittableRandom rng = new SplittableRandom(4);
    double s = 0;
    int m = 200_000;
    for (int k = 0; k < m; k++) {
      s += Draws.gumbel(rng);
    }
    assertThat(s / m).isCloseTo(0.5772156649, within(0.01)); // Euler–Mascheroni
  }

  @Test
  void aliasTableSamplesInProportion() {
    double[] w = {1, 0, 3, 6};
    AliasTable t = new AliasTable(w);
    SplittableRandom rng = new SplittableRandom(5);
    int[] c = new int[4];
    int m = 100_000;
    for (int k = 0; k < m; k++) {
      c[t.sample(rng)]++;
    }
    assertThat(c[1]).isZero();
    assertThat(c[0] / (double) m).isCloseTo(0.1, within(0.01));
    assertThat(c[2] / (double) m).isCloseTo(0.3, within(0.01));
    assertThat(c[3] / (double) m).isCloseTo(0.6, within(0.01));
  }
}
