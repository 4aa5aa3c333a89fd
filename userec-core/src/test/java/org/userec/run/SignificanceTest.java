package org.userec.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** p-values against scipy.stats.wilcoxon 1.10.1 (defaults: zero_method "wilcox", no continuity correction). */
class SignificanceTest {
  @Test
  void exactPForFewDifferencesWithoutTies() {
    double[] x = {0.5, 0.2, 0.9, 0.4, 0.33, 0.1, 0.8, 0.77};
    double[] y = {0.41, 0.25, 0.5, 0.1, 0.3, 0.22, 0.35, 0.6};
    assertThat(Significance.wilcoxon(x, y)).isCloseTo(0.109375, within(1e-12)); // scipy: 0.109375
  }

  @Test
  void normalApproximationWithTiesAndZerosDropped() {
    double[] a = new double[300];
    double[] b = new double[300];
    for (int i = 0; i < 300; i++) { // the same arrays in the scipy call
      a[i] = ((i * 37) % 11) / 10.0;
      b[i] = Math.min(1.0, ((i * 53 + 7) % 11) / 10.0 + (i % 3 == 0 ? 0.1 : 0.0));
    }
    assertThat(Significance.wilcoxon(a, b)).isCloseTo(0.14214700679648662, within(1e-9)); // scipy: 0.14214700679648662
  }

  @Test
  void theBestRowIsTestedAgainstEachOther() {
    double[] same = {0.1, 0.2, 0.3};
    double[] better = {0.5, 0.6, 0.9};
    List<Significance.Comparison> c =
        Significance.bestAgainstOthers("recall@20", List.of(new Significance.Sample("A", same), new Significance.Sample("B", better),
            new Significance.Sample("C", same.clone())));
    assertThat(c).extracting(Significance.Comparison::best).containsOnly("B");
    assertThat(c).extracting(Significance.Comparison::other).containsExactly("A", "C");
    assertThat(c.get(0).meanDifference()).isCloseTo(0.4666666, within(1e-6));
    assertThat(c.get(0).differing()).isEqualTo(3);
    assertThat(c.get(0).pValue()).isCloseTo(0.25, within(1e-12)); // exact, n = 3, all one sign: 2 / 2^3
    assertThat(Significance.wilcoxon(same, same.clone())).isEqualTo(1.0);
  }
}
