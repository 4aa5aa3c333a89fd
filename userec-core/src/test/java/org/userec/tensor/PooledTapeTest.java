package org.userec.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.userec.graph.CsrMatrix;

class PooledTapeTest {
  private static float run(Tape t, Param x, Param w, CsrMatrix a) {
    Tensor h = t.propagateMean(a, x, 2);
    Tensor y = t.tanh(t.matmul(h, w));
    Tensor loss = t.sumSquares(t.gatherRows(y, new int[] {0, 2, 2, 3}));
    float v = loss.item();
    t.backward(loss);
    return v;
  }

  @Test
  void pooledTapeGivesTheSameValuesAndGradientsAndReusesArrays() {
    CsrMatrix a =
        CsrMatrix.fromCoo(4, 4, new int[] {0, 1, 1, 2, 3, 3}, new int[] {1, 0, 2, 1, 0, 3}, new float[] {.5f, .5f, .3f, .3f, .2f, .7f});
    Param x1 = GradCheck.param("x", 4, 3, 1);
    Param w1 = GradCheck.param("w", 3, 2, 2);
    Param x2 = GradCheck.param("x", 4, 3, 1);
    Param w2 = GradCheck.param("w", 3, 2, 2);
    ArrayPool pool = new ArrayPool();
    float plain = run(Tape.recording(), x1, w1, a);
    float pooled = run(Tape.recording(pool), x2, w2, a);
    assertThat(pooled).isEqualTo(plain);
    assertThat(x2.grad()).containsExactly(x1.grad());
    assertThat(w2.grad()).containsExactly(w1.grad());
    int held = pool.held();
    assertThat(held).isPositive();
    // a second step reuses the arrays (none new are needed) and still agrees
    x1.zeroGrad();
    w1.zeroGrad();
    x2.zeroGrad();
    w2.zeroGrad();
    assertThat(run(Tape.recording(pool), x2, w2, a)).isEqualTo(run(Tape.recording(), x1, w1, a));
    assertThat(pool.held()).isEqualTo(held);
    assertThat(x2.grad()).containsExactly(x1.grad());
  }
}
