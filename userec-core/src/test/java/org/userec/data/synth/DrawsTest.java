package org.userec.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DrawsTest {
  @Test
  void logMatchesStrictMath() {
    SplittableRandom rng = new SplittableRandom(1);
    double worst = 0;
    for (int k = 0; k < 200_000; k++) {
      double x = Math.scalb(1 + rng.nextDouble(), rng.nextInt(-1000, 1000));
      double want = StrictMath.log(x);
      worst = Math.max(worst, Math.abs(Draws.log(x) - want) / Math.max(Math.ulp(want), Double.MIN_NORMAL));
    }
    assertThat(worst).as("worst log error in ulps").isLessThanOrEqualTo(4);
    for (double x : new double[] {1, 2, 0.5, Math.sqrt(2), Math.nextUp(Math.sqrt(2)), Double.MIN_VALUE, Double.MAX_VALUE}) {
      assertThat(Draws.log(x)).as("log(%s)", x).isCloseTo(StrictMath.log(x), within(4 * Math.ulp(StrictMath.log(x)) + 1e-300));
    }
    assertThat(Draws.log(0)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(Draws.log(-1)).isNaN();
    assertThat(Draws.log(Double.POSITIVE_INFINITY)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void expAndTanhMatchStrictMath() {
    SplittableRandom rng = new SplittableRandom(2);
    double worstExp = 0;
    double worstTanh = 0;
    for (int k = 0; k < 200_000; k++) {
      double x = rng.nextDouble(-745, 709);
      double want = StrictMath.exp(x);
      worstExp = Math.max(worstExp, want == 0 ? Draws.exp(x) : Math.abs(Draws.exp(x) - want) / Math.ulp(want));
      double y = rng.nextDouble(-25, 25);
      worstTanh = Math.max(worstTanh, Math.abs(Draws.tanh(y) - StrictMath.tanh(y)));
    }
    assertThat(worstExp).as("worst exp error in ulps").isLessThanOrEqualTo(4);
    assertThat(worstTanh).as("worst tanh error").isLessThanOrEqualTo(4e-16);
    assertThat(Draws.exp(710)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(Draws.exp(-800)).isZero();
    assertThat(Draws.tanh(0)).isZero();
    assertThat(Draws.tanh(Double.NaN)).isNaN();
    assertThat(Draws.tanh(Double.NEGATIVE_INFINITY)).isEqualTo(-1);
  }

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
