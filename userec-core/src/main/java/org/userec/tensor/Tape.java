package org.userec.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.graph.CsrMatrix;
import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/**
 * Reverse-mode automatic differentiation. Every op computes its output now and, when any input requires a
 * gradient and this tape records, pushes a closure that adds the output's gradient into its inputs'
 * gradients. {@link #backward(Tensor)} runs the closures in reverse order.
 *
 * <p>A tape made by {@link #noGrad()} computes forward values only (inference, evaluation).
 *
 * <p>Shapes are checked at entry and a mismatch throws {@link IllegalArgumentException} naming both shapes.
 *
 * <p>The tape is the recorder; the ops live by family, each op's backward beside its forward, and the tape's
 * public methods delegate to them, so a model reads {@code t.add(a, t.matmul(x, w))}: {@link Indexing}
 * (gather, concatenation, slices), {@link DenseProducts}, {@link SparseProducts} (with the LightGCN layer mean),
 * {@link Elementwise} (arithmetic and activations), {@link RowNormalisation} (softmax, L2 and layer norm),
 * {@link Reductions} (sums and norms) and {@link FusedLosses} (BPR over rows of a table, InfoNCE). An op is a
 * static method of its family taking the tape first, recording through {@link #output}, {@link #onBackward} and
 * the work arrays of {@link #alloc}, with a one-line delegation here.
 *
 * <p>Semantics follow PyTorch (the reference for every MMRec model): each op's Javadoc, in its family's class,
 * names the torch expression it mirrors. Backward steps only ever add ({@code +=}) into {@link
 * Tensor#gradBuffer()} of inputs that {@link Tensor#requiresGrad()}, and skip work when no gradient reached their
 * output. Index arrays passed to ops are copied, so callers may reuse them.
 *
 * <p>A few ops leave their gradient to a {@link Param} deferred ({@link Param#defer}): the layer mean's last
 * sparse product and the norms of rows. {@link Param#grad()} adds such parts first, in backward's order, so
 * every reader sees the values an immediate add would give; Adam's stepThenZeroGrad builds the gradient chunk by
 * chunk instead and updates each chunk while it is in cache.
 */
public final class Tape {
  /**
   * Elementwise and row-wise work on more values than this is split across threads: handing a range to the
   * team costs about 8 µs ({@link Parallel}), about what one thread takes for a pass over this many values.
   */
  static final int PARALLEL_MIN = 1 << 15;
  /** Values per chunk when split. */
  static final int GRAIN = 1 << 13;

  private final boolean recording;
  private final List<Runnable> backwards = new ArrayList<>();
  private final ArrayPool pool;
  private final List<float[]> taken = new ArrayList<>();

  private Tape(boolean recording, ArrayPool pool) {
    this.recording = recording;
    this.pool = pool;
  }

  /** A tape that records for backward. */
  public static Tape recording() {
    return new Tape(true, null);
  }

  /**
   * A recording tape whose op outputs, gradients and work arrays come from {@code pool} and go back to it when
   * {@link #backward} finishes. Every tensor this tape made is invalid after backward: read what you need (the
   * loss value) before. The trainer uses one pool for a whole training run.
   */
  public static Tape recording(ArrayPool pool) {
    return new Tape(true, java.util.Objects.requireNonNull(pool));
  }

  /** A tape that only computes forward values. */
  public static Tape noGrad() {
    return new Tape(false, null);
  }

  /** A zero-filled work array: pooled on a pooled tape (returned after backward), fresh otherwise. */
  float[] alloc(int n) {
    if (pool == null) {
      return new float[n];
    }
    float[] a = pool.take(n);
    taken.add(a);
    return a;
  }

  /** Like {@link #alloc} but with unspecified contents: for a buffer whose every value is written before it is read. */
  float[] allocForOverwrite(int n) {
    if (pool == null) {
      return new float[n];
    }
    float[] a = pool.takeForOverwrite(n);
    taken.add(a);
    return a;
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
    Tensor out = pool == null ? new Tensor(rows, cols) : new Tensor(rows, cols, alloc(Math.multiplyExact(rows, cols)));
    return tracked(out, inputs);
  }

  /** {@link #output} whose values the op overwrites every one of: taken from the pool without the zero fill. */
  Tensor outputForOverwrite(int rows, int cols, Tensor... inputs) {
    if (pool == null) {
      return output(rows, cols, inputs);
    }
    return tracked(new Tensor(rows, cols, allocForOverwrite(Math.multiplyExact(rows, cols))), inputs);
  }

