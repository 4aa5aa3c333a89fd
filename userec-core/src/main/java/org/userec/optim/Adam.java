package org.userec.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.userec.tensor.Param;
import org.userec.tensor.simd.AdamStep;
import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/**
 * Adam as torch.optim.Adam defines it (Kingma &amp; Ba 2015, Algorithm 1, with PyTorch's placement of ε
 * and its L2 weight decay; amsgrad and decoupled decay are not offered). For each parameter with a
 * gradient, at its step t:
 *
 * <pre>
 *   g ← ∇ + weightDecay · p                       (L2 penalty folded into the gradient)
 *   m ← β₁ m + (1 − β₁) g
 *   v ← β₂ v + (1 − β₂) g²
 *   p ← p − lr · (m / (1 − β₁ᵗ)) / (sqrt(v / (1 − β₂ᵗ)) + ε)
 * </pre>
 *
 * <p>A parameter whose gradient was never allocated (no backward ever reached it) is skipped and its step
 * count stays put, as torch skips parameters whose {@code grad} is None. {@link #zeroGrad()} fills
 * gradients with zeros (torch's {@code zero_grad(set_to_none=False)}, the default of the torch 1.x
 * releases MMRec's published numbers come from), so a parameter that once had a gradient keeps moving on
 * its momentum even in a step that did not touch it.
 *
 * <p>State is float32 like torch's; the bias corrections are computed in double.
 */
public final class Adam {

  /** Hyper-parameters; {@link #of(double)} gives torch's defaults. */
  public record Options(double lr, double beta1, double beta2, double eps, double weightDecay) {
    public Options {
      if (!(lr >= 0)) {
        throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
      }
      if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
        throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
      }
      if (!(eps >= 0)) {
        throw new IllegalArgumentException("eps must be >= 0, got " + eps);
      }
      if (!(weightDecay >= 0)) {
        throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
      }
    }

    /** lr with β = (0.9, 0.999), ε = 1e-8, no weight decay. */
    public static Options of(double lr) {
      return new Options(lr, 0.9, 0.999, 1e-8, 0);
    }

