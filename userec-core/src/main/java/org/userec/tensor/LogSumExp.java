package org.userec.tensor;

import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/** The log-sum-exp reduction and its gradient, the softmax. */
public final class LogSumExp {
  /** Rows per task when the work is split across threads. */
  private static final int ROWS_PER_TASK = 32;

  private LogSumExp() {}

  /**
   * out[r] = log Σ_j exp(x[r, j]), m×1 (torch: {@code torch.logsumexp(x, dim=1, keepdim=True)}), computed stably
   * as max_r + log Σ_j exp(x[r, j] − max_r). Backward: dx[r, j] += g[r] · softmax(x[r])_j. A row of −∞ gives −∞ (and
   * no gradient); an empty row (0 columns) is rejected.
   */
  public static Tensor rows(Tape t, Tensor x) {
    int m = x.rows;
    int n = x.cols;
    if (n == 0) {
      throw new IllegalArgumentException("logSumExp: rows of " + x.shape() + " are empty");
    }
    Tensor out = t.output(m, 1, x);
    // the softmax rows, for backward (exp(x − max) first, divided by the sum once it is known)
    float[] soft = out.requiresGrad() ? t.alloc(Math.multiplyExact(m, n)) : null;
    float[] y = out.data;
    Parallel.forRange(m, ROWS_PER_TASK, (s, e) -> {
      float[] work = soft != null ? null : new float[n];
      for (int r = s; r < e; r++) {
        int o = r * n;
        float shift = Kernels.max(x.data, o, n);
        if (shift == Float.NEGATIVE_INFINITY) {
          y[r] = Float.NEGATIVE_INFINITY;
          continue;
        }
        float sum = soft != null
            ? Kernels.expShifted(x.data, o, 1f, shift, soft, o, n)
            : Kernels.expShifted(x.data, o, 1f, shift, work, 0, n);
        y[r] = shift + (float) Math.log(sum);
        if (soft != null) {
          Kernels.scale(soft, 1f / sum, o, n);
        }
      }
    });
    t.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      Parallel.forRange(m, ROWS_PER_TASK, (s, e) -> {
        for (int r = s; r < e; r++) {
          if (y[r] != Float.NEGATIVE_INFINITY) {
            Kernels.axpy(g[r], soft, r * n, gx, r * n, n);
          }
        }
      });
    });
    return out;
  }
}