  /** Marks a new output as this tape's, needing a gradient when it records and any input needs one. */
  private Tensor tracked(Tensor out, Tensor... inputs) {
    if (pool != null) {
      out.tape = this;
    }
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
    backward(loss, new float[] {1f});
  }

  /**
   * Adds {@code seed} (d(L)/d(out), one value per element of out) into out's gradient and runs every
   * recorded step in reverse; the tape is cleared afterwards. Used by gradient checks on non-scalar ops.
   */
  void backward(Tensor out, float[] seed) {
    if (seed.length != out.size()) {
      throw new IllegalArgumentException("seed has " + seed.length + " values for a " + out.shape() + " output");
    }
    if (!out.requiresGrad) {
      throw new IllegalStateException("loss does not depend on any parameter (or the tape does not record)");
    }
    float[] g = out.gradBuffer();
    for (int i = 0; i < g.length; i++) {
      g[i] += seed[i];
    }
    for (int k = backwards.size() - 1; k >= 0; k--) {
      backwards.get(k).run();
    }
    backwards.clear();
    release();
  }

  /**
   * Hands a work array back to the pool before the step ends, once nothing reads it any more (a forward
   * buffer that the backward does not need): the next array of that length taken in this step reuses it, so
   * the step's working set stays smaller and in cache. Without a pool it does nothing.
   */
  void giveBack(float[] a) {
    if (pool == null || a == null) {
      return;
    }
    if (!disown(a)) {
      throw new IllegalStateException("giveBack: the array was not taken in this step, or was given back already");
    }
    pool.give(a);
  }

  /** Returns every pooled array this tape handed out; its tensors must not be used afterwards. */
  public void release() {
    if (pool != null) {
      for (float[] a : taken) {
        pool.give(a);
      }
      taken.clear();
      pool.endStep();
    }
  }

  /**
   * Takes a work array out of this tape's hands: it will not go back to the pool at the step's end, and whoever
   * took it returns it (deferred gradients that read it after backward). False when this tape does not hold it.
   */
  boolean disown(float[] a) {
    for (int k = taken.size() - 1; k >= 0; k--) {
      if (taken.get(k) == a) {
        taken.remove(k);
        return true;
      }
    }
    return false;
  }

  /** Hands a work array back now if this tape still holds it (see {@link #giveBack}). */
  void giveBackIfHeld(float[] a) {
    if (a != null && pool != null && disown(a)) {
      pool.give(a);
    }
  }

  /** The pool this tape takes its arrays from, null when it has none. */
  ArrayPool pool() {
    return pool;
  }

  // ---------------------------------------------------------------------------------------------
  // Shared by the ops: ranges split across threads, argument checks
  // ---------------------------------------------------------------------------------------------

  /** Runs body over [0, n) values, split across threads when n is large. */
  static void values(int n, Parallel.RangeBody body) {
    if (n <= PARALLEL_MIN) {
      body.run(0, n);
    } else {
      Parallel.forRange(n, GRAIN, body);
    }
  }

