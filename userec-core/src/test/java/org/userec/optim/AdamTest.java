package org.userec.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.userec.tensor.Param;
import org.userec.tensor.Tensor;

class AdamTest {
  private static final float[][] GRADS = {
    {0.1f, -0.2f, 0f, 3f},
    {0.3f, 0.1f, -1e-3f, -3f},
    {-0.5f, 0f, 2f, 1e-4f},
  };
  private static final float[] INIT = {1f, -2f, 0.5f, 0f};

  /** torch.optim.Adam's update written out in double, one coordinate at a time. */
  private static double[] reference(double lr, double wd, int steps) {
    double[] p = new double[INIT.length];
    double[] m = new double[INIT.length];
    double[] v = new double[INIT.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = INIT[i];
    }
    for (int t = 1; t <= steps; t++) {
      for (int i = 0; i < p.length; i++) {
        double g = GRADS[t - 1][i] + wd * p[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        double mHat = m[i] / (1 - Math.pow(0.9, t));
        double vHat = v[i] / (1 - Math.pow(0.999, t));
        p[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
      }
    }
    return p;
  }

  private static Param run(Adam adam, Param p, int from, int to) {
    for (int t = from; t < to; t++) {
      adam.zeroGrad();
      float[] g = p.gradBuffer();
      for (int i = 0; i < g.length; i++) {
        g[i] += GRADS[t][i];
      }
      adam.step();
    }
    return p;
  }

  @Test
  void firstStepByHand() {
    Param p = new Param("w", Tensor.of(1, 4, INIT));
    run(new Adam(List.of(p), 0.01), p, 0, 1);
    // m̂ = g, v̂ = g²: each coordinate moves by lr · g / (|g| + ε), i.e. lr against the sign; 0 stays put
    assertThat(p.data[0]).isCloseTo(1f - 0.01f, within(1e-7f));
    assertThat(p.data[1]).isCloseTo(-2f + 0.01f, within(1e-7f));
    assertThat(p.data[2]).isEqualTo(0.5f);
    assertThat(p.data[3]).isCloseTo(-0.01f, within(1e-7f));
  }

  @Test
  void secondStepByHand() {
    Param p = new Param("w", Tensor.of(1, 4, INIT));
    run(new Adam(List.of(p), 0.01), p, 0, 2);
    // coordinate 0: m = 0.9·0.01 + 0.1·0.3 = 0.039, v = 0.999·1e-5 + 0.001·0.09 = 9.999e-5,
    // m̂ = 0.039/0.19, v̂ = 9.999e-5/0.001999; p = 0.99 − 0.01·m̂/(√v̂ + 1e-8)
    double expected = 0.99 - 0.01 * (0.039 / 0.19) / (Math.sqrt(9.999e-5 / 0.001999) + 1e-8);
    assertThat(expected).isCloseTo(0.9808222, within(1e-7));
    assertThat((double) p.data[0]).isCloseTo(expected, within(1e-6));
  }

  @Test
  void threeStepsMatchTorchFormula() {
    Param p = new Param("w", Tensor.of(1, 4, INIT));
    run(new Adam(List.of(p), 0.05), p, 0, 3);
    double[] ref = reference(0.05, 0, 3);
    for (int i = 0; i < ref.length; i++) {
      assertThat((double) p.data[i]).as("coordinate %d", i).isCloseTo(ref[i], within(2e-6));
    }
  }

  @Test
  void weightDecayIsAddedToTheGradient() {
    Param p = new Param("w", Tensor.of(1, 4, INIT));
    Adam adam = new Adam(List.of(p), Adam.Options.of(0.05).withWeightDecay(0.5));
    run(adam, p, 0, 3);
    double[] ref = reference(0.05, 0.5, 3);
    double[] plain = reference(0.05, 0, 3);
    for (int i = 0; i < ref.length; i++) {
      assertThat((double) p.data[i]).as("coordinate %d", i).isCloseTo(ref[i], within(2e-6));
    }
    assertThat(Math.abs(ref[2] - plain[2])).isGreaterThan(1e-3); // the decay made a visible difference
  }

  @Test
  void learningRateIsSettable() {
    Param p = new Param("w", Tensor.of(1, 4, INIT));
    Adam adam = new Adam(List.of(p), 0.01);
    adam.setLearningRate(0.1);
    assertThat(adam.learningRate()).isEqualTo(0.1);
    run(adam, p, 0, 1);
    assertThat(p.data[0]).isCloseTo(0.9f, within(1e-6f));
    assertThatThrownBy(() -> adam.setLearningRate(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parametersWithoutGradientAreSkippedAndZeroGradKeepsMomentum() {
    Param used = new Param("used", Tensor.of(1, 4, INIT));
    Param unused = new Param("unused", Tensor.of(1, 2, 1, 2));
    Adam adam = new Adam(List.of(used, unused), 0.01);
    run(adam, used, 0, 1);
    assertThat(unused.data).containsExactly(1, 2);
    assertThat(unused.grad()).isNull();
    assertThat(adam.exportState().get("unused").step()).isZero();
    assertThat(adam.exportState().get("used").step()).isEqualTo(1);
    float before = used.data[0];
    adam.zeroGrad();
    assertThat(used.grad()).containsOnly(0f);
    adam.step(); // zero gradient, but the first moment still moves it (torch, zero_grad without set_to_none)
    assertThat(used.data[0]).isLessThan(before);
  }

  @Test
  void exportedStateRestoresAnIdenticalTrajectory() {
    Param a = new Param("w", Tensor.of(1, 4, INIT));
    Adam first = new Adam(List.of(a), 0.05);
    run(first, a, 0, 2);
    Map<String, Adam.State> saved = first.exportState();
    saved.get("w").m()[0] = 123f; // exported state is a copy
    saved = first.exportState();

    Param b = new Param("w", a.copy());
    Adam second = new Adam(List.of(b), 0.05);
    second.restoreState(saved);
    run(first, a, 2, 3);
    run(second, b, 2, 3);
    assertThat(b.data).containsExactly(a.data);
    assertThat(second.exportState().get("w").step()).isEqualTo(3);
    double[] ref = reference(0.05, 0, 3);
    assertThat((double) b.data[0]).isCloseTo(ref[0], within(2e-6));
  }

  /**
   * A training-like step whose parameter gradients are partly deferred by backward (a LightGCN layer mean and
   * EmbLoss norms over rows, plus a direct part from a gather): stepThenZeroGrad builds them chunk by chunk and
   * must give the very bits of reading the whole gradient first, on both parameters, over several steps.
   */
  @Test
  void deferredGradientsTakenChunkByChunkGiveTheBitsOfTheWholeGradient() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    int users = 150;
    int items = 90;
    int d = 20;
    int[] r = new int[600];
    int[] c = new int[600];
    float[] v = new float[600];
    for (int k = 0; k < 300; k++) {
      int u = rng.nextInt(users);
      int i = users + rng.nextInt(items);
      r[2 * k] = u;
      c[2 * k] = i;
      r[2 * k + 1] = i;
      c[2 * k + 1] = u;
      v[2 * k] = v[2 * k + 1] = (float) rng.nextDouble(0.05, 0.5);
    }
    org.userec.graph.CsrMatrix a = org.userec.graph.CsrMatrix.fromCoo(users + items, users + items, r, c, v);
    for (double wd : new double[] {0, 1e-3}) {
      Param[] chunked = {randomParam("u", users, d, 1), randomParam("i", items, d, 2)};
      Param[] whole = {randomParam("u", users, d, 1), randomParam("i", items, d, 2)};
      Adam adamChunked = new Adam(List.of(chunked), Adam.Options.of(0.01).withWeightDecay(wd));
      Adam adamWhole = new Adam(List.of(whole), Adam.Options.of(0.01).withWeightDecay(wd));
      for (int step = 0; step < 3; step++) {
        int[] bu = new int[40];
        int[] bi = new int[40];
        for (int k = 0; k < 40; k++) {
          bu[k] = rng.nextInt(users);
          bi[k] = rng.nextInt(items);
        }
        int[] nodes = java.util.stream.IntStream.concat(java.util.Arrays.stream(bu), java.util.Arrays.stream(bi).map(i -> users + i))
            .distinct().sorted().toArray();
        for (Param[] ps : new Param[][] {chunked, whole}) {
          org.userec.tensor.Tape t = org.userec.tensor.Tape.recording(new org.userec.tensor.ArrayPool());
          Tensor mean = t.propagateMeanRows(a, 2, nodes, ps[0], ps[1]);
          Tensor loss = t.add(t.sumSquares(mean), t.add(t.normOfRows(ps[0], bu), t.normOfRows(ps[1], bi)));
          loss = t.add(loss, t.sumSquares(t.gatherRows(ps[1], new int[] {3, 3, 7})));
          t.backward(loss);
        }
        assertThat(chunked[0].hasDeferredGradient()).isTrue();
        for (Param p : whole) {
          p.grad(); // adds the deferred parts: the plain path
        }
        adamChunked.stepThenZeroGrad();
        adamWhole.stepThenZeroGrad();
        for (int k = 0; k < 2; k++) {
          assertThat(chunked[k].data).as("wd %s step %d param %d", wd, step, k).containsExactly(whole[k].data);
          assertThat(chunked[k].hasDeferredGradient()).isFalse();
          assertThat(chunked[k].grad()).containsOnly(0f).hasSize(whole[k].grad().length);
        }
      }
      assertThat(adamChunked.exportState().get("i").v()).containsExactly(adamWhole.exportState().get("i").v());
    }
  }

  private static Param randomParam(String name, int rows, int cols, long seed) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    float[] x = new float[rows * cols];
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) rng.nextDouble(-0.5, 0.5);
    }
    return new Param(name, Tensor.of(rows, cols, x));
  }

  @Test
  void stepThenZeroGradIsStepFollowedByZeroGrad() {
    Param a = new Param("w", Tensor.of(1, 4, INIT));
    Param b = new Param("w", Tensor.of(1, 4, INIT));
    Adam one = new Adam(List.of(a), 0.05);
    Adam other = new Adam(List.of(b), 0.05);
    for (float[] g : GRADS) {
      System.arraycopy(g, 0, a.gradBuffer(), 0, g.length);
      System.arraycopy(g, 0, b.gradBuffer(), 0, g.length);
      one.step();
      one.zeroGrad();
      other.stepThenZeroGrad();
      assertThat(b.data).containsExactly(a.data);
      assertThat(b.grad()).containsOnly(0f);
    }
  }

  @Test
  void restoreRejectsMismatchedState() {
    Param p = new Param("w", Tensor.of(1, 4, INIT));
    Adam adam = new Adam(List.of(p), 0.05);
    assertThatThrownBy(() -> adam.restoreState(Map.of("w", new Adam.State(1, new float[3], new float[3]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 values");
    assertThatThrownBy(() -> adam.restoreState(Map.of())).hasMessageContaining("no state");
    assertThatThrownBy(() -> adam.restoreState(Map.of(
            "w", new Adam.State(1, new float[4], new float[4]),
            "x", new Adam.State(1, new float[4], new float[4]))))
        .hasMessageContaining("unknown parameter 'x'");
    assertThatThrownBy(() -> new Adam(List.of(p, new Param("w", 1, 1)), 0.1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two parameters named 'w'");
  }
}
