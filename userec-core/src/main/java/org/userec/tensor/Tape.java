package org.userec.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.graph.CsrMatrix;
import org.userec.tensor.simd.DenseRows;
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
 * <p>Semantics follow PyTorch (the reference for every MMRec model): each op's Javadoc names the torch
 * expression it mirrors. Backward steps only ever add ({@code +=}) into {@link Tensor#gradBuffer()} of
 * inputs that {@link Tensor#requiresGrad()}, and skip work when no gradient reached their output. Index
 * arrays passed to ops are copied, so callers may reuse them.
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
  private static final int PARALLEL_MIN = 1 << 15;
  /** Values per chunk when split. */
  private static final int GRAIN = 1 << 13;

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
    if (!release(a)) {
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

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  /** Runs body over [0, n) values, split across threads when n is large. */
  private static void values(int n, Parallel.RangeBody body) {
    if (n <= PARALLEL_MIN) {
      body.run(0, n);
    } else {
      Parallel.forRange(n, GRAIN, body);
    }
  }

  /** Runs body over [0, rows) rows of {@code cols} values each, split across threads when large. */
  private static void rowsOf(int rows, int cols, Parallel.RangeBody body) {
    if ((long) rows * Math.max(1, cols) <= PARALLEL_MIN) {
      body.run(0, rows);
    } else {
      Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), body);
    }
  }

  private static void sameShape(String op, Tensor a, Tensor b) {
    if (a.rows != b.rows || a.cols != b.cols) {
      throw new IllegalArgumentException(op + ": shapes differ, " + a.shape() + " vs " + b.shape());
    }
  }

  private static void addInto(float[] dst, float[] src) {
    values(dst.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        dst[i] += src[i];
      }
    });
  }

  private static float sigma(float x) {
    if (x >= 0) {
      return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
    double z = Math.exp(x);
    return (float) (z / (1.0 + z));
  }

  /** log(1 + e^(−|x|)), the stable tail shared by softplus and log-sigmoid. */
  private static double log1pExpNegAbs(float x) {
    return Math.log1p(Math.exp(-Math.abs((double) x)));
  }

  private static int[] checkIndices(String op, int[] idx, int bound, String what) {
    for (int k = 0; k < idx.length; k++) {
      if (idx[k] < 0 || idx[k] >= bound) {
        throw new IllegalArgumentException(
            op + ": index " + idx[k] + " at position " + k + " outside [0, " + bound + ") " + what);
      }
    }
    return idx.clone();
  }

  // ---------------------------------------------------------------------------------------------
  // Indexing and reshaping
  // ---------------------------------------------------------------------------------------------

  /**
   * out[r] = table[idx[r]] (torch: {@code table[idx]}, {@code nn.Embedding}). Backward scatter-adds into the
   * table's rows sequentially in r order, so the result does not depend on the thread count.
   */
  public Tensor gatherRows(Tensor table, int[] idx) {
    int[] ix = checkIndices("gatherRows", idx, table.rows, "rows of a " + table.shape() + " table");
    int d = table.cols;
    Tensor out = output(ix.length, d, table);
    float[] t = table.data;
    float[] y = out.data;
    rowsOf(ix.length, d, (s, e) -> {
      for (int r = s; r < e; r++) {
        System.arraycopy(t, ix[r] * d, y, r * d, d);
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gt = table.gradBuffer();
      for (int r = 0; r < ix.length; r++) {
        Kernels.axpy(1f, g, r * d, gt, ix[r] * d, d);
      }
    });
    return out;
  }

  /** Column-wise concatenation [a ‖ b ‖ …] of tensors with equal row counts (torch.cat(dim=1)). */
  public Tensor concatCols(Tensor... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("concatCols: no parts");
    }
    int m = parts[0].rows;
    int total = 0;
    for (Tensor p : parts) {
      if (p.rows != m) {
        throw new IllegalArgumentException(
            "concatCols: row counts differ, " + parts[0].shape() + " vs " + p.shape());
      }
      total += p.cols;
    }
    int n = total;
    Tensor[] ps = parts.clone();
    Tensor out = output(m, n, ps);
    float[] y = out.data;
    rowsOf(m, n, (s, e) -> {
      for (int r = s; r < e; r++) {
        int off = r * n;
        for (Tensor p : ps) {
          System.arraycopy(p.data, r * p.cols, y, off, p.cols);
          off += p.cols;
        }
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      int col = 0;
      for (Tensor p : ps) {
        if (p.requiresGrad) {
          float[] gp = p.gradBuffer();
          int c = p.cols;
          int c0 = col;
          rowsOf(m, c, (s, e) -> {
            for (int r = s; r < e; r++) {
              Kernels.axpy(1f, g, r * n + c0, gp, r * c, c);
            }
          });
        }
        col += p.cols;
      }
    });
    return out;
  }

  /** Row-wise concatenation [a; b; …] of tensors with equal column counts (torch.cat(dim=0)). */
  public Tensor concatRows(Tensor... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("concatRows: no parts");
    }
    int n = parts[0].cols;
    int total = 0;
    for (Tensor p : parts) {
      if (p.cols != n) {
        throw new IllegalArgumentException(
            "concatRows: column counts differ, " + parts[0].shape() + " vs " + p.shape());
      }
      total += p.rows;
    }
    Tensor[] ps = parts.clone();
    Tensor out = output(total, n, ps);
    int off = 0;
    for (Tensor p : ps) {
      System.arraycopy(p.data, 0, out.data, off, p.data.length);
      off += p.data.length;
    }
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      int o = 0;
      for (Tensor p : ps) {
        if (p.requiresGrad) {
          float[] gp = p.gradBuffer();
          int o0 = o;
          values(gp.length, (s, e) -> {
            for (int i = s; i < e; i++) {
              gp[i] += g[o0 + i];
            }
          });
        }
        o += p.data.length;
      }
    });
    return out;
  }

  /** Rows [from, to) of x (torch: {@code x[from:to]}). */
  public Tensor sliceRows(Tensor x, int from, int to) {
    if (from < 0 || to < from || to > x.rows) {
      throw new IllegalArgumentException("sliceRows: [" + from + ", " + to + ") outside a " + x.shape() + " tensor");
    }
    int n = x.cols;
    Tensor out = output(to - from, n, x);
    System.arraycopy(x.data, from * n, out.data, 0, out.data.length);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      int o = from * n;
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[o + i] += g[i];
        }
      });
    });
    return out;
  }

  /** Columns [from, to) of x (torch: {@code x[:, from:to]}). */
  public Tensor sliceCols(Tensor x, int from, int to) {
    if (from < 0 || to < from || to > x.cols) {
      throw new IllegalArgumentException("sliceCols: [" + from + ", " + to + ") outside a " + x.shape() + " tensor");
    }
    int m = x.rows;
    int n = x.cols;
    int w = to - from;
    Tensor out = output(m, w, x);
    float[] y = out.data;
    rowsOf(m, w, (s, e) -> {
      for (int r = s; r < e; r++) {
        System.arraycopy(x.data, r * n + from, y, r * w, w);
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      rowsOf(m, w, (s, e) -> {
        for (int r = s; r < e; r++) {
          Kernels.axpy(1f, g, r * w, gx, r * n + from, w);
        }
      });
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Products
  // ---------------------------------------------------------------------------------------------

  /** a[m×k] · b[k×n] (torch.matmul). */
  public Tensor matmul(Tensor a, Tensor b) {
    if (a.cols != b.rows) {
      throw new IllegalArgumentException("matmul: inner dimensions differ, " + a.shape() + " · " + b.shape());
    }
    int m = a.rows;
    int k = a.cols;
    int n = b.cols;
    Tensor out = output(m, n, a, b);
    Kernels.gemmNN(a.data, b.data, out.data, m, k, n, false);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (a.requiresGrad) { // dA += G · Bᵀ
        Kernels.gemmNT(g, b.data, a.gradBuffer(), m, n, k, true);
      }
      if (b.requiresGrad) { // dB += Aᵀ · G
        Kernels.gemmTN(a.data, g, b.gradBuffer(), m, k, n, true);
      }
    });
    return out;
  }

  /** a[m×k] · b[n×k]ᵀ (torch: {@code a @ b.T}). */
  public Tensor matmulNT(Tensor a, Tensor b) {
    if (a.cols != b.cols) {
      throw new IllegalArgumentException("matmulNT: column counts differ, " + a.shape() + " · (" + b.shape() + ")ᵀ");
    }
    int m = a.rows;
    int k = a.cols;
    int n = b.rows;
    Tensor out = output(m, n, a, b);
    Kernels.gemmNT(a.data, b.data, out.data, m, k, n, false);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (a.requiresGrad) { // dA += G · B
        Kernels.gemmNN(g, b.data, a.gradBuffer(), m, n, k, true);
      }
      if (b.requiresGrad) { // dB += Gᵀ · A
        Kernels.gemmTN(g, a.data, b.gradBuffer(), m, n, k, true);
      }
    });
    return out;
  }

  /** a[k×m]ᵀ · b[k×n] (torch: {@code a.T @ b}), e.g. hyperedge aggregation in LGMRec. */
  public Tensor matmulTN(Tensor a, Tensor b) {
    if (a.rows != b.rows) {
      throw new IllegalArgumentException("matmulTN: row counts differ, (" + a.shape() + ")ᵀ · " + b.shape());
    }
    int k = a.rows;
    int m = a.cols;
    int n = b.cols;
    Tensor out = output(m, n, a, b);
    Kernels.gemmTN(a.data, b.data, out.data, k, m, n, false);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (a.requiresGrad) { // dA[k×m] += B · Gᵀ
        Kernels.gemmNT(b.data, g, a.gradBuffer(), k, n, m, true);
      }
      if (b.requiresGrad) { // dB[k×n] += A · G
        Kernels.gemmNN(a.data, g, b.gradBuffer(), k, m, n, true);
      }
    });
    return out;
  }

  /**
   * x[m×in] · w[in×out] + bias[1×out]; bias may be null. Note w is stored in×out, the transpose of
   * torch.nn.Linear's weight (out×in); the maths is the same.
   */
  public Tensor linear(Tensor x, Tensor w, Tensor bias) {
    if (x.cols != w.rows) {
      throw new IllegalArgumentException("linear: input " + x.shape() + " does not fit weight " + w.shape());
    }
    if (bias != null && (bias.rows != 1 || bias.cols != w.cols)) {
      throw new IllegalArgumentException("linear: bias " + bias.shape() + " does not fit weight " + w.shape());
    }
    int m = x.rows;
    int in = x.cols;
    int n = w.cols;
    Tensor out = output(m, n, x, w, bias);
    float[] y = out.data;
    Kernels.gemmNN(x.data, w.data, y, m, in, n, false);
    if (bias != null) {
      float[] bv = bias.data;
      rowsOf(m, n, (s, e) -> {
        for (int r = s; r < e; r++) {
          Kernels.axpy(1f, bv, 0, y, r * n, n);
        }
      });
    }
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (x.requiresGrad) {
        Kernels.gemmNT(g, w.data, x.gradBuffer(), m, n, in, true);
      }
      if (w.requiresGrad) {
        Kernels.gemmTN(x.data, g, w.gradBuffer(), m, in, n, true);
      }
      if (bias != null && bias.requiresGrad) {
        columnSumsInto(g, m, n, bias.gradBuffer());
      }
    });
    return out;
  }

  /**
   * x·w + bias for a constant x (a frozen feature table): {@link #linear(Tensor, Tensor, Tensor)} without a
   * gradient for x, with x's packed copies reused from one call to the next.
   */
  public Tensor linear(ConstantMatrix x, Tensor w, Tensor bias) {
    Tensor xv = x.value();
    if (xv.cols != w.rows) {
      throw new IllegalArgumentException("linear: input " + xv.shape() + " does not fit weight " + w.shape());
    }
    if (bias != null && (bias.rows != 1 || bias.cols != w.cols)) {
      throw new IllegalArgumentException("linear: bias " + bias.shape() + " does not fit weight " + w.shape());
    }
    int m = xv.rows;
    int n = w.cols;
    Tensor out = output(m, n, w, bias);
    float[] y = out.data;
    Kernels.gemmNN(x.packed(), w.data, y, n, false);
    if (bias != null) {
      float[] bv = bias.data;
      rowsOf(m, n, (s, e) -> {
        for (int r = s; r < e; r++) {
          Kernels.axpy(1f, bv, 0, y, r * n, n);
        }
      });
    }
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (w.requiresGrad) {
        Kernels.gemmTN(x.packed(), g, w.gradBuffer(), n, true);
      }
      if (bias != null && bias.requiresGrad) {
        columnSumsInto(g, m, n, bias.gradBuffer());
      }
    });
    return out;
  }

  /** dst[j] += Σ_r g[r, j], summed in row order (deterministic). */
  private static void columnSumsInto(float[] g, int m, int n, float[] dst) {
    for (int r = 0; r < m; r++) {
      Kernels.axpy(1f, g, r * n, dst, 0, n);
    }
  }

  /** a[r×c] · x[c×d] for a sparse constant a (torch.sparse.mm). Backward uses aᵀ (cached by the matrix). */
  public Tensor spmm(CsrMatrix a, Tensor x) {
    if (a.cols != x.rows) {
      throw new IllegalArgumentException("spmm: sparse " + a.rows + "x" + a.cols + " · " + x.shape());
    }
    int d = x.cols;
    Tensor out = output(a.rows, d, x);
    Kernels.spmm(a, x.data, d, out.data, false);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      Kernels.spmm(a.transpose(), g, d, x.gradBuffer(), true);
    });
    return out;
  }

  /**
   * The LightGCN layer mean (He et al. 2020, eq. 4 with α_l = 1/(L+1)): mean(x, A·x, …, Aᴸ·x) for a square
   * sparse A, as one op. Backward by Horner's rule, dx = (1/(L+1))·Σ_l (Aᵀ)ˡ g = H/(L+1) with H ← g + Aᵀ·H
   * repeated L times, so forward and backward each cost L sparse products and no per-layer tape entries.
   */
  public Tensor propagateMean(CsrMatrix a, Tensor x, int layers) {
    return propagateMean(a, layers, x);
  }

  /**
   * {@link #propagateMean(CsrMatrix, Tensor, int)} over x = [x₀; x₁; …], the blocks stacked by rows as
   * torch.cat(x, dim=0), with their gradients written in place: equal to {@code propagateMean(a,
   * concatRows(x), layers)}, value for value and gradient for gradient, with one copy fewer each way.
   */
  public Tensor propagateMean(CsrMatrix a, int layers, Tensor... x) {
    Tensor[] xs = checkPropagate("propagateMean", a, layers, x);
    int d = xs[0].cols;
    int n = a.rows;
    Tensor out = output(n, d, xs);
    float[] acc = out.data;
    int off = 0;
    for (Tensor b : xs) { // acc = x (then + E¹ + … in layer order)
      System.arraycopy(b.data, 0, acc, off, b.data.length);
      off += b.data.length;
    }
    DenseRows cur = layers == 0 ? null : input(xs, d);
    float[][] bufs = new float[2][];
    for (int l = 1; l <= layers; l++) {
      int which = l & 1;
      if (bufs[which] == null) {
        bufs[which] = allocForOverwrite(n * d);
      }
      float[] next = bufs[which];
      Kernels.spmm(a, cur, null, DenseRows.of(next, d));
      Kernels.add(acc, 0, next, 0, acc, 0, n * d);
      cur = DenseRows.of(next, d);
    }
    float inv = 1f / (layers + 1);
    Kernels.scale(acc, inv);
    giveBack(bufs[0]); // the backward reads no layer (see propagateMeanRows)
    giveBack(bufs[1]);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      horner(null, a.transpose(), DenseRows.of(g, d), g, layers, inv, xs);
    });
    return out;
  }

  /**
   * Rows {@code rows} of the LightGCN layer mean over x = [x₀; x₁; …] (blocks stacked by rows): equal to {@code
   * gatherRows(propagateMean(a, layers, x), rows)}, value for value and gradient for gradient, at a fraction of
   * the cost when the rows are few. The last layer is computed only for the distinct requested rows (Âᴸx at
   * those rows from Âᴸ⁻¹x), and backward starts from a gradient that is zero outside them, stored compactly.
   * Rows may repeat and come in any order (their gradients add up in request order); sorted distinct rows skip
   * a copy.
   */
  public Tensor propagateMeanRows(CsrMatrix a, int layers, int[] rows, Tensor... x) {
    Tensor[] xs = checkPropagate("propagateMeanRows", a, layers, x);
    int d = xs[0].cols;
    int n = a.rows;
    int[] rs = checkIndices("propagateMeanRows", rows, n, "rows of a " + n + "x" + n + " sparse matrix");
    int[] distinct = sortedDistinct(rs);
    boolean same = distinct.length == rs.length; // rs was sorted and distinct
    int m = distinct.length;
    Tensor out = outputForOverwrite(rs.length, d, xs);
    float[] acc = same ? out.data : allocForOverwrite(m * d); // the mean at the distinct rows
    float inv = 1f / (layers + 1);
    // acc = x, then + Âx, …, + Âᴸx in layer order, then · 1/(L+1): each row's adds in that order, whichever
    // passes they are merged into (x read only in the first, the scaling done in the last)
    Rows x0 = new Rows(xs, distinct, d);
    if (layers == 0) {
      x0.sumInto(acc, null, null, null, inv);
    } else {
      DenseRows cur = input(xs, d);
      float[][] bufs = new float[2][];
      for (int l = 1; l < layers; l++) {
        int which = l & 1;
        if (bufs[which] == null) {
          bufs[which] = allocForOverwrite(n * d);
        }
        float[] next = bufs[which];
        Kernels.spmm(a, cur, null, DenseRows.of(next, d));
        x0.sumInto(acc, l == 1 ? null : acc, next, null, 1f);
        cur = DenseRows.of(next, d);
      }
      // a full-size buffer (only its first m rows are used): its length recurs batch after batch, so the pool
      // keeps it, while one of m rows (m varies) would be a fresh, zeroed and uncached array every batch
      float[] last = allocForOverwrite(n * d);
      Kernels.spmmRows(a, distinct, cur, last);
      x0.sumInto(acc, layers == 1 ? null : acc, null, last, inv);
      // the backward reads none of the layers: their buffers serve its own (same lengths) in this step
      giveBack(last);
      giveBack(bufs[0]);
      giveBack(bufs[1]);
    }
    int[] slot = same ? null : slots(rs, distinct);
    if (!same) {
      for (int r = 0; r < rs.length; r++) {
        System.arraycopy(acc, slot[r] * d, out.data, r * d, d);
      }
    }
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      // the gradient, zero outside the distinct rows, stored compactly
      float[] gc = g;
      if (!same) {
        gc = alloc(m * d);
        for (int r = 0; r < rs.length; r++) {
          Kernels.axpy(1f, g, r * d, gc, slot[r] * d, d);
        }
      }
      int[] rowOf = new int[n];
      java.util.Arrays.fill(rowOf, -1);
      for (int k = 0; k < m; k++) {
        rowOf[distinct[k]] = k;
      }
      if (layers == 0) {
        horner(null, a.transpose(), DenseRows.remapped(gc, rowOf, d), gc, 0, inv, xs);
        return;
      }
      // H¹ = g + Aᵀg, gathered row by row from g's few rows, stored compactly (a small table that stays in cache)
      CsrMatrix at = a.transpose();
      float[] h1 = allocForOverwrite(n * d);
      Kernels.spmmSparseInput(at, rowOf, gc, d, h1);
      horner(h1, at, DenseRows.remapped(gc, rowOf, d), gc, layers, inv, xs);
      giveBackIfHeld(h1); // unless the deferred gradient reads it
    });
    return out;
  }

  /**
   * Rows {@code rows} (ascending) of the blocks x = [x₀; x₁; …] stacked by rows, for passes over a few rows of a
   * propagation: each pass reads every row once, splits the rows across threads and adds in a fixed order.
   */
  private static final class Rows {
    private final float[][] arrays;
    private final int[] offsets; // offsets[k]: where row rows[k] starts in arrays[blocks[k]]
    private final int[] blocks;
    private final int[] rows;
    private final int d;

    Rows(Tensor[] xs, int[] rows, int d) {
      this.rows = rows;
      this.d = d;
      this.arrays = new float[xs.length][];
      for (int b = 0; b < xs.length; b++) {
        arrays[b] = xs[b].data;
      }
      this.offsets = new int[rows.length];
      this.blocks = new int[rows.length];
      int b = 0;
      int start = 0;
      for (int k = 0; k < rows.length; k++) {
        while (rows[k] >= start + xs[b].rows) {
          start += xs[b++].rows;
        }
        blocks[k] = b;
        offsets[k] = (rows[k] - start) * d;
      }
    }

    /**
     * out_k = (((init_k or x_k) + layer[rows_k]) + compact_k) · scale for every k, each term skipped when null
     * (init null: start from x's row; scale 1 multiplies nothing away, x·1 = x): the bits of adding them in
     * separate passes in that order.
     */
    void sumInto(float[] out, float[] init, float[] layer, float[] compact, float scale) {
      int m = rows.length;
      Parallel.forRange(m, Math.max(1, GRAIN / Math.max(1, d)), (from, to) -> {
        for (int k = from; k < to; k++) {
          int o = k * d;
          float[] src = init == null ? arrays[blocks[k]] : init;
          int so = init == null ? offsets[k] : o;
          if (layer != null) {
            Kernels.add(src, so, layer, rows[k] * d, out, o, d);
            src = out;
            so = o;
          }
          if (compact != null) {
            Kernels.add(src, so, compact, o, out, o, d);
            src = out;
            so = o;
          }
          if (src != out) {
            System.arraycopy(src, so, out, o, d);
          }
          if (scale != 1f) {
            Kernels.scale(out, scale, o, d);
          }
        }
      });
    }
  }

  /**
   * The blocks as a sparse product's input: read in place when they are one or two (users; items), else a
   * pooled copy of them stacked.
   */
  private DenseRows input(Tensor[] xs, int d) {
    float[][] arrays = new float[xs.length][];
    for (int b = 0; b < xs.length; b++) {
      arrays[b] = xs[b].data;
    }
    if (xs.length <= 2) {
      return DenseRows.stacked(d, arrays);
    }
    int n = 0;
    for (float[] b : arrays) {
      n += b.length;
    }
    float[] all = allocForOverwrite(n);
    int off = 0;
    for (float[] b : arrays) {
      System.arraycopy(b, 0, all, off, b.length);
      off += b.length;
    }
    return DenseRows.of(all, d);
  }

  /**
   * dx += inv·H_L for the blocks x, with H_0 = g and H_l = g + Aᵀ·H_{l−1} (Horner's rule for Σ_l (Aᵀ)ˡ·g), given
   * H¹ (null to compute it here, from a dense g; gArray is the array g reads). Steps between use two full-size
   * buffers; the last one goes to the blocks' gradients ({@link #addToGradients}).
   */
  private void horner(float[] h1, CsrMatrix at, DenseRows g, float[] gArray, int layers, float inv, Tensor[] xs) {
    int n = at.rows;
    int d = g.cols();
    if (layers == 0 || (layers == 1 && h1 != null)) { // dx += inv·H_L, as a product with no entries started from H_L
      CsrMatrix none = new CsrMatrix(n, 0, new int[n + 1], new int[0], new float[0]);
      DenseRows start = layers == 0 ? g : DenseRows.of(h1, d);
      addToGradients(none, DenseRows.stacked(d, new float[0]), start, inv, xs, layers == 0 ? gArray : h1);
      return;
    }
    DenseRows h = h1 != null ? DenseRows.of(h1, d) : g;
    float[] hArray = h1 != null ? h1 : gArray;
    float[][] bufs = new float[2][];
    for (int l = h1 != null ? 2 : 1; l < layers; l++) {
      int which = l & 1;
      if (bufs[which] == null) {
        bufs[which] = allocForOverwrite(n * d);
      }
      Kernels.spmm(at, h, g, DenseRows.of(bufs[which], d));
      h = DenseRows.of(bufs[which], d);
      hArray = bufs[which];
    }
    addToGradients(at, h, g, inv, xs, hArray, gArray);
    giveBackIfHeld(bufs[0]);
    giveBackIfHeld(bufs[1]);
  }

  /**
   * dx += alpha·(init + a·h) for x = [x₀; x₁; …] (rows of a are the blocks' rows, stacked). When every block that
   * needs a gradient is a {@link Param}, this is deferred to their gradients ({@link Param#defer}): an optimizer
   * then adds it chunk by chunk as it updates them, and the gradient array is never written and read back. The
   * arrays it reads ({@code reads}, work arrays of this tape) then leave the tape, and go back to the pool once
   * every parameter has consumed its part. Otherwise it is added now.
   */
  private void addToGradients(CsrMatrix a, DenseRows h, DenseRows init, float alpha, Tensor[] xs, float[]... reads) {
    int d = h.cols();
    boolean params = true;
    int parts = 0;
    for (Tensor x : xs) {
      if (x.requiresGrad) {
        params &= x instanceof Param;
        parts++;
      }
    }
    if (!params || parts == 0) {
      Kernels.spmmAddScaled(a, h, init, alpha, gradientsOf(xs, d));
      return;
    }
    KeptArrays kept = new KeptArrays(pool, parts);
    for (float[] r : reads) {
      if (r != null && !kept.arrays.contains(r) && release(r)) {
        kept.arrays.add(r);
      }
    }
    int start = 0;
    for (Tensor x : xs) {
      if (x.requiresGrad) {
        ((Param) x).defer(new ProductPart(a, h, init, alpha, start, kept));
      }
      start += x.rows;
    }
  }

  /** Takes a work array out of this tape's hands (it will not go back to the pool at the step's end). */
  private boolean release(float[] a) {
    for (int k = taken.size() - 1; k >= 0; k--) {
      if (taken.get(k) == a) {
        taken.remove(k);
        return true;
      }
    }
    return false;
  }

  /** Hands a work array back now if this tape still holds it (see {@link #giveBack}). */
  private void giveBackIfHeld(float[] a) {
    if (a != null && pool != null && release(a)) {
      pool.give(a);
    }
  }

  /** Work arrays that deferred gradient parts read: back to the pool when the last part is released. */
  private static final class KeptArrays {
    final ArrayPool pool;
    final java.util.List<float[]> arrays = new ArrayList<>(2);
    private int users;

    KeptArrays(ArrayPool pool, int users) {
      this.pool = pool;
      this.users = users;
    }

    void release() {
      if (--users == 0 && pool != null) {
        for (float[] a : arrays) {
          pool.give(a);
        }
        arrays.clear();
      }
    }
  }

  /** One block's part of dx += alpha·(init + a·h): rows [start, start + block rows) of the product. */
  private record ProductPart(CsrMatrix a, DenseRows h, DenseRows init, float alpha, int start, KeptArrays kept)
      implements DeferredGradient {
    @Override
    public void addRows(int from, int to, float[] out, int outRow0) {
      Kernels.spmmAddScaledRows(a, h, init, alpha, start + from, start + to, out, outRow0);
    }

    @Override
    public void release() {
      kept.release();
    }
  }

  private static Tensor[] checkPropagate(String op, CsrMatrix a, int layers, Tensor... x) {
    if (x.length == 0) {
      throw new IllegalArgumentException(op + ": no input blocks");
    }
    long rows = 0;
    for (Tensor b : x) {
      if (b.cols != x[0].cols) {
        throw new IllegalArgumentException(op + ": input blocks differ in columns, " + x[0].shape() + " vs " + b.shape());
      }
      rows += b.rows;
    }
    if (a.rows != a.cols || a.cols != rows || x[0].cols == 0) {
      throw new IllegalArgumentException(
          op + ": sparse " + a.rows + "x" + a.cols + " · " + rows + "x" + x[0].cols + " (" + x.length + " blocks)");
    }
    if (layers < 0) {
      throw new IllegalArgumentException(op + ": layers must be >= 0, got " + layers);
    }
    return x.clone();
  }

  /** The blocks' gradient buffers, stacked; a block that needs no gradient gets a scratch buffer instead. */
  private DenseRows gradientsOf(Tensor[] xs, int d) {
    float[][] arrays = new float[xs.length][];
    for (int b = 0; b < xs.length; b++) {
      arrays[b] = xs[b].requiresGrad ? xs[b].gradBuffer() : alloc(xs[b].data.length);
    }
    return DenseRows.stacked(d, arrays);
  }

  /** The distinct values of idx, ascending; idx itself when it already is (strictly ascending). */
  private static int[] sortedDistinct(int[] idx) {
    boolean ascending = true;
    for (int k = 1; k < idx.length && ascending; k++) {
      ascending = idx[k - 1] < idx[k];
    }
    if (ascending) {
      return idx;
    }
    return java.util.Arrays.stream(idx).sorted().distinct().toArray();
  }

  /** For each idx[r], its position in the sorted distinct values. */
  private static int[] slots(int[] idx, int[] distinct) {
    int[] slot = new int[idx.length];
    for (int r = 0; r < idx.length; r++) {
      slot[r] = java.util.Arrays.binarySearch(distinct, idx[r]);
    }
    return slot;
  }

  /**
   * Rows {@code rows} of a · x, as a rows.length×d tensor. Backward scatters sequentially (deterministic).
   */
  public Tensor spmmRows(CsrMatrix a, int[] rows, Tensor x) {
    if (a.cols != x.rows) {
      throw new IllegalArgumentException("spmmRows: sparse " + a.rows + "x" + a.cols + " · " + x.shape());
    }
    int[] rs = checkIndices("spmmRows", rows, a.rows, "rows of a " + a.rows + "x" + a.cols + " sparse matrix");
    int d = x.cols;
    Tensor out = output(rs.length, d, x);
    Kernels.spmmRows(a, rs, x.data, d, out.data, false);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      for (int r = 0; r < rs.length; r++) {
        int i = rs[r];
        for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
          Kernels.axpy(a.values[q], g, r * d, gx, a.colIdx[q] * d, d);
        }
      }
    });
    return out;
  }

  /**
   * Grouped a·bᵀ: a and b are (g·r)×d made of g blocks of r rows; out is (g·r)×r where block k is
   * a_k · b_kᵀ (torch.bmm(a.view(g,r,d), b.view(g,r,d).transpose(1,2))). Used by attention over small
   * per-user sets.
   */
  public Tensor groupedMatmulNT(Tensor a, Tensor b, int groupRows) {
    sameShape("groupedMatmulNT", a, b);
    int r = groupRows;
    if (r < 1 || a.rows % r != 0) {
      throw new IllegalArgumentException("groupedMatmulNT: " + a.rows + " rows are not groups of " + r);
    }
    int d = a.cols;
    int groups = a.rows / r;
    Tensor out = output(a.rows, r, a, b);
    float[] y = out.data;
    rowsOf(groups, r * Math.max(r, d), (s, e) -> {
      for (int k = s; k < e; k++) {
        int base = k * r;
        for (int i = 0; i < r; i++) {
          for (int j = 0; j < r; j++) {
            y[(base + i) * r + j] = Kernels.dot(a.data, (base + i) * d, b.data, (base + j) * d, d);
          }
        }
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] ga = a.requiresGrad ? a.gradBuffer() : null;
      float[] gb = b.requiresGrad ? b.gradBuffer() : null;
      rowsOf(groups, r * Math.max(r, d), (s, e) -> {
        for (int k = s; k < e; k++) {
          int base = k * r;
          for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
              float gij = g[(base + i) * r + j];
              if (ga != null) { // dA_i += g_ij · b_j
                Kernels.axpy(gij, b.data, (base + j) * d, ga, (base + i) * d, d);
              }
              if (gb != null) { // dB_j += g_ij · a_i
                Kernels.axpy(gij, a.data, (base + i) * d, gb, (base + j) * d, d);
              }
            }
          }
        }
      });
    });
    return out;
  }

  /**
   * Grouped p·v: p is (g·r)×r, v is (g·r)×d; block k of the output is p_k · v_k
   * (torch.bmm(p.view(g,r,r), v.view(g,r,d))).
   */
  public Tensor groupedMatmul(Tensor p, Tensor v, int groupRows) {
    int r = groupRows;
    if (r < 1 || p.rows != v.rows || p.cols != r || p.rows % r != 0) {
      throw new IllegalArgumentException(
          "groupedMatmul: weights " + p.shape() + " and values " + v.shape() + " are not groups of " + r + " rows");
    }
    int d = v.cols;
    int groups = p.rows / r;
    Tensor out = output(v.rows, d, p, v);
    float[] y = out.data;
    rowsOf(groups, r * Math.max(r, d), (s, e) -> {
      for (int k = s; k < e; k++) {
        int base = k * r;
        for (int i = 0; i < r; i++) {
          for (int j = 0; j < r; j++) {
            Kernels.axpy(p.data[(base + i) * r + j], v.data, (base + j) * d, y, (base + i) * d, d);
          }
        }
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gp = p.requiresGrad ? p.gradBuffer() : null;
      float[] gv = v.requiresGrad ? v.gradBuffer() : null;
      rowsOf(groups, r * Math.max(r, d), (s, e) -> {
        for (int k = s; k < e; k++) {
          int base = k * r;
          for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
              if (gp != null) { // dP_ij += g_i · v_j
                gp[(base + i) * r + j] += Kernels.dot(g, (base + i) * d, v.data, (base + j) * d, d);
              }
              if (gv != null) { // dV_j += p_ij · g_i
                Kernels.axpy(p.data[(base + i) * r + j], g, (base + i) * d, gv, (base + j) * d, d);
              }
            }
          }
        }
      });
    });
    return out;
  }

  /** Row-wise dot products of two m×d tensors, m×1 (torch: {@code (a * b).sum(dim=1, keepdim=True)}). */
  public Tensor rowDot(Tensor a, Tensor b) {
    sameShape("rowDot", a, b);
    int m = a.rows;
    int d = a.cols;
    Tensor out = output(m, 1, a, b);
    float[] y = out.data;
    rowsOf(m, d, (s, e) -> {
      for (int r = s; r < e; r++) {
        y[r] = Kernels.dot(a.data, r * d, b.data, r * d, d);
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] ga = a.requiresGrad ? a.gradBuffer() : null;
      float[] gb = b.requiresGrad ? b.gradBuffer() : null;
      rowsOf(m, d, (s, e) -> {
        for (int r = s; r < e; r++) {
          if (ga != null) {
            Kernels.axpy(g[r], b.data, r * d, ga, r * d, d);
          }
          if (gb != null) {
            Kernels.axpy(g[r], a.data, r * d, gb, r * d, d);
          }
        }
      });
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Elementwise arithmetic
  // ---------------------------------------------------------------------------------------------

  /** Elementwise a + b (same shape), or a + b broadcast when b is 1×cols (a row vector). */
  public Tensor add(Tensor a, Tensor b) {
    boolean broadcast = !(a.rows == b.rows && a.cols == b.cols);
    if (broadcast && (b.rows != 1 || b.cols != a.cols)) {
      throw new IllegalArgumentException("add: shapes differ and " + b.shape() + " is not a row vector for " + a.shape());
    }
    int m = a.rows;
    int n = a.cols;
    Tensor out = output(m, n, a, b);
    float[] y = out.data;
    float[] av = a.data;
    float[] bv = b.data;
    if (broadcast) {
      rowsOf(m, n, (s, e) -> {
        for (int r = s; r < e; r++) {
          int o = r * n;
          for (int j = 0; j < n; j++) {
            y[o + j] = av[o + j] + bv[j];
          }
        }
      });
    } else {
      values(y.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          y[i] = av[i] + bv[i];
        }
      });
    }
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (a.requiresGrad) {
        addInto(a.gradBuffer(), g);
      }
      if (b.requiresGrad) {
        if (broadcast) {
          columnSumsInto(g, m, n, b.gradBuffer());
        } else {
          addInto(b.gradBuffer(), g);
        }
      }
    });
    return out;
  }

  /** Elementwise a − b (same shape). */
  public Tensor sub(Tensor a, Tensor b) {
    sameShape("sub", a, b);
    Tensor out = output(a.rows, a.cols, a, b);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = a.data[i] - b.data[i];
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (a.requiresGrad) {
        addInto(a.gradBuffer(), g);
      }
      if (b.requiresGrad) {
        float[] gb = b.gradBuffer();
        values(g.length, (s, e) -> {
          for (int i = s; i < e; i++) {
            gb[i] -= g[i];
          }
        });
      }
    });
    return out;
  }

  /** Elementwise a ⊙ b (same shape). */
  public Tensor mul(Tensor a, Tensor b) {
    sameShape("mul", a, b);
    Tensor out = output(a.rows, a.cols, a, b);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = a.data[i] * b.data[i];
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] ga = a.requiresGrad ? a.gradBuffer() : null;
      float[] gb = b.requiresGrad ? b.gradBuffer() : null;
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          if (ga != null) {
            ga[i] += g[i] * b.data[i];
          }
          if (gb != null) {
            gb[i] += g[i] * a.data[i];
          }
        }
      });
    });
    return out;
  }

  /** s · a for a constant s. */
  public Tensor scale(Tensor a, float s) {
    Tensor out = output(a.rows, a.cols, a);
    float[] y = out.data;
    values(y.length, (from, to) -> {
      for (int i = from; i < to; i++) {
        y[i] = s * a.data[i];
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] ga = a.gradBuffer();
      values(g.length, (from, to) -> Kernels.axpy(s, g, from, ga, from, to - from));
    });
    return out;
  }

  /** s · a for a 1×1 tensor s that may itself be trainable (a learnt scalar weight). */
  public Tensor mulScalar(Tensor a, Tensor s) {
    if (s.size() != 1) {
      throw new IllegalArgumentException("mulScalar: " + s.shape() + " is not 1x1 (scaling " + a.shape() + ")");
    }
    float sv = s.data[0];
    Tensor out = output(a.rows, a.cols, a, s);
    float[] y = out.data;
    values(y.length, (from, to) -> {
      for (int i = from; i < to; i++) {
        y[i] = sv * a.data[i];
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (a.requiresGrad) {
        float[] ga = a.gradBuffer();
        values(g.length, (from, to) -> Kernels.axpy(sv, g, from, ga, from, to - from));
      }
      if (s.requiresGrad) {
        double acc = 0;
        for (int i = 0; i < g.length; i++) {
          acc += (double) g[i] * a.data[i];
        }
        s.gradBuffer()[0] += (float) acc;
      }
    });
    return out;
  }

  /**
   * x[m×d] scaled row by row by w[m×1]: out[r] = w[r] · x[r] (torch: {@code w * x} with w of shape
   * (m, 1)), e.g. MGCN's per-item modality attention weights.
   */
  public Tensor scaleRows(Tensor x, Tensor w) {
    if (w.rows != x.rows || w.cols != 1) {
      throw new IllegalArgumentException("scaleRows: weights " + w.shape() + " are not a column for " + x.shape());
    }
    int m = x.rows;
    int d = x.cols;
    Tensor out = output(m, d, x, w);
    float[] y = out.data;
    rowsOf(m, d, (s, e) -> {
      for (int r = s; r < e; r++) {
        float wr = w.data[r];
        int o = r * d;
        for (int j = 0; j < d; j++) {
          y[o + j] = wr * x.data[o + j];
        }
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.requiresGrad ? x.gradBuffer() : null;
      float[] gw = w.requiresGrad ? w.gradBuffer() : null;
      rowsOf(m, d, (s, e) -> {
        for (int r = s; r < e; r++) {
          if (gx != null) {
            Kernels.axpy(w.data[r], g, r * d, gx, r * d, d);
          }
          if (gw != null) {
            gw[r] += Kernels.dot(g, r * d, x.data, r * d, d);
          }
        }
      });
    });
    return out;
  }

  /** Σ_k w[k]·xs[k] over tensors of one shape (layer means, weighted residuals). */
  public Tensor weightedSum(float[] w, Tensor... xs) {
    if (xs.length == 0 || w.length != xs.length) {
      throw new IllegalArgumentException("weightedSum: " + w.length + " weights for " + xs.length + " tensors");
    }
    for (Tensor x : xs) {
      sameShape("weightedSum", xs[0], x);
    }
    float[] ws = w.clone();
    Tensor[] ts = xs.clone();
    Tensor out = output(ts[0].rows, ts[0].cols, ts);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int k = 0; k < ts.length; k++) {
        Kernels.axpy(ws[k], ts[k].data, s, y, s, e - s);
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      for (int k = 0; k < ts.length; k++) {
        if (ts[k].requiresGrad) {
          float[] gk = ts[k].gradBuffer();
          float wk = ws[k];
          values(g.length, (s, e) -> Kernels.axpy(wk, g, s, gk, s, e - s));
        }
      }
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Elementwise functions
  // ---------------------------------------------------------------------------------------------

  /** 1 / (1 + e^(−x)), computed without overflow for any x. */
  public Tensor sigmoid(Tensor x) {
    Tensor out = output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = sigma(x.data[i]);
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += g[i] * y[i] * (1f - y[i]);
        }
      });
    });
    return out;
  }

  /** log σ(x) = min(x, 0) − log(1 + e^(−|x|)), stable for any x (torch.nn.functional.logsigmoid). */
  public Tensor logSigmoid(Tensor x) {
    Tensor out = output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        float v = x.data[i];
        y[i] = (float) (Math.min(v, 0f) - log1pExpNegAbs(v));
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += g[i] * sigma(-x.data[i]); // d/dx log σ(x) = 1 − σ(x) = σ(−x)
        }
      });
    });
    return out;
  }

  /**
   * log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|)), stable for any x. (torch's softplus switches to x above
   * 20, a difference below float resolution.)
   */
  public Tensor softplus(Tensor x) {
    Tensor out = output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        float v = x.data[i];
        y[i] = (float) (Math.max(v, 0f) + log1pExpNegAbs(v));
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += g[i] * sigma(x.data[i]);
        }
      });
    });
    return out;
  }

  public Tensor tanh(Tensor x) {
    Tensor out = output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = (float) Math.tanh(x.data[i]);
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += g[i] * (1f - y[i] * y[i]);
        }
      });
    });
    return out;
  }

  /** max(x, 0) (never −0); the gradient at 0 is 0, as torch. */
  public Tensor relu(Tensor x) {
    Tensor out = output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = x.data[i] > 0f ? x.data[i] : 0f;
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          if (x.data[i] > 0f) {
            gx[i] += g[i];
          }
        }
      });
    });
    return out;
  }

  /** x for x > 0, slope·x otherwise, as torch.nn.functional.leaky_relu (gradient slope at 0). */
  public Tensor leakyRelu(Tensor x, float slope) {
    Tensor out = output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        float v = x.data[i];
        y[i] = v > 0f ? v : slope * v;
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += x.data[i] > 0f ? g[i] : slope * g[i];
        }
      });
    });
    return out;
  }

  /** eˣ. */
  public Tensor exp(Tensor x) {
    Tensor out = output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = (float) Math.exp(x.data[i]);
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += g[i] * y[i];
        }
      });
    });
    return out;
  }

  /** Natural log (−∞ at 0, NaN below, as torch.log). */
  public Tensor log(Tensor x) {
    Tensor out = output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = (float) Math.log(x.data[i]);
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += g[i] / x.data[i];
        }
      });
    });
    return out;
  }

  /**
   * Inverted dropout (torch.nn.functional.dropout in training mode): zero each value with probability p,
   * scale the rest by 1/(1−p). p = 0 returns x itself; p = 1 gives zeros. Draws one float per value from
   * rng, in index order.
   */
  public Tensor dropout(Tensor x, float p, RandomGenerator rng) {
    if (!(p >= 0f && p <= 1f)) {
      throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
    }
    if (p == 0f) {
      return x;
    }
    float keep = p >= 1f ? 0f : 1f / (1f - p);
    float[] mask = new float[x.size()];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = rng.nextFloat() < p ? 0f : keep;
    }
    Tensor out = output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = x.data[i] * mask[i];
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(g.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += g[i] * mask[i];
        }
      });
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Row-wise functions
  // ---------------------------------------------------------------------------------------------

  /** Softmax over each row, stable (the row maximum is subtracted first); torch.softmax(x, dim=1). */
  public Tensor softmaxRows(Tensor x) {
    int m = x.rows;
    int n = x.cols;
    Tensor out = output(m, n, x);
    float[] y = out.data;
    rowsOf(m, n, (s, e) -> {
      for (int r = s; r < e; r++) {
        softmaxRow(x.data, y, r * n, n, 1f);
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      rowsOf(m, n, (s, e) -> {
        for (int r = s; r < e; r++) {
          int o = r * n;
          float gy = Kernels.dot(g, o, y, o, n);
          for (int j = 0; j < n; j++) {
            gx[o + j] += y[o + j] * (g[o + j] - gy);
          }
        }
      });
    });
    return out;
  }

  /**
   * y[off..off+n) = softmax(scale · x[off..off+n)) for scale > 0; returns log Σ exp(scale · x) over the row
   * (the log-sum-exp), computed with the row maximum subtracted.
   */
  private static double softmaxRow(float[] x, float[] y, int off, int n, float scale) {
    float shift = rowShift(x, off, n, scale);
    float sum = Kernels.expShifted(x, off, scale, shift, y, off, n);
    Kernels.scale(y, 1f / sum, off, n);
    return shift + Math.log(sum);
  }

  /** The shift of a stable softmax row: max(scale · x) (scale > 0), or 0 for an all −∞ row. */
  private static float rowShift(float[] x, int off, int n, float scale) {
    float max = scale * Kernels.max(x, off, n); // = the largest scale·x, as rounding is monotone
    // an all −∞ row: keep NaN out of the shift, as torch gives NaN only from the division
    return max == Float.NEGATIVE_INFINITY ? 0f : max;
  }

  /** Row sums, m×1 (torch: {@code x.sum(dim=1, keepdim=True)}). */
  public Tensor rowSum(Tensor x) {
    int m = x.rows;
    int n = x.cols;
    Tensor out = output(m, 1, x);
    float[] y = out.data;
    rowsOf(m, n, (s, e) -> {
      for (int r = s; r < e; r++) {
        double acc = 0;
        for (int j = 0; j < n; j++) {
          acc += x.data[r * n + j];
        }
        y[r] = (float) acc;
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      rowsOf(m, n, (s, e) -> {
        for (int r = s; r < e; r++) {
          for (int j = 0; j < n; j++) {
            gx[r * n + j] += g[r];
          }
        }
      });
    });
    return out;
  }

  /** x_r / max(‖x_r‖₂, 1e-12) per row, as torch.nn.functional.normalize(x, dim=1). */
  public Tensor l2NormalizeRows(Tensor x) {
    int m = x.rows;
    int n = x.cols;
    Tensor out = output(m, n, x);
    float[] norms = new float[m];
    normalizeRows(x.data, out.data, norms, m, n);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      normalizeRowsBackward(out.data, norms, g, x.gradBuffer(), m, n);
    });
    return out;
  }

  private static final float NORM_EPS = 1e-12f;

  /** y_r = x_r / max(‖x_r‖, eps); norms[r] = ‖x_r‖. */
  private static void normalizeRows(float[] x, float[] y, float[] norms, int m, int n) {
    rowsOf(m, n, (s, e) -> {
      for (int r = s; r < e; r++) {
        int o = r * n;
        double ss = 0;
        for (int j = 0; j < n; j++) {
          ss += (double) x[o + j] * x[o + j];
        }
        float norm = (float) Math.sqrt(ss);
        norms[r] = norm;
        float inv = 1f / Math.max(norm, NORM_EPS);
        for (int j = 0; j < n; j++) {
          y[o + j] = x[o + j] * inv;
        }
      }
    });
  }

  /**
   * gx_r += (g_r − y_r (y_r·g_r)) / ‖x_r‖ where the norm was not clamped, g_r / eps where it was (the
   * clamp passes no gradient to the norm, as torch's clamp_min).
   */
  private static void normalizeRowsBackward(float[] y, float[] norms, float[] g, float[] gx, int m, int n) {
    rowsOf(m, n, (s, e) -> {
      for (int r = s; r < e; r++) {
        int o = r * n;
        if (norms[r] >= NORM_EPS) {
          float inv = 1f / norms[r];
          float yg = Kernels.dot(y, o, g, o, n);
          for (int j = 0; j < n; j++) {
            gx[o + j] += (g[o + j] - y[o + j] * yg) * inv;
          }
        } else {
          Kernels.axpy(1f / NORM_EPS, g, o, gx, o, n);
        }
      }
    });
  }

  /**
   * Layer normalisation over each row with optional per-column gain and bias (1×cols, either may be
   * null), as torch.nn.LayerNorm: (x − mean) / sqrt(var + eps) · gain + bias with the biased variance.
   */
  public Tensor layerNorm(Tensor x, Tensor gain, Tensor bias, float eps) {
    int m = x.rows;
    int n = x.cols;
    if (gain != null && (gain.rows != 1 || gain.cols != n)) {
      throw new IllegalArgumentException("layerNorm: gain " + gain.shape() + " does not fit " + x.shape());
    }
    if (bias != null && (bias.rows != 1 || bias.cols != n)) {
      throw new IllegalArgumentException("layerNorm: bias " + bias.shape() + " does not fit " + x.shape());
    }
    Tensor out = output(m, n, x, gain, bias);
    float[] mean = new float[m];
    float[] rstd = new float[m];
    float[] y = out.data;
    rowsOf(m, n, (s, e) -> {
      for (int r = s; r < e; r++) {
        int o = r * n;
        double sum = 0;
        for (int j = 0; j < n; j++) {
          sum += x.data[o + j];
        }
        double mu = sum / n;
        double ss = 0;
        for (int j = 0; j < n; j++) {
          double c = x.data[o + j] - mu;
          ss += c * c;
        }
        float mf = (float) mu;
        float rs = (float) (1.0 / Math.sqrt(ss / n + eps));
        mean[r] = mf;
        rstd[r] = rs;
        for (int j = 0; j < n; j++) {
          float xh = (x.data[o + j] - mf) * rs;
          y[o + j] = (gain == null ? xh : xh * gain.data[j]) + (bias == null ? 0f : bias.data[j]);
        }
      }
    });
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (x.requiresGrad) {
        float[] gx = x.gradBuffer();
        rowsOf(m, n, (s, e) -> {
          for (int r = s; r < e; r++) {
            int o = r * n;
            float mf = mean[r];
            float rs = rstd[r];
            double sumD = 0;
            double sumDx = 0;
            for (int j = 0; j < n; j++) {
              float dxh = gain == null ? g[o + j] : g[o + j] * gain.data[j];
              sumD += dxh;
              sumDx += dxh * (x.data[o + j] - mf) * rs;
            }
            float meanD = (float) (sumD / n);
            float meanDx = (float) (sumDx / n);
            for (int j = 0; j < n; j++) {
              float dxh = gain == null ? g[o + j] : g[o + j] * gain.data[j];
              float xh = (x.data[o + j] - mf) * rs;
              gx[o + j] += rs * (dxh - meanD - xh * meanDx);
            }
          }
        });
      }
      if (gain != null && gain.requiresGrad) {
        float[] gg = gain.gradBuffer();
        for (int r = 0; r < m; r++) {
          int o = r * n;
          for (int j = 0; j < n; j++) {
            gg[j] += g[o + j] * (x.data[o + j] - mean[r]) * rstd[r];
          }
        }
      }
      if (bias != null && bias.requiresGrad) {
        columnSumsInto(g, m, n, bias.gradBuffer());
      }
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Reductions and losses (1×1 outputs)
  // ---------------------------------------------------------------------------------------------

  /** Σ of all values, 1×1 (accumulated in double). */
  public Tensor sum(Tensor x) {
    double acc = 0;
    for (float v : x.data) {
      acc += v;
    }
    return broadcastScalar(x, (float) acc, 1f);
  }

  /** Mean of all values, 1×1 (NaN for an empty tensor, as torch). */
  public Tensor mean(Tensor x) {
    double acc = 0;
    for (float v : x.data) {
      acc += v;
    }
    int n = x.size();
    return broadcastScalar(x, (float) (acc / n), 1f / n);
  }

  /** A 1×1 output whose gradient flows back as d · g to every value of x. */
  private Tensor broadcastScalar(Tensor x, float value, float d) {
    Tensor out = output(1, 1, x);
    out.data[0] = value;
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      float gd = g[0] * d;
      values(gx.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += gd;
        }
      });
    });
    return out;
  }

  /** Σ x², 1×1 (accumulated in double). */
  public Tensor sumSquares(Tensor x) {
    double acc = sumOfSquares(x.data, x.rows, x.cols);
    Tensor out = output(1, 1, x);
    out.data[0] = (float) acc;
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(gx.length, (s, e) -> Kernels.axpy(2f * g[0], x.data, s, gx, s, e - s));
    });
    return out;
  }

  /**
   * Σ x² in double over a rows×cols array: each row's sum (see {@link #rowSumOfSquares}), the rows' sums added in
   * row order. The rows are independent, so threads may share them, and the order is fixed: the result does not
   * depend on the thread count. {@link #normOfRows} adds the same row sums, so a norm of gathered rows is the
   * norm of those rows read in place.
   */
  private static double sumOfSquares(float[] x, int rows, int cols) {
    if (rows <= 1 || cols == 0) {
      return rowSumOfSquares(x, 0, x.length);
    }
    return sumOfRowSums(x, rows, cols, r -> r * cols);
  }

  /**
   * Σ_r {@link #rowSumOfSquares} of the d values at x[start(r)..) for r in [0, count): the rows' sums computed
   * across threads, then added in row order.
   */
  private static double sumOfRowSums(float[] x, int count, int d, java.util.function.IntUnaryOperator start) {
    double[] sums = new double[count];
    rowsOf(count, d, (from, to) -> {
      for (int r = from; r < to; r++) {
        sums[r] = rowSumOfSquares(x, start.applyAsInt(r), d);
      }
    });
    double acc = 0;
    for (double v : sums) {
      acc += v;
    }
    return acc;
  }

  /**
   * Σ x² of x[off..off+n) in double, in four interleaved partial sums added at the end (one running sum is a
   * chain of dependent additions, latency-bound; four keep the adder busy); the last n mod 4 values go to the
   * first.
   */
  private static double rowSumOfSquares(float[] x, int off, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = off;
    int end = off + n;
    for (; i + 3 < end; i += 4) {
      s0 += (double) x[i] * x[i];
      s1 += (double) x[i + 1] * x[i + 1];
      s2 += (double) x[i + 2] * x[i + 2];
      s3 += (double) x[i + 3] * x[i + 3];
    }
    for (; i < end; i++) {
      s0 += (double) x[i] * x[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * MMRec's BPR loss over rows of a table, −mean_r log σ(t[u_r]·t[p_r] − t[u_r]·t[n_r]), 1×1: equal to {@code
   * scale(mean(logSigmoid(sub(rowDot(U, P), rowDot(U, N)))), −1)} with U, P, N = {@code gatherRows(table, u|p|n)}
   * gathered in that order, value for value and gradient for gradient, without the gathered copies or the
   * per-row tensors between. Backward adds into the table's gradient in the composite's order: every N row, then
   * every P row, then every U row, each in row order; threads split the table's rows, so that order holds per value.
   */
  public Tensor bprOfRows(Tensor table, int[] u, int[] p, int[] n) {
    if (u.length != p.length || u.length != n.length) {
      throw new IllegalArgumentException(
          "bprOfRows: " + u.length + " users, " + p.length + " positives, " + n.length + " negatives");
    }
    int[] iu = checkIndices("bprOfRows", u, table.rows, "rows of a " + table.shape() + " table");
    int[] ip = checkIndices("bprOfRows", p, table.rows, "rows of a " + table.shape() + " table");
    int[] in = checkIndices("bprOfRows", n, table.rows, "rows of a " + table.shape() + " table");
    int m = iu.length;
    int d = table.cols;
    float[] t = table.data;
    float[] diff = new float[m]; // pos − neg per row: the log-sigmoid's input
    rowsOf(m, 2 * d, (s, e) -> {
      for (int r = s; r < e; r++) {
        float pos = Kernels.dot(t, iu[r] * d, t, ip[r] * d, d);
        float neg = Kernels.dot(t, iu[r] * d, t, in[r] * d, d);
        diff[r] = pos - neg;
      }
    });
    double acc = 0;
    for (int r = 0; r < m; r++) {
      float v = diff[r];
      acc += (float) (Math.min(v, 0f) - log1pExpNegAbs(v));
    }
    Tensor out = output(1, 1, table);
    out.data[0] = -1f * (float) (acc / m);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      // the composite's scalars: scale(−1), then mean (1/m each), then log σ′ = σ(−x), then ± for the sub
      float gd = Math.fma(-1f, g[0], 0f) * (1f / m);
      float[] gpos = new float[m];
      float[] gneg = new float[m];
      for (int r = 0; r < m; r++) {
        float gx = 0f + (0f + gd) * sigma(-diff[r]);
        gpos[r] = 0f + gx;
        gneg[r] = 0f - gx;
      }
      float[] tg = table.gradBuffer();
      // threads split the table's rows: each scans the lists and adds into the rows it owns, so each value gets
      // the composite's adds in its order, every product an FMA into zero and every add an FMA by 1 (what
      // Kernels.axpy does, one value at a time here)
      int rows = table.rows;
      int parts = (long) m * d <= PARALLEL_MIN / 4 ? 1 : 4;
      Parallel.forRange(parts, 1, (c0, c1) -> {
        int lo = (int) ((long) rows * c0 / parts);
        int hi = (int) ((long) rows * c1 / parts);
        addScaledRows(tg, in, gneg, iu, t, d, lo, hi); // N rows: gneg·u
        addScaledRows(tg, ip, gpos, iu, t, d, lo, hi); // P rows: gpos·u
        for (int r = 0; r < m; r++) { // U rows: gneg·n first (its rowDot's backward ran first), then gpos·p
          if (iu[r] >= lo && iu[r] < hi) {
            float a = gneg[r];
            float b = gpos[r];
            int no = in[r] * d;
            int po = ip[r] * d;
            int o = iu[r] * d;
            for (int k = 0; k < d; k++) {
              tg[o + k] = Math.fma(1f, Math.fma(b, t[po + k], Math.fma(a, t[no + k], 0f)), tg[o + k]);
            }
          }
        }
      });
    });
    return out;
  }

  /**
   * tg[target_r] += coef_r · t[source_r] for every r whose target row is in [lo, hi), in r order: the product an
   * FMA into zero and the add an FMA by 1, as a rowDot's backward then a gather's backward do with Kernels.axpy.
   */
  private static void addScaledRows(
      float[] tg, int[] target, float[] coef, int[] source, float[] t, int d, int lo, int hi) {
    for (int r = 0; r < target.length; r++) {
      if (target[r] >= lo && target[r] < hi) {
        float a = coef[r];
        int so = source[r] * d;
        int o = target[r] * d;
        for (int k = 0; k < d; k++) {
          tg[o + k] = Math.fma(1f, Math.fma(a, t[so + k], 0f), tg[o + k]);
        }
      }
    }
  }

  /**
   * ‖table[idx]‖₂, 1×1: equal to {@code norm(gatherRows(table, idx))}, value for value and gradient for gradient,
   * without the gathered copy or its gradient (MMRec's EmbLoss over a batch's embedding rows). Backward adds
   * c·row into the table's gradient row by row in idx order, c = g / ‖·‖, as the gather's backward does.
   */
  public Tensor normOfRows(Tensor table, int[] idx) {
    int[] ix = checkIndices("normOfRows", idx, table.rows, "rows of a " + table.shape() + " table");
    int d = table.cols;
    float[] x = table.data;
    float nv = (float) Math.sqrt(sumOfSquaresOfRows(x, ix, d));
    Tensor out = output(1, 1, table);
    out.data[0] = nv;
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float c = nv == 0f ? 0f : g[0] / nv;
      if (table instanceof Param p) {
        p.defer(new NormPart(x, d, ix, c, nv == 0f));
        return;
      }
      float[] gt = table.gradBuffer();
      NormPart part = new NormPart(x, d, ix, c, nv == 0f);
      Parallel.forRange(
          table.rows, Math.max(1, GRAIN / Math.max(1, d)), (from, to) -> part.addRows(from, to, gt, from));
    });
    return out;
  }

  /**
   * The gradient of ‖table[idx]‖ scaled by g: c·row added for every occurrence of a row in idx, c = g / ‖·‖. The
   * composite (gather, then norm) adds the occurrences of a row one by one, each product rounded before it is
   * added, so this does the same, row by row (+0 each at a zero norm, where the composite's gradient is +0).
   */
  private static final class NormPart implements DeferredGradient {
    private final float[] x;
    private final int d;
    private final int[] rows; // distinct rows, ascending
    private final int[] counts; // occurrences of each
    private final float c;
    private final boolean zero;

    NormPart(float[] x, int d, int[] idx, float c, boolean zero) {
      this.x = x;
      this.d = d;
      this.c = c;
      this.zero = zero;
      int[] count = new int[x.length / Math.max(1, d)]; // occurrences per table row: a pass, no sort
      int distinct = 0;
      for (int r : idx) {
        if (count[r]++ == 0) {
          distinct++;
        }
      }
      rows = new int[distinct];
      counts = new int[distinct];
      int j = 0;
      for (int r = 0; r < count.length && j < distinct; r++) {
        if (count[r] != 0) {
          rows[j] = r;
          counts[j++] = count[r];
        }
      }
    }

    @Override
    public void addRows(int from, int to, float[] out, int outRow0) {
      int k = java.util.Arrays.binarySearch(rows, from);
      if (k < 0) {
        k = -k - 1;
      }
      for (; k < rows.length && rows[k] < to; k++) {
        int r = rows[k];
        int o = (r - from + outRow0) * d;
        int xo = r * d;
        for (int rep = 0; rep < counts[k]; rep++) {
          if (zero) {
            for (int t = 0; t < d; t++) {
              out[o + t] += 0f;
            }
          } else {
            for (int t = 0; t < d; t++) {
              out[o + t] += c * x[xo + t]; // the product rounded, then added: the composite's two steps
            }
          }
        }
      }
    }
  }

  /** {@link #sumOfSquares} of the rows idx of x (d values each), as if they were gathered into one array. */
  private static double sumOfSquaresOfRows(float[] x, int[] idx, int d) {
    return sumOfRowSums(x, idx.length, d, r -> idx[r] * d);
  }

  /** ‖x‖₂ (Frobenius norm), 1×1, as torch.norm(x, p=2); the gradient at x = 0 is 0, as torch. */
  public Tensor norm(Tensor x) {
    float nv = (float) Math.sqrt(sumOfSquares(x.data, x.rows, x.cols));
    Tensor out = output(1, 1, x);
    out.data[0] = nv;
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      if (nv == 0f) {
        return;
      }
      float c = g[0] / nv;
      values(gx.length, (s, e) -> Kernels.axpy(c, x.data, s, gx, s, e - s));
    });
    return out;
  }

  /**
   * InfoNCE with cosine similarity and in-batch negatives (PGL, SGL, MGCN's {@code InfoNCE}):
   * mean_r −log( exp(cos(a_r,b_r)/τ) / Σ_s exp(cos(a_r,b_s)/τ) ), 1×1. Rows are normalised as
   * torch.nn.functional.normalize (eps 1e-12); the log-sum-exp is stable. Memory: one m×m float matrix.
   *
   * <p>The m×m matrix holds E_rs = exp(S_rs − max_s S_rs) for S = cos/τ and is never normalised: with P =
   * diag(1/Σ_s E_rs)·E the softmax and c = dL/dloss / (m·τ), the gradient dL/dcos = c·(P − I) gives dA =
   * c·(diag(1/ΣE)·(E·B̂) − B̂) and dB = c·(Eᵀ·(diag(1/ΣE)·Â) − Â) for the normalised rows Â, B̂: two products
   * with E and row-wise work on m×d, no further pass over E. E·B̂ is computed in the forward pass, each block of
   * rows right after the similarities and exponentials of that block, while it is in cache.
   */
  public Tensor infoNce(Tensor a, Tensor b, float tau) {
    sameShape("infoNce", a, b);
    if (!(tau > 0f)) {
      throw new IllegalArgumentException("infoNce: temperature must be > 0, got " + tau);
    }
    int m = a.rows;
    int d = a.cols;
    if (m == 0) {
      throw new IllegalArgumentException("infoNce: empty batch " + a.shape());
    }
    float[] na = alloc(m * d);
    float[] nb = alloc(m * d);
    float[] normA = alloc(m);
    float[] normB = alloc(m);
    normalizeRows(a.data, na, normA, m, d);
    normalizeRows(b.data, nb, normB, m, d);
    float[] e = alloc(Math.multiplyExact(m, m)); // cosines, then exp(cos/τ − row max)
    float invTau = 1f / tau;
    float[] invSum = alloc(m);
    double[] rowLoss = new double[m];
    // E·B̂ for dA, computed in the forward pass a block of rows at a time while the block of E is in cache (it
    // does not depend on the incoming gradient, which only scales it)
    float[] eb = recording && a.requiresGrad ? alloc(m * d) : null;
    try (Kernels.RowProduct ebRows = eb == null ? null : Kernels.rowProduct(e, nb, eb, m, m, d)) {
      Kernels.gemmNT(na, nb, e, m, d, m, (from, to) -> {
        for (int r = from; r < to; r++) {
          int o = r * m;
          float pos = e[o + r] * invTau;
          float shift = rowShift(e, o, m, invTau);
          float sum = Kernels.expShifted(e, o, invTau, shift, e, o, m);
          invSum[r] = 1f / sum;
          rowLoss[r] = shift + Math.log(sum) - pos;
        }
        if (ebRows != null) {
          ebRows.rows(from, to);
        }
      });
    }
    double total = 0;
    for (double l : rowLoss) {
      total += l;
    }
    Tensor out = output(1, 1, a, b);
    out.data[0] = (float) (total / m);
    onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float c = g[0] / m * invTau;
      if (a.requiresGrad) {
        float[] dna = eb; // E·B̂, from the forward pass
        rowsOf(m, d, (s, end) -> {
          for (int r = s; r < end; r++) {
            Kernels.scale(dna, c * invSum[r], r * d, d);
            Kernels.axpy(-c, nb, r * d, dna, r * d, d);
          }
        });
        normalizeRowsBackward(na, normA, dna, a.gradBuffer(), m, d);
      }
      if (b.requiresGrad) {
        float[] scaled = alloc(m * d); // diag(1/ΣE)·Â
        rowsOf(m, d, (s, end) -> {
          for (int r = s; r < end; r++) {
            Kernels.axpy(invSum[r], na, r * d, scaled, r * d, d);
          }
        });
        float[] dnb = alloc(m * d);
        Kernels.gemmTN(e, scaled, dnb, m, m, d, false); // Eᵀ·diag(1/ΣE)·Â
        rowsOf(m, d, (s, end) -> {
          for (int r = s; r < end; r++) {
            Kernels.scale(dnb, c, r * d, d);
            Kernels.axpy(-c, na, r * d, dnb, r * d, d);
          }
        });
        normalizeRowsBackward(nb, normB, dnb, b.gradBuffer(), m, d);
      }
    });
    return out;
  }
}