  /** Runs body over [0, rows) rows of {@code cols} values each, split across threads when large. */
  static void rowsOf(int rows, int cols, Parallel.RangeBody body) {
    if ((long) rows * Math.max(1, cols) <= PARALLEL_MIN) {
      body.run(0, rows);
    } else {
      Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), body);
    }
  }

  static void sameShape(String op, Tensor a, Tensor b) {
    if (a.rows != b.rows || a.cols != b.cols) {
      throw new IllegalArgumentException(op + ": shapes differ, " + a.shape() + " vs " + b.shape());
    }
  }

  static int[] checkIndices(String op, int[] idx, int bound, String what) {
    for (int k = 0; k < idx.length; k++) {
      if (idx[k] < 0 || idx[k] >= bound) {
        throw new IllegalArgumentException(
            op + ": index " + idx[k] + " at position " + k + " outside [0, " + bound + ") " + what);
      }
    }
    return idx.clone();
  }

  /** dst[j] += Σ_r g[r, j], summed in row order (deterministic). */
  static void columnSumsInto(float[] g, int m, int n, float[] dst) {
    for (int r = 0; r < m; r++) {
      Kernels.axpy(1f, g, r * n, dst, 0, n);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Indexing and reshaping: Indexing
  // ---------------------------------------------------------------------------------------------

  /** See {@link Indexing#gatherRows}. */
  public Tensor gatherRows(Tensor table, int[] idx) {
    return Indexing.gatherRows(this, table, idx);
  }

  /** See {@link Indexing#concatCols}. */
  public Tensor concatCols(Tensor... parts) {
    return Indexing.concatCols(this, parts);
  }

  /** See {@link Indexing#concatRows}. */
  public Tensor concatRows(Tensor... parts) {
    return Indexing.concatRows(this, parts);
  }

  /** See {@link Indexing#sliceRows}. */
  public Tensor sliceRows(Tensor x, int from, int to) {
    return Indexing.sliceRows(this, x, from, to);
  }

  /** See {@link Indexing#sliceCols}. */
  public Tensor sliceCols(Tensor x, int from, int to) {
    return Indexing.sliceCols(this, x, from, to);
  }

  // ---------------------------------------------------------------------------------------------
  // Dense products: DenseProducts
  // ---------------------------------------------------------------------------------------------

  /** See {@link DenseProducts#matmul}. */
  public Tensor matmul(Tensor a, Tensor b) {
    return DenseProducts.matmul(this, a, b);
  }

  /** See {@link DenseProducts#matmulNT}. */
  public Tensor matmulNT(Tensor a, Tensor b) {
    return DenseProducts.matmulNT(this, a, b);
  }

  /** See {@link DenseProducts#matmulTN}. */
  public Tensor matmulTN(Tensor a, Tensor b) {
    return DenseProducts.matmulTN(this, a, b);
  }

  /** See {@link DenseProducts#linear(Tape, Tensor, Tensor, Tensor)}. */
  public Tensor linear(Tensor x, Tensor w, Tensor bias) {
    return DenseProducts.linear(this, x, w, bias);
  }

  /** See {@link DenseProducts#linear(Tape, ConstantMatrix, Tensor, Tensor)}. */
  public Tensor linear(ConstantMatrix x, Tensor w, Tensor bias) {
    return DenseProducts.linear(this, x, w, bias);
  }

  /** See {@link DenseProducts#groupedMatmulNT}. */
  public Tensor groupedMatmulNT(Tensor a, Tensor b, int groupRows) {
    return DenseProducts.groupedMatmulNT(this, a, b, groupRows);
  }

  /** See {@link DenseProducts#groupedMatmul}. */
  public Tensor groupedMatmul(Tensor p, Tensor v, int groupRows) {
    return DenseProducts.groupedMatmul(this, p, v, groupRows);
  }

  /** See {@link DenseProducts#rowDot}. */
  public Tensor rowDot(Tensor a, Tensor b) {
    return DenseProducts.rowDot(this, a, b);
  }

  // ---------------------------------------------------------------------------------------------
  // Sparse products: SparseProducts
  // ---------------------------------------------------------------------------------------------

  /** See {@link SparseProducts#spmm}. */
  public Tensor spmm(CsrMatrix a, Tensor x) {
    return SparseProducts.spmm(this, a, x);
  }

  /** See {@link SparseProducts#spmmRows}. */
  public Tensor spmmRows(CsrMatrix a, int[] rows, Tensor x) {
    return SparseProducts.spmmRows(this, a, rows, x);
  }

  /** See {@link SparseProducts#propagateMean(Tape, CsrMatrix, Tensor, int)}. */
  public Tensor propagateMean(CsrMatrix a, Tensor x, int layers) {
    return SparseProducts.propagateMean(this, a, x, layers);
  }

  /** See {@link SparseProducts#propagateMean(Tape, CsrMatrix, int, Tensor...)}. */
  public Tensor propagateMean(CsrMatrix a, int layers, Tensor... x) {
    return SparseProducts.propagateMean(this, a, layers, x);
  }

  /** See {@link SparseProducts#propagateMeanRows}. */
  public Tensor propagateMeanRows(CsrMatrix a, int layers, int[] rows, Tensor... x) {
    return SparseProducts.propagateMeanRows(this, a, layers, rows, x);
  }

  // ---------------------------------------------------------------------------------------------
  // Elementwise arithmetic and functions: Elementwise
  // ---------------------------------------------------------------------------------------------

  /** See {@link Elementwise#add}. */
  public Tensor add(Tensor a, Tensor b) {
    return Elementwise.add(this, a, b);
  }

  /** See {@link Elementwise#sub}. */
  public Tensor sub(Tensor a, Tensor b) {
    return Elementwise.sub(this, a, b);
  }

  /** See {@link Elementwise#mul}. */
  public Tensor mul(Tensor a, Tensor b) {
    return Elementwise.mul(this, a, b);
  }

  /** See {@link Elementwise#scale}. */
  public Tensor scale(Tensor a, float s) {
    return Elementwise.scale(this, a, s);
  }

  /** See {@link Elementwise#mulScalar}. */
  public Tensor mulScalar(Tensor a, Tensor s) {
    return Elementwise.mulScalar(this, a, s);
  }

  /** See {@link Elementwise#scaleRows}. */
  public Tensor scaleRows(Tensor x, Tensor w) {
    return Elementwise.scaleRows(this, x, w);
  }

  /** See {@link Elementwise#weightedSum}. */
  public Tensor weightedSum(float[] w, Tensor... xs) {
    return Elementwise.weightedSum(this, w, xs);
  }

  /** See {@link Elementwise#sigmoid}. */
  public Tensor sigmoid(Tensor x) {
    return Elementwise.sigmoid(this, x);
  }

  /** See {@link Elementwise#logSigmoid}. */
  public Tensor logSigmoid(Tensor x) {
    return Elementwise.logSigmoid(this, x);
  }

  /** See {@link Elementwise#softplus}. */
  public Tensor softplus(Tensor x) {
    return Elementwise.softplus(this, x);
  }

  /** See {@link Elementwise#tanh}. */
  public Tensor tanh(Tensor x) {
    return Elementwise.tanh(this, x);
  }

  /** See {@link Elementwise#relu}. */
  public Tensor relu(Tensor x) {
    return Elementwise.relu(this, x);
  }

  /** See {@link Elementwise#leakyRelu}. */
  public Tensor leakyRelu(Tensor x, float slope) {
    return Elementwise.leakyRelu(this, x, slope);
  }

  /** See {@link Elementwise#exp}. */
  public Tensor exp(Tensor x) {
    return Elementwise.exp(this, x);
  }

  /** See {@link Elementwise#log}. */
  public Tensor log(Tensor x) {
    return Elementwise.log(this, x);
  }

  /** See {@link Elementwise#dropout}. */
  public Tensor dropout(Tensor x, float p, RandomGenerator rng) {
    return Elementwise.dropout(this, x, p, rng);
  }

  // ---------------------------------------------------------------------------------------------
  // Row-wise normalisation: RowNormalisation
  // ---------------------------------------------------------------------------------------------

  /** See {@link RowNormalisation#softmaxRows}. */
  public Tensor softmaxRows(Tensor x) {
    return RowNormalisation.softmaxRows(this, x);
  }

  /** See {@link RowNormalisation#l2NormalizeRows}. */
  public Tensor l2NormalizeRows(Tensor x) {
    return RowNormalisation.l2NormalizeRows(this, x);
  }

  /** See {@link RowNormalisation#layerNorm}. */
  public Tensor layerNorm(Tensor x, Tensor gain, Tensor bias, float eps) {
    return RowNormalisation.layerNorm(this, x, gain, bias, eps);
  }

  // ---------------------------------------------------------------------------------------------
  // Reductions: Reductions
  // ---------------------------------------------------------------------------------------------

  /** See {@link Reductions#sum}. */
  public Tensor sum(Tensor x) {
    return Reductions.sum(this, x);
  }

  /** See {@link Reductions#mean}. */
  public Tensor mean(Tensor x) {
    return Reductions.mean(this, x);
  }

  /** See {@link Reductions#sumSquares}. */
  public Tensor sumSquares(Tensor x) {
    return Reductions.sumSquares(this, x);
  }

  /** See {@link Reductions#normOfRows}. */
  public Tensor normOfRows(Tensor table, int[] idx) {
    return Reductions.normOfRows(this, table, idx);
  }

  /** See {@link Reductions#norm}. */
  public Tensor norm(Tensor x) {
    return Reductions.norm(this, x);
  }

  /** See {@link Reductions#rowSum}. */
  public Tensor rowSum(Tensor x) {
    return Reductions.rowSum(this, x);
  }

  // ---------------------------------------------------------------------------------------------
  // Losses as one op: FusedLosses
  // ---------------------------------------------------------------------------------------------

  /** See {@link FusedLosses#bprOfRows}. */
  public Tensor bprOfRows(Tensor table, int[] u, int[] p, int[] n) {
    return FusedLosses.bprOfRows(this, table, u, p, n);
  }

  /** See {@link FusedLosses#infoNce}. */
  public Tensor infoNce(Tensor a, Tensor b, float tau) {
    return FusedLosses.infoNce(this, a, b, tau);
  }
}