    public Options withWeightDecay(double weightDecay) {
      return new Options(lr, beta1, beta2, eps, weightDecay);
    }
  }

  /**
   * One parameter's optimiser state: its step count and first and second moment estimates (arrays of the
   * parameter's size). Instances handed out by {@link #exportState()} are copies.
   */
  public record State(long step, float[] m, float[] v) {
    public State {
      if (step < 0 || m.length != v.length) {
        throw new IllegalArgumentException("bad Adam state: step " + step + ", m " + m.length + ", v " + v.length);
      }
    }

    State copy() {
      return new State(step, m.clone(), v.clone());
    }
  }

  private final List<Param> params;
  private final Options options;
  private final long[] steps;
  private final float[][] m;
  private final float[][] v;
  private double lr;

  public Adam(List<Param> params, double lr) {
    this(params, Options.of(lr));
  }

  public Adam(List<Param> params, Options options) {
    this.params = List.copyOf(params);
    this.options = options;
    this.lr = options.lr();
    Map<String, Param> seen = new LinkedHashMap<>();
    for (Param p : this.params) {
      Param before = seen.put(p.name, p);
      if (before != null) {
        throw new IllegalArgumentException("two parameters named '" + p.name + "': " + before + " and " + p);
      }
    }
    int n = this.params.size();
    steps = new long[n];
    m = new float[n][];
    v = new float[n][];
    for (int k = 0; k < n; k++) {
      m[k] = new float[this.params.get(k).size()];
      v[k] = new float[this.params.get(k).size()];
    }
  }

  public List<Param> params() {
    return params;
  }

  public Options options() {
    return options;
  }

  /** The learning rate used by the next {@link #step()}. */
  public double learningRate() {
    return lr;
  }

  /** Sets the learning rate (a schedule sets base · factor(epoch) before each epoch). */
  public void setLearningRate(double lr) {
    if (!(lr >= 0)) {
      throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
    }
    this.lr = lr;
  }

  /** Fills every parameter's gradient with zeros (those never allocated stay unallocated). */
  public void zeroGrad() {
    for (Param p : params) {
      p.zeroGrad();
    }
  }

  /** One update of every parameter that has a gradient. */
  public void step() {
    step(false);
  }

  /**
   * {@link #step()} then {@link #zeroGrad()}, with each gradient zeroed in the same pass that reads it (a
   * training loop's zero_grad for the next batch, without a pass of its own).
   */
  public void stepThenZeroGrad() {
    step(true);
  }

  private void step(boolean zeroGradients) {
    double b1 = options.beta1();
    double b2 = options.beta2();
    for (int k = 0; k < params.size(); k++) {
      Param p = params.get(k);
      // a gradient with deferred parts is built and used chunk by chunk when it is zeroed after (the training
      // loop's case): the same values, without writing the whole gradient out and reading it back
      boolean chunked = zeroGradients && p.hasDeferredGradient();
      float[] g = chunked ? null : p.grad();
      if (g == null && !chunked) {
        continue;
      }
      long t = ++steps[k];
      double bc1 = 1 - Math.pow(b1, t);
      double bc2 = 1 - Math.pow(b2, t);
      AdamStep s =
          new AdamStep(
              (float) b1, (float) (1 - b1), (float) b2, (float) (1 - b2), (float) options.weightDecay(), (float) (lr / bc1),
              (float) (1 / Math.sqrt(bc2)), (float) options.eps(), zeroGradients && !chunked);
      if (chunked) {
        stepInChunks(s, p, m[k], v[k]);
      } else {
        Kernels.adam(s, p.data, g, m[k], v[k]);
      }
    }
  }

  /** Rows per chunk of {@link #stepInChunks}: a chunk's gradient (64 rows of 64 floats: 16 KB) stays in L1/L2. */
  private static final int CHUNK_ROWS = 64;

  /** One update of p whose gradient is taken chunk by chunk ({@link Param#takeGradientRows}), then zero. */
  private static void stepInChunks(AdamStep s, Param p, float[] m, float[] v) {
    int d = p.cols;
    Parallel.forRange(p.rows, 4 * CHUNK_ROWS, (from, to) -> {
      float[] chunk = new float[Math.min(CHUNK_ROWS, to - from) * d];
      for (int r0 = from; r0 < to; r0 += CHUNK_ROWS) {
        int r1 = Math.min(to, r0 + CHUNK_ROWS);
        p.takeGradientRows(r0, r1, chunk);
        Kernels.adamRange(s, p.data, chunk, 0, m, v, r0 * d, (r1 - r0) * d);
      }
    });
    p.endTakeGradient();
  }

  /** Copies of every parameter's state, keyed by parameter name, in parameter order. */
  public Map<String, State> exportState() {
    Map<String, State> out = new LinkedHashMap<>();
    for (int k = 0; k < params.size(); k++) {
      out.put(params.get(k).name, new State(steps[k], m[k], v[k]).copy());
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Restores state exported by {@link #exportState()} (e.g. from a checkpoint). Every parameter must have
   * an entry of its size, and no entry may name an unknown parameter; nothing changes when one does not.
   */
  public void restoreState(Map<String, State> state) {
    List<String> problems = new ArrayList<>();
    for (Param p : params) {
      State s = state.get(p.name);
      if (s == null) {
        problems.add("no state for " + p);
      } else if (s.m().length != p.size()) {
        problems.add("state for " + p + " has " + s.m().length + " values, not " + p.size());
      }
    }
    for (String name : state.keySet()) {
      if (params.stream().noneMatch(p -> p.name.equals(name))) {
        problems.add("state for unknown parameter '" + name + "'");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("cannot restore Adam state: " + String.join("; ", problems));
    }
    for (int k = 0; k < params.size(); k++) {
      State s = state.get(params.get(k).name);
      steps[k] = s.step();
      m[k] = s.m().clone();
      v[k] = s.v().clone();
    }
  }
}
