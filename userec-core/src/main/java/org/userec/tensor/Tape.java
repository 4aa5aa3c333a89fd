package org.userec.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.graph.CsrMatrix;

/**
 * Reverse-mode automatic differentiation. Every op computes its output now and, when any input requires a
 * gradient and this tape records, pushes a closure that adds the output's gradient into its inputs'
 * gradients. {@link #backward(Tensor)} runs the closures in reverse order.
 *
 * <p>A tape made by {@link #noGrad()} computes forward values only (inference, evaluation).
 *
 * <p>Shapes are checked at entry and a mismatch throws {@link IllegalArgumentException} naming both shapes.
 */
public final class Tape {
  private final boolean recording;
  private final List<Runnable> backwards = new ArrayList<>();

  private Tape(boolean recording) {
    this.recording = recording;
  }

  /** A tape that records for backward. */
  public static Tape recording() {
    return new Tape(true);
  }

  /** A tape that only computes forward values. */
  public static Tape noGrad() {
    return new Tape(false);
  }

  public boolean isRecording() {
    return recording;
  }

  /** Number of recorded backward steps (for tests). */
  public int size() {
    return backwards.size();
  }

  /**
   * Creates an op output. It requires a gradient when this tape records and any input requires one.
   */
  Tensor output(int rows, int cols, Tensor... inputs) {
    Tensor out = new Tensor(rows, cols);
    if (recording) {
      for (Tensor t : inputs) {
        if (t != null && t.requiresGrad) {
          out.requiresGrad = true;
          break;
        }
      }
    }
    return out;
  }

  /** Records a backward step for an output that requires a gradient; a no-op otherwise. */
  void onBackward(Tensor out, Runnable step) {
    if (out.requiresGrad) {
      backwards.add(step);
    }
  }

