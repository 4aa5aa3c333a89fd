package org.userec.features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_MT_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.userec.BadInputException;
import org.userec.data.FeatureTable;
import org.userec.data.NpyReader;
import org.userec.data.NpyWriter;

/**
 * Principal component analysis, as scikit-learn's {@code PCA(n_components=k)} computes it: centre the columns,
 * project onto the top-k eigenvectors of the covariance, no whitening. Eigen-decomposition by EJML in double
 * precision: of the d×d covariance (accumulated over row blocks, so the data are never copied whole) when
 * d ≤ n, else of the n×n Gram matrix (components v = Xᵀu/√λ).
 *
 * <p>Each component's sign is fixed so that its largest-magnitude coefficient is positive, so results are
 * deterministic across runs and platforms.
 *
 * @param mean column means (d)
 * @param components k rows of d, unit length, by decreasing variance
 * @param variance the variance along each component (eigenvalue / (n-1))
 * @param totalVariance the sum of the column variances
 */
public record Pca(double[] mean, double[][] components, double[] variance, double totalVariance) {
  private static final int BLOCK = 1024;

  public int inputDims() {
    return mean.length;
  }

  public int outputDims() {
    return components.length;
  }

  /** The fraction of the total variance each component explains. */
  public double[] explainedVarianceRatio() {
    double[] r = new double[variance.length];
    for (int k = 0; k < r.length; k++) {
      r[k] = totalVariance > 0 ? variance[k] / totalVariance : 0;
    }
    return r;
  }

  /** The fraction of the total variance the kept components explain together. */
  public double explained() {
    return Arrays.stream(explainedVarianceRatio()).sum();
  }

  /** Fits k components to n rows of d (row-major floats). */
  public static Pca fit(float[] x, int n, int d, int k) {
    if ((long) n * d != x.length) {
      throw new IllegalArgumentException("shape " + n + "x" + d + " does not match " + x.length + " values");
    }
    if (n == 0) {
      throw new BadInputException("PCA input has no rows (shape 0 x " + d + "); give a feature file with one row per item");
    }
    if (k < 1 || k > Math.min(n, d)) {
      throw new BadInputException("PCA to " + k + " dimensions needs 1 <= dims <= min(rows, cols) = " + Math.min(n, d) + " (input " + n + " x " + d
          + "); choose " + (k < 1 ? "a --dims of at least 1" : "a --dims of at most " + Math.min(n, d)));
    }
    double[] mean = new double[d];
    for (int r = 0; r < n; r++) {
      int o = r * d;
      for (int c = 0; c < d; c++) {
        mean[c] += x[o + c];
      }
    }
    for (int c = 0; c < d; c++) {
      mean[c] /= n;
    }
    double denom = Math.max(1, n - 1);
    double total = 0;
    double[][] comps = new double[k][];
    double[] var = new double[k];
    if (d <= n) {
      DMatrixRMaj cov = new DMatrixRMaj(d, d);
      for (int r0 = 0; r0 < n; r0 += BLOCK) {
        DMatrixRMaj b = centred(x, d, mean, r0, Math.min(n, r0 + BLOCK));
        CommonOps_MT_DDRM.multAddTransA(b, b, cov);
      }
      for (int c = 0; c < d; c++) {
        total += cov.get(c, c) / denom;
      }
      Eig e = eig(cov, k);
      for (int j = 0; j < k; j++) {
        comps[j] = e.vectors[j];
        var[j] = Math.max(0, e.values[j]) / denom;
      }
    } else {
      DMatrixRMaj xc = centred(x, d, mean, 0, n);
      DMatrixRMaj gram = new DMatrixRMaj(n, n);
      CommonOps_MT_DDRM.multTransB(xc, xc, gram);
      for (int r = 0; r < n; r++) {
        total += gram.get(r, r) / denom;
      }
      Eig e = eig(gram, k);
      for (int j = 0; j < k; j++) {
        double lambda = Math.max(0, e.values[j]);
        double[] v = new double[d];
        double[] u = e.vectors[j];
        for (int r = 0; r < n; r++) {
          double ur = u[r];
          if (ur == 0) {
            continue;
          }
          int o = r * d;
          for (int c = 0; c < d; c++) {
            v[c] += ur * xc.data[o + c];
          }
        }
        double norm = Math.sqrt(dot(v, v));
        if (norm > 0) {
          for (int c = 0; c < d; c++) {
            v[c] /= norm;
          }
        }
        comps[j] = v;
        var[j] = lambda / denom;
      }
    }
    for (double[] v : comps) {
      fixSign(v);
    }
    return new Pca(mean, comps, var, total);
  }

