package org.userec.tensor;

import static org.userec.tensor.Tape.columnSumsInto;
import static org.userec.tensor.Tape.rowsOf;
import static org.userec.tensor.Tape.sameShape;
import static org.userec.tensor.Tape.values;

import java.util.random.RandomGenerator;
import org.userec.tensor.simd.Kernels;

/**
 * Elementwise ops: arithmetic (sums, products, scalings, weighted sums) and functions applied value by value
 * (activations, exp, log, dropout).
 */
final class Elementwise {
  private Elementwise() {}

  /** Elementwise a + b (same shape), or a + b broadcast when b is 1×cols (a row vector). */
  static Tensor add(Tape tape, Tensor a, Tensor b) {
    boolean broadcast = !(a.rows == b.rows && a.cols == b.cols);
    if (broadcast && (b.rows != 1 || b.cols != a.cols)) {
      throw new IllegalArgumentException("add: shapes differ and " + b.shape() + " is not a row vector for " + a.shape());
    }
    int m = a.rows;
    int n = a.cols;
    Tensor out = tape.output(m, n, a, b);
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
    tape.onBackward(out, () -> {
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
  static Tensor sub(Tape tape, Tensor a, Tensor b) {
    sameShape("sub", a, b);
    Tensor out = tape.output(a.rows, a.cols, a, b);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = a.data[i] - b.data[i];
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor mul(Tape tape, Tensor a, Tensor b) {
    sameShape("mul", a, b);
    Tensor out = tape.output(a.rows, a.cols, a, b);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = a.data[i] * b.data[i];
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor scale(Tape tape, Tensor a, float s) {
    Tensor out = tape.output(a.rows, a.cols, a);
    float[] y = out.data;
    values(y.length, (from, to) -> {
      for (int i = from; i < to; i++) {
        y[i] = s * a.data[i];
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor mulScalar(Tape tape, Tensor a, Tensor s) {
    if (s.size() != 1) {
      throw new IllegalArgumentException("mulScalar: " + s.shape() + " is not 1x1 (scaling " + a.shape() + ")");
    }
    float sv = s.data[0];
    Tensor out = tape.output(a.rows, a.cols, a, s);
    float[] y = out.data;
    values(y.length, (from, to) -> {
      for (int i = from; i < to; i++) {
        y[i] = sv * a.data[i];
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor scaleRows(Tape tape, Tensor x, Tensor w) {
    if (w.rows != x.rows || w.cols != 1) {
      throw new IllegalArgumentException("scaleRows: weights " + w.shape() + " are not a column for " + x.shape());
    }
    int m = x.rows;
    int d = x.cols;
    Tensor out = tape.output(m, d, x, w);
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
    tape.onBackward(out, () -> {
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
  static Tensor weightedSum(Tape tape, float[] w, Tensor... xs) {
    if (xs.length == 0 || w.length != xs.length) {
      throw new IllegalArgumentException("weightedSum: " + w.length + " weights for " + xs.length + " tensors");
    }
    for (Tensor x : xs) {
      sameShape("weightedSum", xs[0], x);
    }
    float[] ws = w.clone();
    Tensor[] ts = xs.clone();
    Tensor out = tape.output(ts[0].rows, ts[0].cols, ts);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int k = 0; k < ts.length; k++) {
        Kernels.axpy(ws[k], ts[k].data, s, y, s, e - s);
      }
    });
    tape.onBackward(out, () -> {
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

  /** 1 / (1 + e^(−x)), computed without overflow for any x. */
  static Tensor sigmoid(Tape tape, Tensor x) {
    Tensor out = tape.output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = sigma(x.data[i]);
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor logSigmoid(Tape tape, Tensor x) {
    Tensor out = tape.output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        float v = x.data[i];
        y[i] = (float) (Math.min(v, 0f) - log1pExpNegAbs(v));
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor softplus(Tape tape, Tensor x) {
    Tensor out = tape.output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        float v = x.data[i];
        y[i] = (float) (Math.max(v, 0f) + log1pExpNegAbs(v));
      }
    });
    tape.onBackward(out, () -> {
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

  static Tensor tanh(Tape tape, Tensor x) {
    Tensor out = tape.output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = (float) Math.tanh(x.data[i]);
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor relu(Tape tape, Tensor x) {
    Tensor out = tape.output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = x.data[i] > 0f ? x.data[i] : 0f;
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor leakyRelu(Tape tape, Tensor x, float slope) {
    Tensor out = tape.output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        float v = x.data[i];
        y[i] = v > 0f ? v : slope * v;
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor exp(Tape tape, Tensor x) {
    Tensor out = tape.output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = (float) Math.exp(x.data[i]);
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor log(Tape tape, Tensor x) {
    Tensor out = tape.output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = (float) Math.log(x.data[i]);
      }
    });
    tape.onBackward(out, () -> {
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
  static Tensor dropout(Tape tape, Tensor x, float p, RandomGenerator rng) {
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
    Tensor out = tape.output(x.rows, x.cols, x);
    float[] y = out.data;
    values(y.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        y[i] = x.data[i] * mask[i];
      }
    });
    tape.onBackward(out, () -> {
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

  private static void addInto(float[] dst, float[] src) {
    values(dst.length, (s, e) -> {
      for (int i = s; i < e; i++) {
        dst[i] += src[i];
      }
    });
  }

  static float sigma(float x) {
    if (x >= 0) {
      return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
    double z = Math.exp(x);
    return (float) (z / (1.0 + z));
  }

  /** log(1 + e^(−|x|)), the stable tail shared by softplus and log-sigmoid. */
  static double log1pExpNegAbs(float x) {
    return Math.log1p(Math.exp(-Math.abs((double) x)));
  }
}
