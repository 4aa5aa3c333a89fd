package org.userec.tensor.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Random;
import org.userec.graph.CsrMatrix;

/** Seeded random inputs and tolerant comparisons for the kernel tests. */
final class TestData {
  static final int[] LENGTHS = {1, 3, 7, 8, 15, 16, 17, 63, 64, 65, 4099};
  static final int[] DIMS = {1, 3, 17, 64, 65, 130};

  private TestData() {}

  static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextFloat() * 2f - 1f;
    }
    return x;
  }

  /** A random CSR matrix with about {@code perRow} entries per row (some rows empty). */
  static CsrMatrix randomCsr(Random rnd, int rows, int cols, int perRow) {
    int nnz = rows * perRow;
    int[] r = new int[nnz];
    int[] c = new int[nnz];
    float[] v = new float[nnz];
    for (int q = 0; q < nnz; q++) {
      r[q] = rnd.nextInt(rows);
      c[q] = rnd.nextInt(cols);
      v[q] = rnd.nextFloat() * 2f - 1f;
    }
    return CsrMatrix.fromCoo(rows, cols, r, c, v);
  }

  /** Asserts |actual − expected| ≤ 1e-5 · depth · max(1, max|expected|) element-wise. */
  static void assertClose(float[] actual, float[] expected, int depth, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    float scale = 1f;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    double tol = 1e-5 * Math.max(1, depth) * scale;
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
        fail("%s: element %d is %s, expected %s (tolerance %s)", what, i, actual[i], expected[i], tol);
      }
    }
  }

  /** Asserts bit-identical arrays (linear time, reports the first difference). */
  static void assertSameBits(float[] actual, float[] expected, String what) {
    assertThat(actual.length).as(what + ": length").isEqualTo(expected.length);
    int i = java.util.Arrays.mismatch(actual, expected);
    if (i >= 0) {
      fail("%s: element %d is %s, expected exactly %s", what, i, actual[i], expected[i]);
    }
  }

  static void assertClose(float actual, float expected, int depth, double scale, String what) {
    double tol = 1e-5 * Math.max(1, depth) * Math.max(1, scale);
    assertThat((double) actual).as(what).isCloseTo(expected, org.assertj.core.data.Offset.offset(tol));
  }
}
