package org.userec.tensor;

import static org.userec.tensor.Tape.columnSumsInto;
import static org.userec.tensor.Tape.rowsOf;
import static org.userec.tensor.Tape.sameShape;
import static org.userec.tensor.Tape.values;

import org.userec.tensor.simd.Kernels;

/**
 * Dense products: matrix products in the three layouts, linear layers, grouped (batched) products over
 * blocks of rows, and row-wise dot products.
 */
final class DenseProducts {
  private DenseProducts() {}

  /** a[m×k] · b[k×n] (torch.matmul). */
  static Tensor matmul(Tape tape, Tensor a, Tensor b) {
    if (a.cols != b.rows) {
      throw new IllegalArgumentException("matmul: inner dimensions differ, " + a.shape() + " · " + b.shape());
    }
    int m = a.rows;
    int k = a.cols;
    int n = b.cols;
    Tensor out = tape.output(m, n, a, b);
    Kernels.gemmNN(a.data, b.data, out.data, m, k, n, false);
    tape.onBackward(out, () -> {
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
  static Tensor matmulNT(Tape tape, Tensor a, Tensor b) {
    if (a.cols != b.cols) {
      throw new IllegalArgumentException("matmulNT: column counts differ, " + a.shape() + " · (" + b.shape() + ")ᵀ");
    }
    int m = a.rows;
    int k = a.cols;
    int n = b.rows;
    Tensor out = tape.output(m, n, a, b);
    Kernels.gemmNT(a.data, b.data, out.data, m, k, n, false);
    tape.onBackward(out, () -> {
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
  static Tensor matmulTN(Tape tape, Tensor a, Tensor b) {
    if (a.rows != b.rows) {
      throw new IllegalArgumentException("matmulTN: row counts differ, (" + a.shape() + ")ᵀ · " + b.shape());
    }
    int k = a.rows;
    int m = a.cols;
    int n = b.cols;
    Tensor out = tape.output(m, n, a, b);
    Kernels.gemmTN(a.data, b.data, out.data, k, m, n, false);
    tape.onBackward(out, () -> {
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
  static Tensor linear(Tape tape, Tensor x, Tensor w, Tensor bias) {
    if (x.cols != w.rows) {
      throw new IllegalArgumentException("linear: input " + x.shape() + " does not fit weight " + w.shape());
    }
    if (bias != null && (bias.rows != 1 || bias.cols != w.cols)) {
      throw new IllegalArgumentException("linear: bias " + bias.shape() + " does not fit weight " + w.shape());
    }
    int m = x.rows;
    int in = x.cols;
    int n = w.cols;
    Tensor out = tape.output(m, n, x, w, bias);
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
    tape.onBackward(out, () -> {
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
   * x·w + bias for a constant x (a frozen feature table): {@link #linear(Tape, Tensor, Tensor, Tensor)} without a
   * gradient for x, with x's packed copies reused from one call to the next.
   */
  static Tensor linear(Tape tape, ConstantMatrix x, Tensor w, Tensor bias) {
    Tensor xv = x.value();
    if (xv.cols != w.rows) {
      throw new IllegalArgumentException("linear: input " + xv.shape() + " does not fit weight " + w.shape());
    }
    if (bias != null && (bias.rows != 1 || bias.cols != w.cols)) {
      throw new IllegalArgumentException("linear: bias " + bias.shape() + " does not fit weight " + w.shape());
    }
    int m = xv.rows;
    int n = w.cols;
    Tensor out = tape.output(m, n, w, bias);
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
    tape.onBackward(out, () -> {
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

  /**
   * Grouped a·bᵀ: a and b are (g·r)×d made of g blocks of r rows; out is (g·r)×r where block k is
   * a_k · b_kᵀ (torch.bmm(a.view(g,r,d), b.view(g,r,d).transpose(1,2))). Used by attention over small
   * per-user sets.
   */
  static Tensor groupedMatmulNT(Tape tape, Tensor a, Tensor b, int groupRows) {
    sameShape("groupedMatmulNT", a, b);
    int r = groupRows;
    if (r < 1 || a.rows % r != 0) {
      throw new IllegalArgumentException("groupedMatmulNT: " + a.rows + " rows are not groups of " + r);
    }
    int d = a.cols;
    int groups = a.rows / r;
    Tensor out = tape.output(a.rows, r, a, b);
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
    tape.onBackward(out, () -> {
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
  static Tensor groupedMatmul(Tape tape, Tensor p, Tensor v, int groupRows) {
    int r = groupRows;
    if (r < 1 || p.rows != v.rows || p.cols != r || p.rows % r != 0) {
      throw new IllegalArgumentException(
          "groupedMatmul: weights " + p.shape() + " and values " + v.shape() + " are not groups of " + r + " rows");
    }
    int d = v.cols;
    int groups = p.rows / r;
    Tensor out = tape.output(v.rows, d, p, v);
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
    tape.onBackward(out, () -> {
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
  static Tensor rowDot(Tape tape, Tensor a, Tensor b) {
    sameShape("rowDot", a, b);
    int m = a.rows;
    int d = a.cols;
    Tensor out = tape.output(m, 1, a, b);
    float[] y = out.data;
    rowsOf(m, d, (s, e) -> {
      for (int r = s; r < e; r++) {
        y[r] = Kernels.dot(a.data, r * d, b.data, r * d, d);
      }
    });
    tape.onBackward(out, () -> {
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
}