  /**
   * Seeds d(loss)/d(loss) = 1 for a 1×1 loss and runs every recorded step in reverse. Gradients accumulate
   * into {@link Param}s (zero them with the optimizer between steps). The tape is cleared afterwards.
   */
  public void backward(Tensor loss) {
    if (loss.size() != 1) {
      throw new IllegalArgumentException("backward needs a 1x1 loss, got " + loss.shape());
    }
    if (!loss.requiresGrad) {
      throw new IllegalStateException("loss does not depend on any parameter (or the tape does not record)");
    }
    loss.gradBuffer()[0] += 1f;
    for (int k = backwards.size() - 1; k >= 0; k--) {
      backwards.get(k).run();
    }
    backwards.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // Ops. TODO(ops helper): implement each with its backward and a finite-difference gradient test.
  // ---------------------------------------------------------------------------------------------

  /** out[r] = table[idx[r]]. Backward scatter-adds into the table's rows (deterministic order). */
  public Tensor gatherRows(Tensor table, int[] idx) {
    throw new UnsupportedOperationException("gatherRows");
  }

  /** a[m×k] · b[k×n]. */
  public Tensor matmul(Tensor a, Tensor b) {
    throw new UnsupportedOperationException("matmul");
  }

  /** a[m×k] · b[n×k]ᵀ. */
  public Tensor matmulNT(Tensor a, Tensor b) {
    throw new UnsupportedOperationException("matmulNT");
  }

  /** x[m×in] · w[in×out] + bias[1×out]; bias may be null. */
  public Tensor linear(Tensor x, Tensor w, Tensor bias) {
    throw new UnsupportedOperationException("linear");
  }

  /** a[r×c] · x[c×d] for a sparse constant a. Backward uses aᵀ (cached by the matrix). */
  public Tensor spmm(CsrMatrix a, Tensor x) {
    throw new UnsupportedOperationException("spmm");
  }

  /** Rows {@code rows} of a · x, as a rows.length×d tensor. */
  public Tensor spmmRows(CsrMatrix a, int[] rows, Tensor x) {
    throw new UnsupportedOperationException("spmmRows");
  }

  /** Elementwise a + b (same shape), or a + b broadcast when b is 1×cols (a row vector). */
  public Tensor add(Tensor a, Tensor b) {
    throw new UnsupportedOperationException("add");
  }

  /** Elementwise a − b (same shape). */
  public Tensor sub(Tensor a, Tensor b) {
    throw new UnsupportedOperationException("sub");
  }

  /** Elementwise a ⊙ b (same shape). */
  public Tensor mul(Tensor a, Tensor b) {
    throw new UnsupportedOperationException("mul");
  }

  /** s · a. */
  public Tensor scale(Tensor a, float s) {
    throw new UnsupportedOperationException("scale");
  }

  /** Σ_k w[k]·xs[k] over tensors of one shape (layer means, weighted residuals). */
  public Tensor weightedSum(float[] w, Tensor... xs) {
    throw new UnsupportedOperationException("weightedSum");
  }

  /** Column-wise concatenation [a ‖ b ‖ …] of tensors with equal row counts. */
  public Tensor concatCols(Tensor... parts) {
    throw new UnsupportedOperationException("concatCols");
  }

  /** Row-wise concatenation [a; b; …] of tensors with equal column counts. */
  public Tensor concatRows(Tensor... parts) {
    throw new UnsupportedOperationException("concatRows");
  }

  /** Rows [from, to) of x. */
  public Tensor sliceRows(Tensor x, int from, int to) {
    throw new UnsupportedOperationException("sliceRows");
  }

  public Tensor sigmoid(Tensor x) {
    throw new UnsupportedOperationException("sigmoid");
  }

  /** log σ(x), computed stably. */
  public Tensor logSigmoid(Tensor x) {
    throw new UnsupportedOperationException("logSigmoid");
  }

  /** log(1 + eˣ), computed stably. */
  public Tensor softplus(Tensor x) {
    throw new UnsupportedOperationException("softplus");
  }

  public Tensor tanh(Tensor x) {
    throw new UnsupportedOperationException("tanh");
  }

  public Tensor relu(Tensor x) {
    throw new UnsupportedOperationException("relu");
  }

  /** max(x, slope·x), as torch.nn.functional.leaky_relu. */
  public Tensor leakyRelu(Tensor x, float slope) {
    throw new UnsupportedOperationException("leakyRelu");
  }

  /** Softmax over each row. */
  public Tensor softmaxRows(Tensor x) {
    throw new UnsupportedOperationException("softmaxRows");
  }

  /** x_r / max(‖x_r‖₂, 1e-12) per row, as torch.nn.functional.normalize. */
  public Tensor l2NormalizeRows(Tensor x) {
    throw new UnsupportedOperationException("l2NormalizeRows");
  }

  /** Inverted dropout: zero each value with probability p, scale the rest by 1/(1−p). p = 0 returns x. */
  public Tensor dropout(Tensor x, float p, RandomGenerator rng) {
    throw new UnsupportedOperationException("dropout");
  }

  /** Σ of all values, 1×1. */
  public Tensor sum(Tensor x) {
    throw new UnsupportedOperationException("sum");
  }

  /** Mean of all values, 1×1. */
  public Tensor mean(Tensor x) {
    throw new UnsupportedOperationException("mean");
  }

  /** Σ x², 1×1. */
  public Tensor sumSquares(Tensor x) {
    throw new UnsupportedOperationException("sumSquares");
  }

  /** ‖x‖₂ (Frobenius norm), 1×1, as torch.norm(x, p=2). */
  public Tensor norm(Tensor x) {
    throw new UnsupportedOperationException("norm");
  }

  /** Row-wise dot products of two m×d tensors, m×1. */
  public Tensor rowDot(Tensor a, Tensor b) {
    throw new UnsupportedOperationException("rowDot");
  }

  /** Layer normalisation over each row, with per-column gain and bias (1×cols), as torch.nn.LayerNorm. */
  public Tensor layerNorm(Tensor x, Tensor gain, Tensor bias, float eps) {
    throw new UnsupportedOperationException("layerNorm");
  }

  /**
   * Grouped a·bᵀ: a and b are (g·r)×d made of g blocks of r rows; out is (g·r)×r where block k is
   * a_k · b_kᵀ. Used by attention over small per-user sets.
   */
  public Tensor groupedMatmulNT(Tensor a, Tensor b, int groupRows) {
    throw new UnsupportedOperationException("groupedMatmulNT");
  }

  /** Grouped p·v: p is (g·r)×r, v is (g·r)×d; block k of the output is p_k · v_k. */
  public Tensor groupedMatmul(Tensor p, Tensor v, int groupRows) {
    throw new UnsupportedOperationException("groupedMatmul");
  }

  /**
   * InfoNCE with cosine similarity and in-batch negatives (PGL, SGL):
   * mean_r −log( exp(cos(a_r,b_r)/τ) / Σ_s exp(cos(a_r,b_s)/τ) ), 1×1.
   */
  public Tensor infoNce(Tensor a, Tensor b, float tau) {
    throw new UnsupportedOperationException("infoNce");
  }
}
