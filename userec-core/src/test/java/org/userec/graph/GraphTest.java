package org.userec.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;
import org.userec.data.Interactions;

class GraphTest {
  @Test
  void fromCooSortsAndSumsDuplicates() {
    CsrMatrix m = CsrMatrix.fromCoo(2, 3, new int[] {1, 0, 1, 0}, new int[] {2, 1, 0, 1}, new float[] {5, 1, 2, 3});
    assertThat(m.rowPtr).containsExactly(0, 1, 3);
    assertThat(m.colIdx).containsExactly(1, 0, 2);
    assertThat(m.values).containsExactly(4f, 2f, 5f);
    CsrMatrix t = m.transpose();
    assertThat(t.toDense()).isDeepEqualTo(new float[][] {{0, 2}, {4, 0}, {0, 5}});
    assertThat(t.transpose()).isSameAs(m);
  }

  @Test
  void derivedValuesAreKeptForTheLastKey() {
    CsrMatrix m = CsrMatrix.fromCoo(2, 2, new int[] {0, 1}, new int[] {1, 0}, new float[] {1, 1});
    int[] calls = new int[1];
    java.util.function.Function<Integer, int[]> f = k -> {
      calls[0]++;
      return new int[] {k};
    };
    int[] a = m.derived(64, f);
    assertThat(m.derived(64, f)).isSameAs(a);
    assertThat(calls[0]).isEqualTo(1);
    assertThat(m.derived(32, f)).containsExactly(32);
    assertThat(m.derived(64, f)).isNotSameAs(a).containsExactly(64);
    assertThat(calls[0]).isEqualTo(3);
  }

  @Test
  void normalizedAdjacencyByHand() {
    // 2 users, 2 items; u0-i0, u0-i1, u1-i1 (and a duplicate u0-i0 that must count once)
    Interactions train = new Interactions(new int[] {0, 0, 1, 0}, new int[] {0, 1, 1, 0});
    CsrMatrix a = InteractionGraph.normalizedAdjacency(2, 2, train);
    float[][] d = a.toDense();
    // degrees: u0=2, u1=1, i0=1, i1=2
    assertThat(d[0][2]).isCloseTo((float) (1 / Math.sqrt(2 * 1)), offset(1e-6f));
    assertThat(d[0][3]).isCloseTo(0.5f, offset(1e-6f));
    assertThat(d[1][3]).isCloseTo((float) (1 / Math.sqrt(1 * 2)), offset(1e-6f));
    assertThat(d[1][2]).isZero();
    assertThat(d[0][0]).isZero(); // no self-loops
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        assertThat(d[i][j]).isEqualTo(d[j][i]);
      }
    }
    assertThat(a.nnz()).isEqualTo(6);
  }
}
