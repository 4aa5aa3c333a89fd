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
    // the first step only learns which lengths a step needs; from the second on they are kept, and a third
    // step reuses them (none new are needed) and still agrees. The exception: the two 4x3 arrays x's deferred
    // gradient read (the last layer's H and the output's gradient) come back once that gradient was read, after
    // the step ended, when 4x3 is already a length the step took
    assertThat(x2.hasDeferredGradient()).isFalse();
    assertThat(pool.held()).isEqualTo(2);
    assertThat(pool.held(4 * 3)).isEqualTo(2);
    for (int step = 2; step <= 3; step++) {
      x1.zeroGrad();
      w1.zeroGrad();
      x2.zeroGrad();
      w2.zeroGrad();
      assertThat(run(Tape.recording(pool), x2, w2, a)).isEqualTo(run(Tape.recording(), x1, w1, a));
      assertThat(x2.grad()).containsExactly(x1.grad());
    }
    int held = pool.held();
    assertThat(held).isPositive();
    x2.zeroGrad();
    w2.zeroGrad();
    run(Tape.recording(pool), x2, w2, a);
    x2.grad(); // reading x's gradient hands back the arrays its deferred part read
    assertThat(pool.held()).isEqualTo(held);
  }

  @Test
  void propagateMeanRowsBackwardReusesTheForwardsLayerBuffer() {
    // 6 nodes, a ring: every node has two neighbours
    int n = 6;
    int[] r = new int[2 * n];
    int[] c = new int[2 * n];
    float[] v = new float[2 * n];
    for (int i = 0; i < n; i++) {
      r[2 * i] = i;
      c[2 * i] = (i + 1) % n;
      r[2 * i + 1] = i;
      c[2 * i + 1] = (i + n - 1) % n;
      v[2 * i] = v[2 * i + 1] = 0.5f;
    }
    CsrMatrix a = CsrMatrix.fromCoo(n, n, r, c, v);
    Param x1 = GradCheck.param("x", n, 3, 4);
    Param x2 = GradCheck.param("x", n, 3, 4);
    ArrayPool pool = new ArrayPool();
    int[] rows = {4, 1, 1};
    for (int step = 1; step <= 3; step++) {
      x1.zeroGrad();
      x2.zeroGrad();
      Tape plain = Tape.recording();
      Tape pooled = Tape.recording(pool);
      Tensor l1 = plain.sumSquares(plain.propagateMeanRows(a, 2, rows, x1));
      Tensor l2 = pooled.sumSquares(pooled.propagateMeanRows(a, 2, rows, x2));
      plain.backward(l1);
      pooled.backward(l2);
      assertThat(l2.item()).isEqualTo(l1.item());
      assertThat(x2.grad()).containsExactly(x1.grad());
      // two full-size arrays, handed back after each use, serve forward (layer 1, the last layer's rows) and
      // backward (H¹): no fresh one after the first step
      if (step > 1) {
        assertThat(pool.held(n * 3)).as("step %d", step).isEqualTo(2);
      }
    }
  }

  @Test
  void poolKeepsOnlyLengthsThatRecur() {
    ArrayPool pool = new ArrayPool();
    for (int step = 1; step <= 10; step++) {
      float[] fixed = pool.take(64);
      float[] varying = pool.take(1000 + step); // a new length every step, as arrays over a batch's nodes
      fixed[0] = 1f;
      pool.give(fixed);
      pool.give(varying);
      pool.endStep();
      // from the second step on, the recurring length is kept and the varying one is not
      assertThat(pool.held()).as("step %d", step).isEqualTo(step == 1 ? 0 : 1);
    }
    assertThat(pool.take(64)).containsOnly(0f);
    pool.endStep();
    pool.endStep(); // a step that did not take 64 drops it
    assertThat(pool.held()).isZero();
  }
}
