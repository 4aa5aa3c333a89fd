package org.userec.tensor;

import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/**
 * The row-wise log-sum-exp of a matrix product that is never stored whole: the denominator of a contrastive
 * loss that scores each row of a batch against every row of a table (LGMRec's hypergraph contrastive term,
 * {@code torch.exp(torch.matmul(x, all.T) / tau).sum(dim=1)} with all = every user or every item).
 *
 * <p>The m×n product is computed a block of rows at a time into one buffer of at most {@link #BLOCK_VALUES}
 * values, so memory grows with m + n, not m·n (2048 × 192k users would be 1.5 GB). Backward computes each
 * block again: with P = softmax(s · A·Bᵀ) by rows (s the scale) and g the incoming gradient, dA = s · diag(g) P · B
 * and dB = s · Pᵀ · diag(g) A.
 */
public final class ProductLogSumExp {
  /** The product block's size: 32 MB of floats. */
  static final int BLOCK_VALUES = 1 << 23;

  private ProductLogSumExp() {}

  /**
   * out[r] = log Σ_j exp(scale · a_r · b_j) over all rows j of b, m×1, for a[m×d], b[n×d], scale > 0
   * (torch: {@code torch.logsumexp(scale * a @ b.T, dim=1, keepdim=True)}), stable (each row's maximum is
   * taken out first).
   */
  public static Tensor logSumExpNT(Tape t, Tensor a, Tensor b, float scale) {
    return logSumExpNT(t, a, b, scale, Math.max(1, BLOCK_VALUES / Math.max(1, b.rows)));
  }

  /** As above, computing blocks of {@code blockRows} rows (tests use small blocks to cross block edges). */
  static Tensor logSumExpNT(Tape t, Tensor a, Tensor b, float scale, int blockRows) {
    if (a.cols != b.cols) {
      throw new IllegalArgumentException("logSumExpNT: column counts differ, " + a.shape() + " · (" + b.shape() + ")ᵀ");
    }
    if (!(scale > 0f)) {
      throw new IllegalArgumentException("logSumExpNT: scale must be > 0, got " + scale);
    }
    if (b.rows == 0) {
      throw new IllegalArgumentException("logSumExpNT: no rows to sum over in " + b.shape());
    }
    int m = a.rows;
    int n = b.rows;
    int d = a.cols;
    int rows = Math.max(1, Math.min(blockRows, m));
    Tensor out = t.output(m, 1, a, b);
    float[] lse = out.data;
    float[] block = t.alloc(rows * n);
    float[] aRows = t.alloc(rows * d);
    for (int start = 0; start < m; start += rows) {
      int s = start;
      int k = Math.min(m, s + rows) - s;
      System.arraycopy(a.data, s * d, aRows, 0, k * d);
      Kernels.gemmNT(aRows, b.data, block, k, d, n, false);
      Parallel.forRange(k, grain(n), (from, to) -> {
        for (int r = from; r < to; r++) {
          float shift = scale * Kernels.max(block, r * n, n);
          float sum = Kernels.expShifted(block, r * n, scale, shift, block, r * n, n);
          lse[s + r] = (float) (shift + Math.log(sum));
        }
      });
    }
    t.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gRows = t.alloc(rows * d);
      float[] ga = a.requiresGrad ? a.gradBuffer() : null;
      float[] gb = b.requiresGrad ? b.gradBuffer() : null;
      for (int start = 0; start < m; start += rows) {
        int s = start;
        int k = Math.min(m, s + rows) - s;
        System.arraycopy(a.data, s * d, aRows, 0, k * d);
        Kernels.gemmNT(aRows, b.data, block, k, d, n, false);
        // block ← scale · g_r · P_r, P_r = exp(scale · (A·Bᵀ)_r − lse_r), the row's softmax
        Parallel.forRange(k, grain(n), (from, to) -> {
          for (int r = from; r < to; r++) {
            Kernels.expShifted(block, r * n, scale, lse[s + r], block, r * n, n);
            Kernels.scale(block, scale * g[s + r], r * n, n);
          }
        });
        if (ga != null) { // dA rows += (scale · diag(g) P) · B
          Kernels.gemmNN(block, b.data, gRows, k, n, d, false);
          Kernels.axpy(1f, gRows, 0, ga, s * d, k * d);
        }
        if (gb != null) { // dB += (scale · diag(g) P)ᵀ · A rows
          Kernels.gemmTN(block, aRows, gb, k, n, d, true);
        }
      }
    });
    return out;
  }

  /** Rows per parallel piece: about 8k values. */
  private static int grain(int n) {
    return Math.max(1, (1 << 13) / n);
  }
}
