package org.userec.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.userec.graph.CsrMatrix;
import org.userec.util.Parallel;

/** Forward values on small hand-checked cases, shape errors, and what a tape records. */
class TapeForwardTest {
  private final Tape tape = Tape.noGrad();
  private final int defaultThreads = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(defaultThreads);
  }

  private static Tensor random(int rows, int cols, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextDouble(-1, 1);
    }
    return new Tensor(rows, cols, v);
  }

  @Test
  void matmulFamilyByHand() {
    Tensor a = Tensor.of(2, 3, 1, 2, 3, 4, 5, 6);
    Tensor b = Tensor.of(3, 2, 7, 8, 9, 10, 11, 12);
    assertThat(tape.matmul(a, b).data).containsExactly(58, 64, 139, 154);
    Tensor bt = Tensor.of(2, 3, 7, 9, 11, 8, 10, 12);
    assertThat(tape.matmulNT(a, bt).data).containsExactly(58, 64, 139, 154);
    Tensor at = Tensor.of(3, 2, 1, 4, 2, 5, 3, 6);
    assertThat(tape.matmulTN(at, b).data).containsExactly(58, 64, 139, 154);
    Tensor bias = Tensor.of(1, 2, 1, -1);
    assertThat(tape.linear(a, b, bias).data).containsExactly(59, 63, 140, 153);
  }

  @Test
  void shapeErrorsNameBothShapes() {
    Tensor a = new Tensor(2, 3);
    Tensor b = new Tensor(4, 5);
    assertThatThrownBy(() -> tape.matmul(a, b)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2x3").hasMessageContaining("4x5");
    assertThatThrownBy(() -> tape.add(a, b)).hasMessageContaining("2x3").hasMessageContaining("4x5");
    assertThatThrownBy(() -> tape.mul(a, b)).hasMessageContaining("2x3").hasMessageContaining("4x5");
    assertThatThrownBy(() -> tape.rowDot(a, b)).hasMessageContaining("2x3").hasMessageContaining("4x5");
    assertThatThrownBy(() -> tape.infoNce(a, b, 0.2f)).hasMessageContaining("2x3").hasMessageContaining("4x5");
    assertThatThrownBy(() -> tape.concatRows(a, b)).hasMessageContaining("2x3").hasMessageContaining("4x5");
    assertThatThrownBy(() -> tape.linear(a, b, null)).hasMessageContaining("2x3").hasMessageContaining("4x5");
    assertThatThrownBy(() -> tape.gatherRows(a, new int[] {0, 2}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 2");
    assertThatThrownBy(() -> tape.sliceRows(a, 1, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tape.groupedMatmulNT(new Tensor(5, 2), new Tensor(5, 2), 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void addBroadcastsARowVector() {
    Tensor a = Tensor.of(2, 2, 1, 2, 3, 4);
    assertThat(tape.add(a, Tensor.of(1, 2, 10, 20)).data).containsExactly(11, 22, 13, 24);
  }

  @Test
  void gatherConcatSlice() {
    Tensor t = Tensor.of(3, 2, 0, 1, 10, 11, 20, 21);
    assertThat(tape.gatherRows(t, new int[] {2, 0, 2}).data).containsExactly(20, 21, 0, 1, 20, 21);
    assertThat(tape.concatCols(t, Tensor.of(3, 1, 7, 8, 9)).data)
        .containsExactly(0, 1, 7, 10, 11, 8, 20, 21, 9);
    assertThat(tape.concatRows(t, Tensor.of(1, 2, 5, 6)).data).containsExactly(0, 1, 10, 11, 20, 21, 5, 6);
    assertThat(tape.sliceRows(t, 1, 3).data).containsExactly(10, 11, 20, 21);
    assertThat(tape.sliceCols(t, 1, 2).data).containsExactly(1, 11, 21);
    assertThat(tape.weightedSum(new float[] {2, -1}, t, t).data).containsExactly(t.data);
    assertThat(tape.scaleRows(t, Tensor.of(3, 1, 1, 0, -1)).data).containsExactly(0, 1, 0, 0, -20, -21);
    assertThat(tape.rowSum(t).data).containsExactly(1, 21, 41);
    assertThat(tape.rowDot(t, t).data).containsExactly(1, 221, 841);
  }

  @Test
  void spmmMatchesDense() {
    CsrMatrix a = CsrMatrix.fromCoo(3, 2, new int[] {0, 0, 2}, new int[] {0, 1, 1}, new float[] {2, 3, -1});
    Tensor x = Tensor.of(2, 2, 1, 2, 3, 4);
    assertThat(tape.spmm(a, x).data).containsExactly(11, 16, 0, 0, -3, -4);
    assertThat(tape.spmmRows(a, new int[] {2, 0}, x).data).containsExactly(-3, -4, 11, 16);
  }

  @Test
  void stableLogisticFunctions() {
    Tensor x = Tensor.of(1, 5, -1000, -100, 0, 100, 1000);
    float[] ls = tape.logSigmoid(x).data;
    assertThat(ls[0]).isEqualTo(-1000f);
    assertThat(ls[1]).isCloseTo(-100f, within(1e-4f));
    assertThat(ls[2]).isCloseTo((float) Math.log(0.5), within(1e-7f));
    assertThat(ls[3]).isCloseTo((float) -Math.exp(-100), within(1e-45f)); // −3.7e-44, as torch
    assertThat(ls[4]).isEqualTo(0f);
    float[] sp = tape.softplus(x).data;
    assertThat(sp).containsExactly(0f, (float) Math.exp(-100), (float) Math.log(2), 100f, 1000f);
    float[] sg = tape.sigmoid(x).data;
    assertThat(sg).containsExactly(0f, (float) Math.exp(-100), 0.5f, 1f, 1f);
    assertThat(tape.tanh(x).data).containsExactly(-1f, -1f, 0f, 1f, 1f);
    assertThat(tape.relu(x).data).containsExactly(0f, 0f, 0f, 100f, 1000f);
    assertThat(tape.leakyRelu(x, 0.1f).data).containsExactly(-100f, -10f, 0f, 100f, 1000f);
    assertThat(tape.exp(Tensor.of(1, 2, 0, 1)).data).containsExactly(1f, (float) Math.E);
    assertThat(tape.log(Tensor.of(1, 2, 1, 0)).data).containsExactly(0f, Float.NEGATIVE_INFINITY);
  }

  @Test
  void logSigmoidGradientIsFiniteForExtremeInputs() {
    Param x = new Param("x", Tensor.of(1, 2, -1000, 1000));
    Tape t = Tape.recording();
    t.backward(t.sum(t.logSigmoid(x)));
    assertThat(x.grad()).containsExactly(1f, 0f);
  }

  @Test
  void softmaxRowsSumToOneEvenForHugeLogits() {
    Tensor x = Tensor.of(3, 3, 1000, 1001, 1002, -1000, -1000, -1000, 0, 1, 2);
    float[] y = tape.softmaxRows(x).data;
    for (int r = 0; r < 3; r++) {
      assertThat(y[3 * r] + y[3 * r + 1] + y[3 * r + 2]).isCloseTo(1f, within(1e-6f));
    }
    assertThat(y[0]).isCloseTo(y[6], within(1e-6f)); // shift invariance
    assertThat(y[3]).isCloseTo(1f / 3, within(1e-6f));
    double z = 1 + Math.E + Math.E * Math.E;
    assertThat(y[8]).isCloseTo((float) (Math.E * Math.E / z), within(1e-6f));
  }

  @Test
  void l2NormalizeRowsAsTorch() {
    Tensor y = tape.l2NormalizeRows(Tensor.of(2, 2, 3, 4, 0, 0));
    assertThat(y.data).containsExactly(0.6f, 0.8f, 0f, 0f);
    Tensor tiny = tape.l2NormalizeRows(Tensor.of(1, 2, 1e-13f, 0));
    assertThat(tiny.data[0]).isCloseTo(0.1f, within(1e-6f)); // divided by eps = 1e-12, not by the norm
    Param z = new Param("z", Tensor.of(1, 2, 0, 0));
    Tape t = Tape.recording();
    t.backward(t.sum(t.mul(t.l2NormalizeRows(z), Tensor.of(1, 2, 1e-12f, 2e-12f))));
    assertThat(z.grad()[0]).isCloseTo(1f, within(1e-6f));
    assertThat(z.grad()[1]).isCloseTo(2f, within(1e-6f));
  }

  @Test
  void layerNormByHand() {
    Tensor x = Tensor.of(2, 4, 1, 2, 3, 4, 5, 5, 5, 5);
    Tensor gain = Tensor.of(1, 4, 1, 2, 1, 1);
    Tensor bias = Tensor.of(1, 4, 0, 0, 0, 1);
    float[] y = tape.layerNorm(x, gain, bias, 1e-5f).data;
    double sd = Math.sqrt(1.25 + 1e-5); // mean 2.5, biased variance (2.25+0.25+0.25+2.25)/4
    assertThat(y[0]).isCloseTo((float) (-1.5 / sd), within(1e-6f));
    assertThat(y[1]).isCloseTo((float) (2 * -0.5 / sd), within(1e-6f));
    assertThat(y[2]).isCloseTo((float) (0.5 / sd), within(1e-6f));
    assertThat(y[3]).isCloseTo((float) (1.5 / sd + 1), within(1e-6f));
    assertThat(y).endsWith(0f, 0f, 0f, 1f); // a constant row normalises to 0
  }

  @Test
  void reductions() {
    Tensor x = Tensor.of(2, 2, 1, -2, 3, -4);
    assertThat(tape.sum(x).item()).isEqualTo(-2f);
    assertThat(tape.mean(x).item()).isEqualTo(-0.5f);
    assertThat(tape.sumSquares(x).item()).isEqualTo(30f);
    assertThat(tape.norm(x).item()).isCloseTo((float) Math.sqrt(30), within(1e-6f));
    assertThat(tape.scale(x, 2).data).containsExactly(2, -4, 6, -8);
    assertThat(tape.mulScalar(x, Tensor.scalar(-1)).data).containsExactly(-1, 2, -3, 4);
    Param zero = new Param("zero", 1, 3);
    Tape t = Tape.recording();
    t.backward(t.norm(zero));
    assertThat(zero.grad()).containsOnly(0f); // torch: the gradient of ‖x‖ at 0 is 0
  }

  @Test
  void groupedMatmulsMatchPerBlockProducts() {
    Tensor a = random(6, 4, 1);
    Tensor b = random(6, 4, 2);
    Tensor out = tape.groupedMatmulNT(a, b, 2);
    for (int k = 0; k < 3; k++) {
      Tensor block = tape.matmulNT(tape.sliceRows(a, 2 * k, 2 * k + 2), tape.sliceRows(b, 2 * k, 2 * k + 2));
      assertThat(tape.sliceRows(out, 2 * k, 2 * k + 2).data).containsExactly(block.data);
    }
    Tensor p = random(6, 2, 3);
    Tensor v = random(6, 4, 4);
    Tensor pv = tape.groupedMatmul(p, v, 2);
    for (int k = 0; k < 3; k++) {
      Tensor block = tape.matmul(tape.sliceRows(p, 2 * k, 2 * k + 2), tape.sliceRows(v, 2 * k, 2 * k + 2));
      float[] got = tape.sliceRows(pv, 2 * k, 2 * k + 2).data;
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).isCloseTo(block.data[i], within(1e-6f));
      }
    }
  }

  @Test
  void infoNceByHandAndOrdering() {
    Tensor eye = Tensor.of(2, 2, 1, 0, 0, 1);
    // rows orthogonal, τ = 1: each row −log(e / (e + 1)) = log(1 + e^−1)
    assertThat(tape.infoNce(eye, eye, 1f).item()).isCloseTo((float) Math.log1p(Math.exp(-1)), within(1e-6f));
    // scaling a row does not change cosine similarity
    assertThat(tape.infoNce(eye, tape.scale(eye, 7f), 1f).item())
        .isCloseTo((float) Math.log1p(Math.exp(-1)), within(1e-6f));
    assertThat(tape.infoNce(Tensor.of(1, 3, 1, 2, 3), Tensor.of(1, 3, -4, 0, 1), 0.2f).item()).isEqualTo(0f);
    Tensor a = random(64, 16, 1);
    Tensor b = random(64, 16, 2);
    float same = tape.infoNce(a, a, 0.2f).item();
    float other = tape.infoNce(a, b, 0.2f).item();
    assertThat(same).isLessThan(other);
    assertThat(other).isGreaterThan((float) Math.log(64) - 1f); // near chance for unrelated views
    assertThat(tape.infoNce(a, a, 0.01f).item()).isFinite(); // logits up to 100: needs the stable form
  }

  @Test
  void dropoutIsInvertedAndSeeded() {
    Tensor x = new Tensor(100, 100);
    java.util.Arrays.fill(x.data, 1f);
    assertThat(tape.dropout(x, 0f, new SplittableRandom(1))).isSameAs(x);
    float[] y = tape.dropout(x, 0.3f, new SplittableRandom(1)).data;
    int zeros = 0;
    for (float v : y) {
      if (v == 0f) {
        zeros++;
      } else {
        assertThat(v).isEqualTo(1f / 0.7f);
      }
    }
    assertThat(zeros).isBetween(2800, 3200);
    assertThat(java.util.Arrays.equals(tape.dropout(x, 0.3f, new SplittableRandom(1)).data, y))
        .as("same seed, same mask").isTrue();
    assertThat(java.util.Arrays.equals(tape.dropout(x, 0.3f, new SplittableRandom(2)).data, y))
        .as("other seed, other mask").isFalse();
    assertThat(tape.dropout(x, 1f, new SplittableRandom(1)).data).containsOnly(0f);
    assertThatThrownBy(() -> tape.dropout(x, 1.5f, new SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void noGradTapeRecordsNothing() {
    Param a = new Param("a", random(3, 3, 1));
    Tape t = Tape.noGrad();
    Tensor y = t.sum(t.infoNce(t.matmul(a, a), t.sigmoid(a), 0.2f));
    assertThat(t.size()).isZero();
    assertThat(y.requiresGrad()).isFalse();
    assertThatThrownBy(() -> t.backward(y)).isInstanceOf(IllegalStateException.class);
    assertThat(a.grad()).isNull();
  }

  @Test
  void recordingTapeSkipsConstantsAndRecordsOps() {
    Tape t = Tape.recording();
    Tensor c = t.sigmoid(random(2, 2, 1));
    assertThat(t.size()).isZero();
    assertThat(c.requiresGrad()).isFalse();
    Param a = new Param("a", random(2, 2, 2));
    Tensor y = t.sum(t.mul(a, c));
    assertThat(t.size()).isEqualTo(2);
    assertThat(y.requiresGrad()).isTrue();
    t.backward(y);
    assertThat(t.size()).isZero();
    assertThat(a.grad()).containsExactly(c.data);
  }

  @Test
  void parallelPathsMatchAndGatherBackwardIsThreadCountIndependent() {
    int rows = 5000;
    int d = 32; // 160k values: above the parallel threshold
    Param table = new Param("table", random(1000, d, 3));
    int[] idx = new SplittableRandom(4).ints(rows, 0, 1000).toArray();
    Tensor w = random(rows, d, 5);
    float[][] grads = new float[2][];
    float[][] sig = new float[2][];
    int[] threads = {1, 4};
    for (int k = 0; k < 2; k++) {
      Parallel.setThreads(threads[k]);
      table.zeroGrad();
      Tape t = Tape.recording();
      Tensor g = t.gatherRows(table, idx);
      Tensor s = t.sigmoid(t.add(g, g));
      t.backward(t.sum(t.mul(t.layerNorm(s, null, null, 1e-5f), w)));
      grads[k] = table.grad().clone();
      sig[k] = s.data;
    }
    assertThat(java.util.Arrays.equals(grads[1], grads[0])).as("gather backward, 1 vs 4 threads").isTrue();
    assertThat(java.util.Arrays.equals(sig[1], sig[0])).as("sigmoid forward, 1 vs 4 threads").isTrue();
    float v = table.get(idx[7], 3);
    assertThat(sig[0][7 * d + 3]).isEqualTo((float) (1 / (1 + Math.exp(-2.0 * v))), within(1e-6f));
  }

  /** Norms and sums of squares add per-row sums in row order: the same bits on 1 and 3 threads, and Σ x². */
  @Test
  void normsAreTheSameOnAnyThreadCount() {
    Tensor x = random(3000, 64, 11); // large enough to be split across threads
    int[] idx = new int[5000];
    SplittableRandom rng = new SplittableRandom(3);
    for (int k = 0; k < idx.length; k++) {
      idx[k] = rng.nextInt(x.rows);
    }
    float[][] got = new float[2][];
    int[] threads = {1, 3};
    for (int k = 0; k < 2; k++) {
      Parallel.setThreads(threads[k]);
      Tape t = Tape.noGrad();
      got[k] = new float[] {t.norm(x).item(), t.sumSquares(x).item(), t.normOfRows(x, idx).item()};
    }
    assertThat(got[1]).as("1 vs 3 threads").containsExactly(got[0]);
    double sq = 0;
    for (float v : x.data) {
      sq += (double) v * v;
    }
    assertThat(got[0][1]).isCloseTo((float) sq, within(1e-6f * (float) sq));
    assertThat(got[0][0]).isCloseTo((float) Math.sqrt(sq), within(1e-6f * (float) Math.sqrt(sq)));
  }
}
