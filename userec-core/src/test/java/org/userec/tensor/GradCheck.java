package org.userec.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Finite-difference gradient checks for tape ops.
 *
 * <p>For an op output y = f(x₁, …) and a fixed random weight w (values in [−1, 1]), the scalar
 * L = Σ w ⊙ y is differentiated two ways: by the tape (w is seeded as dL/dy) and numerically with the
 * five-point central stencil (−L(x+2h) + 8L(x+h) − 8L(x−h) + L(x−2h)) / 12h, L summed in double. The stencil's
 * truncation error is O(h⁴), so h = 1e-2 keeps both it and float32 rounding (≈ 1e-7·|L|/h) far below the
 * tolerance. Every input's gradient buffer is pre-filled with a constant first, so a backward that
 * overwrites instead of accumulating fails.
 */
final class GradCheck {
  private static final float PREFILL = 0.25f;

  private final String name;
  private double h = 1e-2;
  private double rtol = 1e-2;
  private double atol = 1e-3;

  private GradCheck(String name) {
    this.name = name;
  }

  static GradCheck of(String name) {
    return new GradCheck(name);
  }

  GradCheck step(double h) {
    this.h = h;
    return this;
  }

  GradCheck tolerance(double rtol, double atol) {
    this.rtol = rtol;
    this.atol = atol;
    return this;
  }

  /** A trainable input with values uniform in [lo, hi). */
  static Param param(String name, int rows, int cols, long seed, double lo, double hi) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextDouble(lo, hi);
    }
    return new Param(name, new Tensor(rows, cols, v));
  }

  static Param param(String name, int rows, int cols, long seed) {
    return param(name, rows, cols, seed, -1, 1);
  }

  /** Values uniform in ±[lo, hi): away from 0 (kinks of relu, leaky relu). */
  static Param awayFromZero(String name, int rows, int cols, long seed, double lo, double hi) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      double m = rng.nextDouble(lo, hi);
      v[i] = (float) (rng.nextBoolean() ? m : -m);
    }
    return new Param(name, new Tensor(rows, cols, v));
  }

  /**
   * Checks the tape's gradient of Σ w ⊙ f(tape) against finite differences, for every value of every
   * input. Returns the largest absolute difference seen.
   */
  double check(Function<Tape, Tensor> f, Param... inputs) {
    Tape tape = Tape.recording();
    Tensor out = f.apply(tape);
    if (!out.requiresGrad()) {
      throw new AssertionError(name + ": output does not require a gradient");
    }
    SplittableRandom rng = new SplittableRandom(name.hashCode());
    float[] w = new float[out.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rng.nextDouble(-1, 1);
    }
    for (Param p : inputs) {
      p.zeroGrad();
    }
    for (Param p : inputs) {
      Arrays.fill(p.gradBuffer(), PREFILL);
    }
    tape.backward(out, w);
    if (tape.size() != 0) {
      throw new AssertionError(name + ": tape not cleared after backward");
    }
    double worst = 0;
    for (int k = 0; k < inputs.length; k++) {
      Param p = inputs[k];
      float[] analytic = new float[p.size()];
      for (int i = 0; i < analytic.length; i++) {
        analytic[i] = p.grad()[i] - PREFILL;
      }
      double[] numeric = new double[p.size()];
      double scale = 0;
      for (int i = 0; i < numeric.length; i++) {
        numeric[i] = numericDerivative(f, w, p, i);
        scale = Math.max(scale, Math.abs(numeric[i]));
      }
      if (scale < 1e-4) {
        throw new AssertionError(
            name + ": input " + k + " (" + p.name + ") has a numerically zero gradient; the check proves nothing");
      }
      for (int i = 0; i < numeric.length; i++) {
        double diff = Math.abs(analytic[i] - numeric[i]);
        worst = Math.max(worst, diff);
        if (!(diff <= atol * Math.max(1, scale) + rtol * Math.abs(numeric[i]))) {
          throw new AssertionError(String.format(
              "%s: d/d%s[%d] (input %d, %s) tape %.6g vs finite difference %.6g",
              name, p.name, i, k, p.shape(), analytic[i], numeric[i]));
        }
      }
    }
    return worst;
  }

  private double numericDerivative(Function<Tape, Tensor> f, float[] w, Param p, int i) {
    float x0 = p.data[i];
    double lp1 = lossAt(f, w, p, i, x0 + h);
    double lm1 = lossAt(f, w, p, i, x0 - h);
    double lp2 = lossAt(f, w, p, i, x0 + 2 * h);
    double lm2 = lossAt(f, w, p, i, x0 - 2 * h);
    p.data[i] = x0;
    // the perturbed values are rounded to float: divide by the steps actually taken
    double h1 = ((float) (x0 + h)) - (double) ((float) (x0 - h));
    double h2 = ((float) (x0 + 2 * h)) - (double) ((float) (x0 - 2 * h));
    double d1 = (lp1 - lm1) / h1; // central difference, error O(h²)
    double d2 = (lp2 - lm2) / h2; // the same with twice the step
    return (4 * d1 - d2) / 3; // Richardson: the five-point stencil, error O(h⁴)
  }

  private static double lossAt(Function<Tape, Tensor> f, float[] w, Param p, int i, double x) {
    p.data[i] = (float) x;
    Tensor y = f.apply(Tape.noGrad());
    double l = 0;
    for (int j = 0; j < w.length; j++) {
      l += (double) w[j] * y.data[j];
    }
    return l;
  }
}
