package org.userec.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.userec.data.Interactions;
import org.userec.util.Parallel;

class CoInteractionGraphTest {
  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(Runtime.getRuntime().availableProcessors());
  }

  /**
   * u0: i0 i1 i2; u1: i0 i1; u2: i1 i2; u3: i0 i1 i3. Co-counts: c01 = 3, c12 = 2, c02 = c03 = c13 = 1, c23 = 0.
   */
  private static Interactions hand() {
    return new Interactions(
        new int[] {0, 0, 0, 1, 1, 2, 2, 3, 3, 3}, new int[] {0, 1, 2, 0, 1, 1, 2, 0, 1, 3});
  }

  private static float n(double a, double di, double dj) {
    return (float) (a * Math.pow(di + 1e-7, -0.5) * Math.pow(dj + 1e-7, -0.5));
  }

  @Test
  void binaryTopTwoByHand() {
    // tops (count desc, index asc): i0 {1, 2}; i1 {0, 2}; i2 {1, 0}; i3 {0, 1}; every row sum 2
    CsrMatrix g = CoInteractionGraph.build(4, 4, hand(), 1, 2, false, false);
    assertThat(g.rowPtr).containsExactly(0, 2, 4, 6, 8);
    assertThat(g.colIdx).containsExactly(1, 2, 0, 2, 0, 1, 0, 1);
    for (float v : g.values) {
      assertThat(v).isCloseTo(n(1, 2, 2), offset(1e-7f));
    }
  }

  @Test
  void minimumCountDropsRarePairs() {
    // c >= 2: i0 {1}; i1 {0, 2}; i2 {1}; i3 {} -> degrees 1, 2, 1, 0
    CsrMatrix g = CoInteractionGraph.build(4, 4, hand(), 2, 10, false, false);
    float[][] d = g.toDense();
    assertThat(g.nnz()).isEqualTo(4);
    assertThat(d[0][1]).isCloseTo(n(1, 1, 2), offset(1e-7f));
    assertThat(d[1][0]).isCloseTo(n(1, 2, 1), offset(1e-7f));
    assertThat(d[1][2]).isCloseTo(n(1, 2, 1), offset(1e-7f));
    assertThat(d[2][1]).isCloseTo(n(1, 1, 2), offset(1e-7f));
    assertThat(g.rowPtr[4] - g.rowPtr[3]).isZero();
  }

  @Test
  void weightedWithSelfLoopsByHand() {
    // c >= 2, top 2, weights c, self-loop c_ii = users of i (3, 4, 2, 1):
    // i0 {0:3, 1:3} sum 6; i1 {0:3, 1:4, 2:2} sum 9; i2 {1:2, 2:2} sum 4; i3 {3:1} sum 1
    CsrMatrix g = CoInteractionGraph.build(4, 4, hand(), 2, 2, true, true);
    float[][] d = g.toDense();
    assertThat(d[0][0]).isCloseTo(n(3, 6, 6), offset(1e-6f));
    assertThat(d[0][1]).isCloseTo(n(3, 6, 9), offset(1e-6f));
    assertThat(d[1][1]).isCloseTo(n(4, 9, 9), offset(1e-6f));
    assertThat(d[1][2]).isCloseTo(n(2, 9, 4), offset(1e-6f));
    assertThat(d[2][1]).isCloseTo(n(2, 4, 9), offset(1e-6f));
    assertThat(d[3][3]).isCloseTo(n(1, 1, 1), offset(1e-6f));
    assertThat(g.nnz()).isEqualTo(8);
  }

  @Test
  void matchesDenseCountsOnRandomData() {
    Interactions train = DegreeSensitiveSamplerTest.randomTrain(80, 40, 600, 9);
    int[][] byUser = train.itemsByUser(80);
    int[][] c = new int[40][40];
    for (int[] items : byUser) {
      for (int a : items) {
        for (int b : items) {
          if (a != b) {
            c[a][b]++;
          }
        }
      }
    }
    Parallel.setThreads(1);
    CsrMatrix one = CoInteractionGraph.build(80, 40, train, 2, 5, true, false);
    Parallel.setThreads(2);
    CsrMatrix g = CoInteractionGraph.build(80, 40, train, 2, 5, true, false);
    assertThat(g.values).isEqualTo(one.values);
    assertThat(g.colIdx).isEqualTo(one.colIdx);
    double[][] s = new double[40][40];
    double[] deg = new double[40];
    for (int i = 0; i < 40; i++) {
      Integer[] order = new Integer[40];
      for (int j = 0; j < 40; j++) {
        order[j] = j;
      }
      int row = i;
      java.util.Arrays.sort(order, (a, b) -> c[row][a] != c[row][b] ? c[row][b] - c[row][a] : a - b);
      for (int t = 0; t < 5; t++) {
        int j = order[t];
        if (j != i && c[i][j] >= 2) {
          s[i][j] = c[i][j];
          deg[i] += c[i][j];
        }
      }
    }
    float[][] d = g.toDense();
    for (int i = 0; i < 40; i++) {
      for (int j = 0; j < 40; j++) {
        assertThat(d[i][j]).as("(%d,%d)", i, j).isCloseTo(n(s[i][j], deg[i], deg[j]), offset(1e-6f));
      }
    }
  }
}
