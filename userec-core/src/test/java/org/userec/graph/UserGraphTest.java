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
    UserGraph g = UserGraph.build(5, 5, hand(), 2, 7L);
    assertThat(g.counts(0)).containsExactly(2, 2); // 1, 2, 3 tie at 2: two of them, by the pair's tie key
    assertThat(g.neighbours(0)).doesNotHaveDuplicates().doesNotContain(0, 4);
    assertThat(g.degree(0)).isEqualTo(3);
    assertThat(g.neighbours(1)).containsExactlyInAnyOrder(0, 3);
    assertThat(g.neighbours(2)[0]).isZero(); // count 2 before the two 1s
    assertThat(g.counts(2)).containsExactly(2, 1);
    assertThat(g.neighbours(4)).isEmpty();
    assertThat(g.degree(4)).isZero();
  }

  /** Ties are ordered row by row: over many rows, the tied candidate kept is not always the same. */
  @Test
  void tiesAreOrderedByTheSaltedPairNotById() {
    int lowerFirst = 0;
    int rows = 200;
    for (int u = 0; u < rows; u++) {
      lowerFirst += UserGraph.tieKey(99L, u, 1) < UserGraph.tieKey(99L, u, 2) ? 1 : 0;
    }
    assertThat(lowerFirst).isBetween(70, 130);
    assertThat(UserGraph.tieKey(1L, 3, 4)).isNotEqualTo(UserGraph.tieKey(2L, 3, 4));
    boolean differs = false;
    for (long salt = 0; salt < 20 && !differs; salt++) {
      differs = !java.util.Arrays.equals(
          UserGraph.build(5, 5, hand(), 1, salt).neighbours(0), UserGraph.build(5, 5, hand(), 1, salt + 1).neighbours(0));
    }
    assertThat(differs).isTrue();
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
      UserGraph g = UserGraph.build(users, items, train, 6, 5L);
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
            assertThat(cn[q] < cn[q - 1] || (cn[q] == cn[q - 1] && key(a, nb[q]) > key(a, nb[q - 1]))).isTrue();
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
              assertThat(dense[a][b] < cn[last] || (dense[a][b] == cn[last] && key(a, b) > key(a, nb[last]))).isTrue();
            }
          }
        }
      }
    }
  }

  private static long key(int u, int v) {
    return UserGraph.tieKey(5L, u, v);
  }

  @Test
  void samplePadsShortListsAndWeighsBySoftmax() {
    UserGraph g = UserGraph.build(5, 5, hand(), 4, 3L);
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