  /** Projects n rows of d onto the components: n rows of k floats. */
  public float[] transform(float[] x, int n) {
    int d = inputDims();
    int k = outputDims();
    if ((long) n * d != x.length) {
      throw new IllegalArgumentException("shape " + n + "x" + d + " does not match " + x.length + " values");
    }
    DMatrixRMaj w = new DMatrixRMaj(d, k);
    for (int j = 0; j < k; j++) {
      for (int c = 0; c < d; c++) {
        w.unsafe_set(c, j, components[j][c]);
      }
    }
    float[] out = new float[n * k];
    DMatrixRMaj y = new DMatrixRMaj(1, 1);
    for (int r0 = 0; r0 < n; r0 += BLOCK) {
      int r1 = Math.min(n, r0 + BLOCK);
      DMatrixRMaj b = centred(x, d, mean, r0, r1);
      y.reshape(r1 - r0, k);
      CommonOps_MT_DDRM.mult(b, w, y);
      for (int i = 0, m = y.getNumElements(); i < m; i++) {
        out[r0 * k + i] = (float) y.data[i];
      }
    }
    return out;
  }

  /** Reads any 2-D .npy, fits PCA to {@code dims}, writes float32 {@code out}; logs the explained variance. */
  public static Pca run(Path in, Path out, int dims, Consumer<String> log) {
    FeatureTable t = NpyReader.read(in);
    long t0 = System.nanoTime();
    Pca p = fit(t.data(), t.rows(), t.cols(), dims);
    float[] y = p.transform(t.data(), t.rows());
    try {
      NpyWriter.writeFloat32(out, t.rows(), dims, y);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
    }
    log.accept(p.describe(t.rows()) + String.format(Locale.ROOT, "; wrote %s in %.1fs", out, (System.nanoTime() - t0) / 1e9));
    return p;
  }

  /** "PCA 4096 -> 768 over 7,050 rows: explained variance 0.9123 (first 5: ...)". */
  public String describe(int rows) {
    double[] r = explainedVarianceRatio();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "PCA %d -> %d over %,d rows: explained variance ratio %.4f (first components:", inputDims(), outputDims(), rows, explained()));
    for (int j = 0; j < Math.min(5, r.length); j++) {
      b.append(String.format(Locale.ROOT, " %.4f", r[j]));
    }
    return b.append(')').toString();
  }

  private record Eig(double[] values, double[][] vectors) {}

  /** The top-k eigenpairs of a symmetric matrix, by decreasing eigenvalue. */
  private static Eig eig(DMatrixRMaj m, int k) {
    int size = m.numRows;
    EigenDecomposition_F64<DMatrixRMaj> dec = DecompositionFactory_DDRM.eig(size, true, true);
    if (!dec.decompose(m)) {
      throw new IllegalStateException("eigen-decomposition of the " + size + "x" + size + " matrix did not converge");
    }
    Integer[] order = new Integer[dec.getNumberOfEigenvalues()];
    double[] values = new double[order.length];
    for (int j = 0; j < order.length; j++) {
      Complex_F64 v = dec.getEigenvalue(j);
      values[j] = v.real;
      order[j] = j;
    }
    Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    double[] top = new double[k];
    double[][] vecs = new double[k][];
    for (int j = 0; j < k; j++) {
      top[j] = values[order[j]];
      DMatrixRMaj v = dec.getEigenVector(order[j]);
      vecs[j] = Arrays.copyOf(v.data, size);
      double norm = Math.sqrt(dot(vecs[j], vecs[j]));
      for (int c = 0; c < size; c++) {
        vecs[j][c] /= norm;
      }
    }
    return new Eig(top, vecs);
  }

  private static DMatrixRMaj centred(float[] x, int d, double[] mean, int r0, int r1) {
    DMatrixRMaj b = new DMatrixRMaj(r1 - r0, d);
    for (int r = r0; r < r1; r++) {
      int o = r * d;
      int p = (r - r0) * d;
      for (int c = 0; c < d; c++) {
        b.data[p + c] = x[o + c] - mean[c];
      }
    }
    return b;
  }

  private static void fixSign(double[] v) {
    int arg = 0;
    for (int c = 1; c < v.length; c++) {
      if (Math.abs(v[c]) > Math.abs(v[arg])) {
        arg = c;
      }
    }
    if (v[arg] < 0) {
      for (int c = 0; c < v.length; c++) {
        v[c] = -v[c];
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * b[k];
    }
    return s;
  }
}
