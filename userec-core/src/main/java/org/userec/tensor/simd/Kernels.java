package org.userec.tensor.simd;

import org.userec.graph.CsrMatrix;

/**
 * The numeric kernels every op and model relies on. All arrays are row-major. Every kernel here has a scalar
 * twin with the same contract (differentially tested); this facade picks the vectorised one when {@code
 * jdk.incubator.vector} is available and splits rows across cores.
 *
 * <p>Results must not depend on the number of threads: work is split by rows, and any reduction across rows
 * uses fixed chunk boundaries.
 *
 * <p>TODO(kernels helper): replace these scalar bodies with vectorised, parallel ones.
 */
public final class Kernels {
  private Kernels() {}

  /** c[m×n] (+)= a[m×k] · b[k×n]. */
  public static void gemmNN(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ci = i * n;
      if (!accumulate) {
        java.util.Arrays.fill(c, ci, ci + n, 0f);
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
      java.util.Arrays.fill(c, 0, k * n, 0f);
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

  /** out[a.rows×d] (+)= a · x[a.cols×d]. */
  public static void spmm(CsrMatrix a, float[] x, int d, float[] out, boolean accumulate) {
    for (int i = 0; i < a.rows; i++) {
      int oi = i * d;
      if (!accumulate) {
        java.util.Arrays.fill(out, oi, oi + d, 0f);
      }
      for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
        float v = a.values[q];
        int xj = a.colIdx[q] * d;
        for (int t = 0; t < d; t++) {
          out[oi + t] += v * x[xj + t];
        }
      }
    }
  }

  /** out[rows.length×d] (+)= (a · x) restricted to the given rows of a. */
  public static void spmmRows(CsrMatrix a, int[] rows, float[] x, int d, float[] out, boolean accumulate) {
    for (int r = 0; r < rows.length; r++) {
      int i = rows[r];
      int oi = r * d;
      if (!accumulate) {
        java.util.Arrays.fill(out, oi, oi + d, 0f);
      }
      for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
        float v = a.values[q];
        int xj = a.colIdx[q] * d;
        for (int t = 0; t < d; t++) {
          out[oi + t] += v * x[xj + t];
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
}
