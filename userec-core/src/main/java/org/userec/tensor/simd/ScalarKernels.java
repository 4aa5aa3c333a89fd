package org.userec.tensor.simd;

import java.util.Arrays;
import org.userec.graph.CsrMatrix;

/**
 * The scalar twin of {@link VectorKernels}: plain loops, single-threaded, the reference every vector kernel is
 * differentially tested against and the fallback when {@code jdk.incubator.vector} is absent. Signatures and
 * contracts are those of {@link Kernels}; see there. All arrays are row-major.
 */
public final class ScalarKernels {
  private ScalarKernels() {}

  /** c[m×n] (+)= a[m×k] · b[k×n]. */
  public static void gemmNN(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ci = i * n;
      if (!accumulate) {
        Arrays.fill(c, ci, ci + n, 0f);
      }
      for (int p = 0; p < k; p++) {
        float av = a[i * k + p];
        int bp = p * n;
        for (int j = 0; j < n; j++) {
          c[ci + j] += av * b[bp + j];
        }
      }
    }
  }

  /** Rows [from, to) of c = a · b (a has k columns, b is k×n): c[i][j] = Σ_p a[i][p]·b[p][j]. */
  public static void gemmNNRows(float[] a, float[] b, float[] c, int k, int n, int from, int to) {
    for (int i = from; i < to; i++) {
      int ci = i * n;
      Arrays.fill(c, ci, ci + n, 0f);
      for (int p = 0; p < k; p++) {
        float av = a[i * k + p];
        int bp = p * n;
        for (int j = 0; j < n; j++) {
          c[ci + j] += av * b[bp + j];
        }
      }
    }
  }

  /** c[m×n] (+)= a[m×k] · b[n×k]ᵀ. */
  public static void gemmNT(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s += a[i * k + p] * b[j * k + p];
        }
        c[i * n + j] = accumulate ? c[i * n + j] + s : s;
      }
    }
  }

  /** c[k×n] (+)= a[m×k]ᵀ · b[m×n]. */
  public static void gemmTN(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    if (!accumulate) {
      Arrays.fill(c, 0, k * n, 0f);
    }
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        float av = a[i * k + p];
        for (int j = 0; j < n; j++) {
          c[p * n + j] += av * b[i * n + j];
        }
      }
    }
  }

  /** The largest of x[off..off+n) (NaN when any value is NaN, −∞ when n = 0). */
  public static float max(float[] x, int off, int n) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      m = Math.max(m, x[off + i]);
    }
    return m;
  }

  /** y[yOff+j] = {@link #exp}(x[xOff+j]·scale − shift) for j in [0, n); returns their sum, in order. */
  public static float expShifted(float[] x, int xOff, float scale, float shift, float[] y, int yOff, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      float e = exp(x[xOff + i] * scale - shift);
      y[yOff + i] = e;
      sum += e;
    }
    return sum;
  }

  // exp: Cephes' expf (S. L. Moshier, Cephes Math Library, expf.c): v = n·ln2 + r with n = rint(v·log2 e)
  // (by adding 1.5·2^23), ln2 split in two for an exact reduction, e^r by a degree-7 polynomial, 2^n from the
  // exponent bits. Clamping v to [EXP_LO, EXP_HI] keeps n in [−127, 128], whose exponent bits are those of 0
  // and +∞: out-of-range arguments need no branch. The vector kernel repeats these operations lane by lane.
  static final float EXP_LO = -88f; // n = −127: 2^n reads as 0
  static final float EXP_HI = 88.72284f; // n = 128: 2^n reads as +∞
  static final float LOG2E = 1.44269504088896341f;
  static final float ROUNDER = 12582912f; // 1.5·2^23: k = v·log2e + ROUNDER rounds v·log2e to an integer n
  static final int ROUNDER_BITS = 0x4B400000; // bits of ROUNDER; bits(k) − ROUNDER_BITS = n for |n| < 2^22
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  static final float EXP_P0 = 1.9875691500e-4f;
  static final float EXP_P1 = 1.3981999507e-3f;
  static final float EXP_P2 = 8.3334519073e-3f;
  static final float EXP_P3 = 4.1665795894e-2f;
  static final float EXP_P4 = 1.6666665459e-1f;
  static final float EXP_P5 = 5.0000001201e-1f;

  /**
   * e^v in float: relative error below 2.5e-7 wherever e^v is a normal float (v in [−87.33, 88.37]); below
   * that, a subnormal with growing relative error, then 0 (from about v = −87.7); +∞ from v = 88.38 (where e^v
   * exceeds 2.4e38); NaN for NaN.
   */
  static float exp(float v) {
    float x = v < EXP_LO ? EXP_LO : v > EXP_HI ? EXP_HI : v; // NaN stays NaN
    float k = Math.fma(x, LOG2E, ROUNDER);
    float n = k - ROUNDER;
    float r = Math.fma(n, -LN2_HI, x);
    r = Math.fma(n, -LN2_LO, r);
    float p = Math.fma(r, EXP_P0, EXP_P1);
    p = Math.fma(p, r, EXP_P2);
    p = Math.fma(p, r, EXP_P3);
    p = Math.fma(p, r, EXP_P4);
    p = Math.fma(p, r, EXP_P5);
    p = Math.fma(p, r * r, r) + 1f;
    return p * Float.intBitsToFloat((Float.floatToRawIntBits(k) - (ROUNDER_BITS - 127)) << 23);
  }

  /** out[a.rows×d] (+)= a · x[a.cols×d]. */
  public static void spmm(CsrMatrix a, float[] x, int d, float[] out, boolean accumulate) {
    for (int i = 0; i < a.rows; i++) {
      spmmRow(a, i, x, d, out, i * d, accumulate);
    }
  }

  /** out[rows.length×d] (+)= (a · x) restricted to the given rows of a. */
  public static void spmmRows(CsrMatrix a, int[] rows, float[] x, int d, float[] out, boolean accumulate) {
    for (int r = 0; r < rows.length; r++) {
      spmmRow(a, rows[r], x, d, out, r * d, accumulate);
    }
  }

  private static void spmmRow(CsrMatrix a, int i, float[] x, int d, float[] out, int oi, boolean accumulate) {
    if (!accumulate) {
      Arrays.fill(out, oi, oi + d, 0f);
    }
    for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
      float v = a.values[q];
      int xj = a.colIdx[q] * d;
      for (int t = 0; t < d; t++) {
        out[oi + t] += v * x[xj + t];
      }
    }
  }

  /** out(i) = init(i) + (a·x)(i) for every row i of a (init null: zeros). */
  public static void spmm(CsrMatrix a, DenseRows x, DenseRows init, DenseRows out) {
    spmmInto(a, x, init, out, 1f, false);
  }

  /** out(i) += alpha·(init(i) + (a·x)(i)) for every row i of a (init null: zeros). */
  public static void spmmAddScaled(CsrMatrix a, DenseRows x, DenseRows init, float alpha, DenseRows out) {
    spmmInto(a, x, init, out, alpha, true);
  }

  /** Rows [from, to) of {@link #spmmAddScaled}, row i written to out at row i − from + outRow0. */
  public static void spmmAddScaledRows(
      CsrMatrix a, DenseRows x, DenseRows init, float alpha, int from, int to, float[] out, int outRow0) {
    int d = x.cols;
    float[] s = new float[d];
    for (int i = from; i < to; i++) {
      rowSum(a, x, init, i, s);
      int oi = (i - from + outRow0) * d;
      for (int t = 0; t < d; t++) {
        out[oi + t] = out[oi + t] + alpha * s[t];
      }
    }
  }

  private static void spmmInto(CsrMatrix a, DenseRows x, DenseRows init, DenseRows out, float alpha, boolean addScaled) {
    int d = out.cols;
    float[] s = new float[d];
    for (int i = 0; i < a.rows; i++) {
      rowSum(a, x, init, i, s);
      float[] o = out.arrayOf(i);
      int oi = out.offsetOf(i);
      for (int t = 0; t < d; t++) {
        o[oi + t] = addScaled ? o[oi + t] + alpha * s[t] : s[t];
      }
    }
  }

  /** s = init(i) (zero when absent) + (a·x)(i). */
  private static void rowSum(CsrMatrix a, DenseRows x, DenseRows init, int i, float[] s) {
    int d = s.length;
    int io = init == null ? -1 : init.offsetOf(i);
    if (io < 0) {
      Arrays.fill(s, 0f);
    } else {
      System.arraycopy(init.arrayOf(i), io, s, 0, d);
    }
    for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
      float v = a.values[q];
      float[] xa = x.arrayOf(a.colIdx[q]);
      int xj = x.offsetOf(a.colIdx[q]);
      for (int t = 0; t < d; t++) {
        s[t] += v * xa[xj + t];
      }
    }
  }

  /** One Adam update of x[off..off+n) with its gradient g and moments m, v (see {@link AdamStep}). */
  public static void adam(AdamStep s, float[] x, float[] g, float[] m, float[] v, int off, int n) {
    adam(s, x, g, off, m, v, off, n);
  }

  /** {@link #adam} with the gradient of element i at g[gOff + i − off]. */
  public static void adam(AdamStep s, float[] x, float[] g, int gOff, float[] m, float[] v, int off, int n) {
    for (int i = off; i < off + n; i++) {
      int gi0 = gOff + i - off;
      float gi = s.weightDecay() == 0f ? g[gi0] : g[gi0] + s.weightDecay() * x[i];
      m[i] = s.beta1() * m[i] + s.oneMinusBeta1() * gi;
      v[i] = s.beta2() * v[i] + s.oneMinusBeta2() * gi * gi;
      float denom = (float) Math.sqrt(v[i]) * s.invSqrtBc2() + s.eps();
      x[i] -= s.stepSize() * m[i] / denom;
      if (s.zeroGradient()) {
        g[gi0] = 0f;
      }
    }
  }

  /** out[r] = (a·x)(rows[r]) for r in [0, rows.length). */
  public static void spmmRows(CsrMatrix a, int[] rows, DenseRows x, float[] out) {
    int d = x.cols;
    for (int r = 0; r < rows.length; r++) {
      Arrays.fill(out, r * d, r * d + d, 0f);
      for (int q = a.rowPtr[rows[r]]; q < a.rowPtr[rows[r] + 1]; q++) {
        float v = a.values[q];
        float[] xa = x.arrayOf(a.colIdx[q]);
        int xj = x.offsetOf(a.colIdx[q]);
        for (int t = 0; t < d; t++) {
          out[r * d + t] += v * xa[xj + t];
        }
      }
    }
  }

  /** out(i) = x(i) + (a·x)(i) for a row-sparse x stored compactly (see {@link Kernels#spmmSparseInput}). */
  public static void spmmSparseInput(CsrMatrix a, int[] slotOf, float[] xc, int d, float[] out) {
    for (int i = 0; i < a.rows; i++) {
      for (int t = 0; t < d; t++) {
        float s = slotOf[i] < 0 ? 0f : xc[slotOf[i] * d + t];
        for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
          int slot = slotOf[a.colIdx[q]];
          if (slot >= 0) {
            s = Math.fma(a.values[q], xc[slot * d + t], s);
          }
        }
        out[i * d + t] = s;
      }
    }
  }

  /** out[j·d..+d) += Σ_k a(rows[k], j)·x[k·d..+d), scattering rows[k] of a for k ascending. */
  public static void spmmTransposedRows(CsrMatrix a, int[] rows, float[] x, int d, float[] out) {
    for (int k = 0; k < rows.length; k++) {
      for (int q = a.rowPtr[rows[k]]; q < a.rowPtr[rows[k] + 1]; q++) {
        float v = a.values[q];
        int o = a.colIdx[q] * d;
        for (int t = 0; t < d; t++) {
          out[o + t] += v * x[k * d + t];
        }
      }
    }
  }

  /** Σ a[i]·b[i] over [0, n). */
  public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    float s = 0f;
    for (int i = 0; i < n; i++) {
      s += a[aOff + i] * b[bOff + i];
    }
    return s;
  }

  /** y[yOff..] += alpha · x[xOff..] over n values. */
  public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }

  /** x[off..off+n) *= s. */
  public static void scale(float[] x, float s, int off, int n) {
    for (int i = 0; i < n; i++) {
      x[off + i] *= s;
    }
  }

  /** out[outOff+i] = a[aOff+i] + b[bOff+i] over n values (out may alias a or b at the same offset). */
  public static void add(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = a[aOff + i] + b[bOff + i];
    }
  }

  /** out[outOff+i] = a[aOff+i] · b[bOff+i] over n values (out may alias a or b at the same offset). */
  public static void mul(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = a[aOff + i] * b[bOff + i];
    }
  }

  /** out[outOff+i] += a[aOff+i] · b[bOff+i] over n values. */
  public static void mulAdd(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] += a[aOff + i] * b[bOff + i];
    }
  }

  /** Σ x[i]² over [off, off+n). */
  public static float sumOfSquares(float[] x, int off, int n) {
    float s = 0f;
    for (int i = 0; i < n; i++) {
      float v = x[off + i];
      s += v * v;
    }
    return s;
  }

  /** out[i] = Σ_t a[i·d+t]·b[i·d+t] for i in [0, m). */
  public static void rowDots(float[] a, float[] b, int m, int d, float[] out) {
    for (int i = 0; i < m; i++) {
      out[i] = dot(a, i * d, b, i * d, d);
    }
  }

  /** dst[idx[r]·d ..+d) += src[r·d ..+d) for r in [0, idx.length), in order of r. */
  public static void scatterAddRows(float[] src, int[] idx, float[] dst, int d) {
    for (int r = 0; r < idx.length; r++) {
      int s = r * d;
      int o = idx[r] * d;
      for (int t = 0; t < d; t++) {
        dst[o + t] += src[s + t];
      }
    }
  }

  /** The first index i in [from, to) with a[i] > t, or {@code to} when there is none. */
  public static int firstAbove(float[] a, int from, int to, float t) {
    for (int i = from; i < to; i++) {
      if (a[i] > t) {
        return i;
      }
    }
    return to;
  }
}
