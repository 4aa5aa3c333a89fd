package org.userec.tensor;

import static org.userec.tensor.Tape.checkIndices;
import static org.userec.tensor.Tape.rowsOf;
import static org.userec.tensor.Tape.values;

import org.userec.tensor.simd.Kernels;

/** Indexing and reshaping ops: rows gathered by index, concatenation, slices of rows or columns. */
final class Indexing {
  private Indexing() {}

  /**
   * out[r] = table[idx[r]] (torch: {@code table[idx]}, {@code nn.Embedding}). Backward scatter-adds into the
   * table's rows sequentially in r order, so the result does not depend on the thread count.
   */
  static Tensor gatherRows(Tape tape, Tensor table, int[] idx) {
    int[] ix = checkIndices("gatherRows", idx, table.rows, "rows of a " + table.shape() + " table");
    int d = table.cols;
    Tensor out = tape.output(ix.length, d, table);
    float[] t = table.data;
    float[] y = out.data;
    rowsOf(ix.length, d, (s, e) -> {
      for (int r = s; r < e; r++) {
        System.arraycopy(t, ix[r] * d, y, r * d, d);
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor concatCols(Tape tape, Tensor... parts) {
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
    Tensor out = tape.output(m, n, ps);
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
    tape.onBackward(out, () -> {
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
  static Tensor concatRows(Tape tape, Tensor... parts) {
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
    Tensor out = tape.output(total, n, ps);
    int off = 0;
    for (Tensor p : ps) {
      System.arraycopy(p.data, 0, out.data, off, p.data.length);
      off += p.data.length;
    }
    tape.onBackward(out, () -> {
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
  static Tensor sliceRows(Tape tape, Tensor x, int from, int to) {
    if (from < 0 || to < from || to > x.rows) {
      throw new IllegalArgumentException("sliceRows: [" + from + ", " + to + ") outside a " + x.shape() + " tensor");
    }
    int n = x.cols;
    Tensor out = tape.output(to - from, n, x);
    System.arraycopy(x.data, from * n, out.data, 0, out.data.length);
    tape.onBackward(out, () -> {
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
  static Tensor sliceCols(Tape tape, Tensor x, int from, int to) {
    if (from < 0 || to < from || to > x.cols) {
      throw new IllegalArgumentException("sliceCols: [" + from + ", " + to + ") outside a " + x.shape() + " tensor");
    }
    int m = x.rows;
    int n = x.cols;
    int w = to - from;
    Tensor out = tape.output(m, w, x);
    float[] y = out.data;
    rowsOf(m, w, (s, e) -> {
      for (int r = s; r < e; r++) {
        System.arraycopy(x.data, r * n + from, y, r * w, w);
      }
    });
    tape.onBackward(out, () -> {
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
}
