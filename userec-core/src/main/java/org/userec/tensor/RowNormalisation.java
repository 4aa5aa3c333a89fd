package org.userec.tensor;

import static org.userec.tensor.Tape.columnSumsInto;
import static org.userec.tensor.Tape.rowsOf;

import org.userec.tensor.simd.Kernels;

/** Row-wise normalisation: softmax, L2 normalisation and layer normalisation of each row. */
final class RowNormalisation {
  private RowNormalisation() {}

  /** Softmax over each row, stable (the row maximum is subtracted first); torch.softmax(x, dim=1). */
  static Tensor softmaxRows(Tape tape, Tensor x) {
    int m = x.rows;
    int n = x.cols;
    Tensor out = tape.output(m, n, x);
    float[] y = out.data;
    rowsOf(m, n, (s, e) -> {
      for (int r = s; r < e; r++) {
        softmaxRow(x.data, y, r * n, n, 1f);
      }
    });
    tape.onBackward(out, () -> {
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
  static float rowShift(float[] x, int off, int n, float scale) {
    float max = scale * Kernels.max(x, off, n); // = the largest scale·x, as rounding is monotone
    // an all −∞ row: keep NaN out of the shift, as torch gives NaN only from the division
    return max == Float.NEGATIVE_INFINITY ? 0f : max;
  }

  /** x_r / max(‖x_r‖₂, 1e-12) per row, as torch.nn.functional.normalize(x, dim=1). */
  static Tensor l2NormalizeRows(Tape tape, Tensor x) {
    int m = x.rows;
    int n = x.cols;
    Tensor out = tape.output(m, n, x);
    float[] norms = new float[m];
    normalizeRows(x.data, out.data, norms, m, n);
    tape.onBackward(out, () -> {
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
  static void normalizeRows(float[] x, float[] y, float[] norms, int m, int n) {
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
  static void normalizeRowsBackward(float[] y, float[] norms, float[] g, float[] gx, int m, int n) {
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
  static Tensor layerNorm(Tape tape, Tensor x, Tensor gain, Tensor bias, float eps) {
    int m = x.rows;
    int n = x.cols;
    if (gain != null && (gain.rows != 1 || gain.cols != n)) {
      throw new IllegalArgumentException("layerNorm: gain " + gain.shape() + " does not fit " + x.shape());
    }
    if (bias != null && (bias.rows != 1 || bias.cols != n)) {
      throw new IllegalArgumentException("layerNorm: bias " + bias.shape() + " does not fit " + x.shape());
    }
    Tensor out = tape.output(m, n, x, gain, bias);
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
    tape.onBackward(out, () -> {
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
}
