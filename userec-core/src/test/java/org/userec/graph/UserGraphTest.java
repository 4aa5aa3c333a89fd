package org.userec.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.userec.data.Interactions;
import org.userec.util.Parallel;

class UserGraphTest {
  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(Runtime.getRuntime().availableProcessors());
  }

  /**
   * Users by item: u0: i0 i1 i2 (i1 twice); u1: i0 i1; u2: i1 i2; u3: i0 i1 i3; u4: i4. Co-counts: c01 = 2,
   * c02 = 2, c03 = 2, c12 = 1, c13 = 2, c23 = 1; u4 has none.
   */
  private static Interactions hand() {
    return new Interactions(
        new int[] {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4}, new int[] {0, 1, 1, 2, 0, 1, 1, 2, 0, 1, 3, 4});
  }

  @Test
  void countsAndOrderByHand() {
    UserGraph g = UserGraph.build(5, 5, hand(), 2);
    assertThat(g.neighbours(0)).containsExactly(1, 2); // 1, 2, 3 tie at 2: the lower ids
    assertThat(g.counts(0)).containsExactly(2, 2);
    assertThat(g.degree(0)).isEqualTo(3);
    assertThat(g.neighbours(1)).containsExactly(0, 3);
    assertThat(g.neighbours(2)).containsExactly(0, 1);
    assertThat(g.counts(2)).containsExactly(2, 1);
    assertThat(g.neighbours(4)).isEmpty();
    assertThat(g.degree(4)).isZero();
  }

  /** The counts, top lists and degrees equal a dense |U|² count with the same order, on any thread count. */
  @Test
  void matchesADenseCount() {
    SplittableRandom rng = new SplittableRandom(5);
    int users = 70;
    int items = 25;
    int n = 400;
    int[] u = new int[n];
    int[] i = new int[n];
    for (int k = 0; k < n; k++) {
      u[k] = rng.nextInt(users);
      i[k] = rng.nextInt(items);
    }
    Interactions train = new Interactions(u, i);
    Set<Long> pairs = new HashSet<>();
    for (int k = 0; k < n; k++) {
      pairs.add((long) u[k] * items + i[k]);
    }
    int[][] dense = new int[users][users];
    for (long p : pairs) {
      for (long q : pairs) {
        int a = (int) (p / items);
        int b = (int) (q / items);
        if (a != b && p % items == q % items) {
          dense[a][b]++;
        }
      }
    }
    for (int threads : new int[] {1, 2}) {
      Parallel.setThreads(threads);
      UserGraph g = UserGraph.build(users, items, train, 6);
      for (int a = 0; a < users; a++) {
        int degree = 0;
        for (int b = 0; b < users; b++) {
          degree += dense[a][b] > 0 ? 1 : 0;
        }
        assertThat(g.degree(a)).isEqualTo(degree);
        int[] nb = g.neighbours(a);
        int[] cn = g.counts(a);
        assertThat(nb.length).isEqualTo(Math.min(6, degree));
        for (int q = 0; q < nb.length; q++) {
          assertThat(cn[q]).isEqualTo(dense[a][nb[q]]);
          if (q > 0) {
            assertThat(cn[q] < cn[q - 1] || (cn[q] == cn[q - 1] && nb[q] > nb[q - 1])).isTrue();
          }
        }
        if (nb.length > 0) { // nothing left out ranks above the last kept
          int last = nb.length - 1;
          for (int b = 0; b < users; b++) {
            boolean kept = false;
            for (int v : nb) {
              kept |= v == b;
            }
            if (!kept && b != a && dense[a][b] > 0) {
              assertThat(dense[a][b] < cn[last] || (dense[a][b] == cn[last] && b > nb[last])).isTrue();
            }
          }
        }
      }
    }
  }

  @Test
  void samplePadsShortListsAndWeighsBySoftmax() {
    UserGraph g = UserGraph.build(5, 5, hand(), 4);
    CsrMatrix w = g.sample(new SplittableRandom(3));
    assertThat(w.rows).isEqualTo(5);
    float[] sums = w.rowSums();
    for (int a = 0; a < 4; a++) {
      assertThat(sums[a]).isCloseTo(1f, offset(1e-6f));
    }
    assertThat(w.rowPtr[5] - w.rowPtr[4]).isZero(); // no neighbours: an empty row
    // user 2 has three neighbours (0: 2, 1: 1, 3: 1) padded to four by one repeat: weights ∝ multiplicity·e^c
    double e2 = Math.exp(2);
    double e1 = Math.exp(1);
    int[] cols = new int[w.rowPtr[3] - w.rowPtr[2]];
    for (int q = w.rowPtr[2]; q < w.rowPtr[3]; q++) {
      cols[q - w.rowPtr[2]] = w.colIdx[q];
    }
    assertThat(cols).containsExactly(0, 1, 3);
    // the three values are m_v e^{c_v} / Σ m e^c with multiplicities m summing to 4, each ≥ 1
    boolean matched = false;
    for (int extra = 0; extra < 3; extra++) {
      double[] m = {1, 1, 1};
      m[extra] = 2;
      double z = m[0] * e2 + m[1] * e1 + m[2] * e1;
      double[] want = {m[0] * e2 / z, m[1] * e1 / z, m[2] * e1 / z};
      boolean all = true;
      for (int q = 0; q < 3; q++) {
        all &= Math.abs(w.values[w.rowPtr[2] + q] - want[q]) < 1e-6;
      }
      matched |= all;
    }
    assertThat(matched).isTrue();
    // user 0 has three neighbours too; different seeds pad differently somewhere
    boolean differs = false;
    for (long seed = 1; seed < 20 && !differs; seed++) {
      CsrMatrix o = g.sample(new SplittableRandom(seed));
      differs = !java.util.Arrays.equals(o.values, w.values);
    }
    assertThat(differs).isTrue();
  }
}
