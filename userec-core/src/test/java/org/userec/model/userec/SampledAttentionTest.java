package org.userec.model.userec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

class SampledAttentionTest {
  private static Tensor random(int rows, int cols, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return new Tensor(rows, cols, v);
  }

  private static void setIdentity(Param w) {
    Arrays.fill(w.data, 0f);
    for (int i = 0; i < w.rows; i++) {
      w.set(i, i, 1f);
    }
  }

  @Test
  void sharedHasOneRowPerUser() {
    SampledAttention att = new SampledAttention(8, 0.2f, new SplittableRandom(1));
    Tensor out = att.shared(Tape.noGrad(), random(5, 8, 2), random(3, 8, 3));
    assertThat(out.rows).isEqualTo(5);
    assertThat(out.cols).isEqualTo(8);
  }

  @Test
  void handCheckedResidualWeighting() {
    // D = 2, W_Q = W_K = I: user (1, 0), one item (0, 1). Scores /√2: self 1/√2, item 0.
    SampledAttention att = new SampledAttention(2, 0.2f, new SplittableRandom(1));
    setIdentity(att.queryWeight());
    setIdentity(att.keyWeight());
    Tensor u = Tensor.of(1, 2, 1f, 0f);
    Tensor item = Tensor.of(1, 2, 0f, 1f);
    double a0 = Math.exp(1 / Math.sqrt(2)) / (Math.exp(1 / Math.sqrt(2)) + 1);
    double a1 = 1 - a0;
    // AV row 0 = a0·(1,0) + a1·(0,1); G̃0 = 0.8·(1,0) + 0.2·AV; e^f = (1,0) + G̃0
    double x = 1 + 0.8 + 0.2 * a0;
    double y = 0.2 * a1;
    Tensor out = att.shared(Tape.noGrad(), u, item);
    assertThat(out.get(0, 0)).isCloseTo((float) x, within(1e-6f));
    assertThat(out.get(0, 1)).isCloseTo((float) y, within(1e-6f));
  }

  @Test
  void alphaZeroLeavesTwiceTheUser() {
    SampledAttention att = new SampledAttention(4, 0f, new SplittableRandom(1));
    Tensor u = random(3, 4, 5);
    Tensor out = att.shared(Tape.noGrad(), u, random(2, 4, 6));
    for (int i = 0; i < u.data.length; i++) {
      assertThat(out.data[i]).isCloseTo(2 * u.data[i], within(1e-6f));
    }
  }

  @Test
  void sharedMatchesTheLiteralGroupedFormWhenDrawsCoincide() {
    int b = 6;
    int c = 3;
    int d = 8;
    SampledAttention att = new SampledAttention(d, 0.3f, new SplittableRandom(7));
    Tensor users = random(b, d, 8);
    Tensor items = random(c, d, 9);
    Tensor repeated = new Tensor(b * c, d);
    for (int r = 0; r < b; r++) {
      System.arraycopy(items.data, 0, repeated.data, r * c * d, c * d);
    }
    Tensor fast = att.shared(Tape.noGrad(), users, items);
    Tensor literal = att.perUser(Tape.noGrad(), users, repeated, c);
    for (int i = 0; i < fast.data.length; i++) {
      assertThat(fast.data[i]).isCloseTo(literal.data[i], within(1e-5f));
    }
  }

  @Test
  void gradientsReachBothWeightsAndAgreeBetweenForms() {
    int b = 4;
    int c = 2;
    int d = 4;
    SampledAttention att = new SampledAttention(d, 0.5f, new SplittableRandom(3));
    Tensor users = random(b, d, 4);
    Tensor items = random(c, d, 5);
    Tensor repeated = new Tensor(b * c, d);
    for (int r = 0; r < b; r++) {
      System.arraycopy(items.data, 0, repeated.data, r * c * d, c * d);
    }
    Tape t = Tape.recording();
    t.backward(t.sumSquares(att.shared(t, users, items)));
    float[] gq = att.queryWeight().grad().clone();
    float[] gk = att.keyWeight().grad().clone();
    att.queryWeight().zeroGrad();
    att.keyWeight().zeroGrad();
    Tape t2 = Tape.recording();
    t2.backward(t2.sumSquares(att.perUser(t2, users, repeated, c)));
    assertThat(gq).isNotEqualTo(new float[gq.length]);
    for (int i = 0; i < gq.length; i++) {
      assertThat(att.queryWeight().grad()[i]).isCloseTo(gq[i], within(1e-4f));
      assertThat(att.keyWeight().grad()[i]).isCloseTo(gk[i], within(1e-4f));
    }
  }

  @Test
  void perUserShapes() {
    SampledAttention att = new SampledAttention(4, 0.2f, new SplittableRandom(1));
    Tensor out = att.perUser(Tape.noGrad(), random(5, 4, 2), random(15, 4, 3), 3);
    assertThat(out.rows).isEqualTo(5);
    assertThat(out.cols).isEqualTo(4);
  }
}
