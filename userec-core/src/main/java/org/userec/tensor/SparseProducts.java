package org.userec.tensor;

import static org.userec.tensor.Tape.GRAIN;
import static org.userec.tensor.Tape.checkIndices;

import java.util.ArrayList;
import org.userec.graph.CsrMatrix;
import org.userec.tensor.simd.DenseRows;
import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/**
 * Products with a constant sparse matrix: one product ({@code torch.sparse.mm}), some of its rows, and the
 * LightGCN layer mean over L products with its backward by Horner's rule.
 */
final class SparseProducts {
  private SparseProducts() {}

  /** a[r×c] · x[c×d] for a sparse constant a (torch.sparse.mm). Backward uses aᵀ (cached by the matrix). */
  static Tensor spmm(Tape tape, CsrMatrix a, Tensor x) {
    if (a.cols != x.rows) {
      throw new IllegalArgumentException("spmm: sparse " + a.rows + "x" + a.cols + " · " + x.shape());
    }
    int d = x.cols;
    Tensor out = tape.output(a.rows, d, x);
    Kernels.spmm(a, x.data, d, out.data, false);
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      Kernels.spmm(a.transpose(), g, d, x.gradBuffer(), true);
    });
    return out;
  }

  /**
   * Rows {@code rows} of a · x, as a rows.length×d tensor. Backward scatters sequentially (deterministic).
   */
  static Tensor spmmRows(Tape tape, CsrMatrix a, int[] rows, Tensor x) {
    if (a.cols != x.rows) {
      throw new IllegalArgumentException("spmmRows: sparse " + a.rows + "x" + a.cols + " · " + x.shape());
    }
    int[] rs = checkIndices("spmmRows", rows, a.rows, "rows of a " + a.rows + "x" + a.cols + " sparse matrix");
    int d = x.cols;
    Tensor out = tape.output(rs.length, d, x);
    Kernels.spmmRows(a, rs, x.data, d, out.data, false);
    tape.onBackward(out, () -> {
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
   * The LightGCN layer mean (He et al. 2020, eq. 4 with α_l = 1/(L+1)): mean(x, A·x, …, Aᴸ·x) for a square
   * sparse A, as one op. Backward by Horner's rule, dx = (1/(L+1))·Σ_l (Aᵀ)ˡ g = H/(L+1) with H ← g + Aᵀ·H
   * repeated L times, so forward and backward each cost L sparse products and no per-layer tape entries.
   */
  static Tensor propagateMean(Tape tape, CsrMatrix a, Tensor x, int layers) {
    return propagateMean(tape, a, layers, x);
  }

  /**
   * {@link #propagateMean(Tape, CsrMatrix, Tensor, int)} over x = [x₀; x₁; …], the blocks stacked by rows as
   * torch.cat(x, dim=0), with their gradients written in place: equal to {@code propagateMean(a,
   * concatRows(x), layers)}, value for value and gradient for gradient, with one copy fewer each way.
   */
  static Tensor propagateMean(Tape tape, CsrMatrix a, int layers, Tensor... x) {
    Tensor[] xs = checkPropagate("propagateMean", a, layers, x);
    int d = xs[0].cols;
    int n = a.rows;
    Tensor out = tape.output(n, d, xs);
    float[] acc = out.data;
    int off = 0;
    for (Tensor b : xs) { // acc = x (then + E¹ + … in layer order)
      System.arraycopy(b.data, 0, acc, off, b.data.length);
      off += b.data.length;
    }
    DenseRows cur = layers == 0 ? null : input(tape, xs, d);
    float[][] bufs = new float[2][];
    for (int l = 1; l <= layers; l++) {
      int which = l & 1;
      if (bufs[which] == null) {
        bufs[which] = tape.allocForOverwrite(n * d);
      }
      float[] next = bufs[which];
      Kernels.spmm(a, cur, null, DenseRows.of(next, d));
      Kernels.add(acc, 0, next, 0, acc, 0, n * d);
      cur = DenseRows.of(next, d);
    }
    float inv = 1f / (layers + 1);
    Kernels.scale(acc, inv);
    tape.giveBack(bufs[0]); // the backward reads no layer (see propagateMeanRows)
    tape.giveBack(bufs[1]);
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      horner(tape, null, a.transpose(), DenseRows.of(g, d), g, layers, inv, xs);
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
  static Tensor propagateMeanRows(Tape tape, CsrMatrix a, int layers, int[] rows, Tensor... x) {
    Tensor[] xs = checkPropagate("propagateMeanRows", a, layers, x);
    int d = xs[0].cols;
    int n = a.rows;
    int[] rs = checkIndices("propagateMeanRows", rows, n, "rows of a " + n + "x" + n + " sparse matrix");
    int[] distinct = sortedDistinct(rs);
    boolean same = distinct.length == rs.length; // rs was sorted and distinct
    int m = distinct.length;
    Tensor out = tape.outputForOverwrite(rs.length, d, xs);
    float[] acc = same ? out.data : tape.allocForOverwrite(m * d); // the mean at the distinct rows
    float inv = 1f / (layers + 1);
    // acc = x, then + Âx, …, + Âᴸx in layer order, then · 1/(L+1): each row's adds in that order, whichever
    // passes they are merged into (x read only in the first, the scaling done in the last)
    Rows x0 = new Rows(xs, distinct, d);
    if (layers == 0) {
      x0.sumInto(acc, null, null, null, inv);
    } else {
      DenseRows cur = input(tape, xs, d);
      float[][] bufs = new float[2][];
      for (int l = 1; l < layers; l++) {
        int which = l & 1;
        if (bufs[which] == null) {
          bufs[which] = tape.allocForOverwrite(n * d);
        }
        float[] next = bufs[which];
        Kernels.spmm(a, cur, null, DenseRows.of(next, d));
        x0.sumInto(acc, l == 1 ? null : acc, next, null, 1f);
        cur = DenseRows.of(next, d);
      }
      // a full-size buffer (only its first m rows are used): its length recurs batch after batch, so the pool
      // keeps it, while one of m rows (m varies) would be a fresh, zeroed and uncached array every batch
      float[] last = tape.allocForOverwrite(n * d);
      Kernels.spmmRows(a, distinct, cur, last);
      x0.sumInto(acc, layers == 1 ? null : acc, null, last, inv);
      // the backward reads none of the layers: their buffers serve its own (same lengths) in this step
      tape.giveBack(last);
      tape.giveBack(bufs[0]);
      tape.giveBack(bufs[1]);
    }
    int[] slot = same ? null : slots(rs, distinct);
    if (!same) {
      for (int r = 0; r < rs.length; r++) {
        System.arraycopy(acc, slot[r] * d, out.data, r * d, d);
      }
    }
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      // the gradient, zero outside the distinct rows, stored compactly
      float[] gc = g;
      if (!same) {
        gc = tape.alloc(m * d);
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
        horner(tape, null, a.transpose(), DenseRows.remapped(gc, rowOf, d), gc, 0, inv, xs);
        return;
      }
      // H¹ = g + Aᵀg, gathered row by row from g's few rows, stored compactly (a small table that stays in cache)
      CsrMatrix at = a.transpose();
      float[] h1 = tape.allocForOverwrite(n * d);
      Kernels.spmmSparseInput(at, rowOf, gc, d, h1);
      horner(tape, h1, at, DenseRows.remapped(gc, rowOf, d), gc, layers, inv, xs);
      tape.giveBackIfHeld(h1); // unless the deferred gradient reads it
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
  private static DenseRows input(Tape tape, Tensor[] xs, int d) {
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
    float[] all = tape.allocForOverwrite(n);
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
  private static void horner(
      Tape tape, float[] h1, CsrMatrix at, DenseRows g, float[] gArray, int layers, float inv, Tensor[] xs) {
    int n = at.rows;
    int d = g.cols();
    if (layers == 0 || (layers == 1 && h1 != null)) { // dx += inv·H_L, as a product with no entries started from H_L
      CsrMatrix none = new CsrMatrix(n, 0, new int[n + 1], new int[0], new float[0]);
      DenseRows start = layers == 0 ? g : DenseRows.of(h1, d);
      addToGradients(tape, none, DenseRows.stacked(d, new float[0]), start, inv, xs, layers == 0 ? gArray : h1);
      return;
    }
    DenseRows h = h1 != null ? DenseRows.of(h1, d) : g;
    float[] hArray = h1 != null ? h1 : gArray;
    float[][] bufs = new float[2][];
    for (int l = h1 != null ? 2 : 1; l < layers; l++) {
      int which = l & 1;
      if (bufs[which] == null) {
        bufs[which] = tape.allocForOverwrite(n * d);
      }
      Kernels.spmm(at, h, g, DenseRows.of(bufs[which], d));
      h = DenseRows.of(bufs[which], d);
      hArray = bufs[which];
    }
    addToGradients(tape, at, h, g, inv, xs, hArray, gArray);
    tape.giveBackIfHeld(bufs[0]);
    tape.giveBackIfHeld(bufs[1]);
  }

  /**
   * dx += alpha·(init + a·h) for x = [x₀; x₁; …] (rows of a are the blocks' rows, stacked). When every block that
   * needs a gradient is a {@link Param}, this is deferred to their gradients ({@link Param#defer}): an optimizer
   * then adds it chunk by chunk as it updates them, and the gradient array is never written and read back. The
   * arrays it reads ({@code reads}, the tape's work arrays) then leave the tape, and go back to the pool once
   * every parameter has consumed its part. Otherwise it is added now.
   */
  private static void addToGradients(
      Tape tape, CsrMatrix a, DenseRows h, DenseRows init, float alpha, Tensor[] xs, float[]... reads) {
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
      Kernels.spmmAddScaled(a, h, init, alpha, gradientsOf(tape, xs, d));
      return;
    }
    KeptArrays kept = new KeptArrays(tape.pool(), parts);
    for (float[] r : reads) {
      if (r != null && !kept.arrays.contains(r) && tape.disown(r)) {
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
  private static DenseRows gradientsOf(Tape tape, Tensor[] xs, int d) {
    float[][] arrays = new float[xs.length][];
    for (int b = 0; b < xs.length; b++) {
      arrays[b] = xs[b].requiresGrad ? xs[b].gradBuffer() : tape.alloc(xs[b].data.length);
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
}
