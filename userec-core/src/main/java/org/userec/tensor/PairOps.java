package org.userec.tensor;

/**
 * Ops that combine two tensors of one shape value by value or row by row, each op's backward beside its
 * forward: the quadratic mean √((a² + b²)/2 + ε) (COHESION's early fusion of a modality with the ID
 * embedding) and the row-wise cosine similarity (torch.nn.functional.cosine_similarity over dim −1).
 */
public final class PairOps {
  private PairOps() {}

  private static void sameShape(String op, Tensor a, Tensor b) {
    if (a.rows != b.rows || a.cols != b.cols) {
      throw new IllegalArgumentException(op + ": shapes differ, " + a.shape() + " vs " + b.shape());
    }
  }

  /**
   * y = √((a² + b²)/2 + ε) elementwise (torch: {@code ((a*a + b*b)/2 + eps).abs().sqrt()}; the argument is
   * positive for ε &gt; 0, so the abs changes nothing). ∂y/∂a = a/(2y), ∂y/∂b = b/(2y).
   */
  public static Tensor quadraticMean(Tape t, Tensor a, Tensor b, float eps) {
    sameShape("quadraticMean", a, b);
    if (!(eps > 0f)) {
      throw new IllegalArgumentException("quadraticMean: eps must be > 0, got " + eps);
    }
    Tensor out = t.output(a.rows, a.cols, a, b);
    float[] x = a.data;
    float[] z = b.data;
    float[] y = out.data;
    for (int k = 0; k < y.length; k++) {
      y[k] = (float) Math.sqrt((x[k] * x[k] + z[k] * z[k]) / 2f + eps);
    }
    t.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] ga = a.requiresGrad ? a.gradBuffer() : null;
      float[] gb = b.requiresGrad ? b.gradBuffer() : null;
      for (int k = 0; k < y.length; k++) {
        float half = g[k] / (2f * y[k]);
        if (ga != null) {
          ga[k] += half * x[k];
        }
        if (gb != null) {
          gb[k] += half * z[k];
        }
      }
    });
    return out;
  }

  /**
   * Row-wise cosine similarity, m×1: w_r = a_r·b_r / (max(‖a_r‖, ε) · max(‖b_r‖, ε)) (torch's
   * cosine_similarity(a, b, dim=-1, eps)). Where a norm is not clamped, ∂w/∂a = b/(‖a‖‖b‖) − w·a/‖a‖² (and
   * the same with a and b swapped); a clamped norm is a constant ε (the clamp passes no gradient).
   */
  public static Tensor rowCosine(Tape t, Tensor a, Tensor b, float eps) {
    sameShape("rowCosine", a, b);
    int m = a.rows;
    int d = a.cols;
    Tensor out = t.output(m, 1, a, b);
    float[] na = new float[m];
    float[] nb = new float[m];
    float[] w = out.data;
    for (int r = 0; r < m; r++) {
      int o = r * d;
      double dot = 0;
      double sa = 0;
      double sb = 0;
      for (int j = 0; j < d; j++) {
        float x = a.data[o + j];
        float z = b.data[o + j];
        dot += (double) x * z;
        sa += (double) x * x;
        sb += (double) z * z;
      }
      na[r] = (float) Math.sqrt(sa);
      nb[r] = (float) Math.sqrt(sb);
      w[r] = (float) (dot / ((double) Math.max(na[r], eps) * Math.max(nb[r], eps)));
    }
    t.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] ga = a.requiresGrad ? a.gradBuffer() : null;
      float[] gb = b.requiresGrad ? b.gradBuffer() : null;
      for (int r = 0; r < m; r++) {
        if (g[r] == 0f) {
          continue;
        }
        int o = r * d;
        float ca = Math.max(na[r], eps);
        float cb = Math.max(nb[r], eps);
        float cross = g[r] / (ca * cb);
        // self terms: −w·x/‖x‖² where the norm was not clamped
        float selfA = na[r] >= eps ? -g[r] * w[r] / (na[r] * na[r]) : 0f;
        float selfB = nb[r] >= eps ? -g[r] * w[r] / (nb[r] * nb[r]) : 0f;
        for (int j = 0; j < d; j++) {
          float x = a.data[o + j];
          float z = b.data[o + j];
          if (ga != null) {
            ga[o + j] += cross * z + selfA * x;
          }
          if (gb != null) {
            gb[o + j] += cross * x + selfB * z;
          }
        }
      }
    });
    return out;
  }
}
