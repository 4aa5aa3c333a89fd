package org.userec.tensor;

/**
 * The scale factor of torch.nn.functional.normalize(x, dim=1) as a tensor of its own: out[r] = 1 / max(‖x_r‖₂,
 * 1e-12), m×1. With it a normalised product need not be formed: LGMRec's hypergraph rows Ê = HΛ have rank at
 * most the hyperedge count, and x·Ê_v/‖Ê_v‖ = (xΛᵀ)·(H_v/‖Ê_v‖) costs that many products per pair, not d.
 */
public final class RowNorms {
  /** torch's eps in normalize: a zero row scales by 1e12 (and so stays zero). */
  static final float EPS = 1e-12f;

  private RowNorms() {}

  /** 1 / max(‖x_r‖₂, 1e-12) per row, m×1; the gradient is −x_r / ‖x_r‖³ where the norm is not clamped, else 0. */
  public static Tensor inverse(Tape t, Tensor x) {
    int m = x.rows;
    int n = x.cols;
    Tensor out = t.output(m, 1, x);
    float[] y = out.data;
    boolean[] clamped = new boolean[m];
    for (int r = 0; r < m; r++) {
      double ss = 0;
      for (int j = 0; j < n; j++) {
        double v = x.data[r * n + j];
        ss += v * v;
      }
      float norm = (float) Math.sqrt(ss);
      clamped[r] = !(norm >= EPS);
      y[r] = 1f / Math.max(norm, EPS);
    }
    t.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      for (int r = 0; r < m; r++) {
        if (clamped[r]) {
          continue; // the clamp passes no gradient, as torch's clamp_min
        }
        float c = -g[r] * y[r] * y[r] * y[r]; // d(1/‖x‖)/dx = −x/‖x‖³
        for (int j = 0; j < n; j++) {
          gx[r * n + j] += c * x.data[r * n + j];
        }
      }
    });
    return out;
  }
}
