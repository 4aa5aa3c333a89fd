package org.userec.tensor.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.userec.tensor.simd.TestData.DIMS;
import static org.userec.tensor.simd.TestData.LENGTHS;
import static org.userec.tensor.simd.TestData.assertClose;
import static org.userec.tensor.simd.TestData.assertSameBits;
import static org.userec.tensor.simd.TestData.random;
import static org.userec.tensor.simd.TestData.randomCsr;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.userec.graph.CsrMatrix;

/** Differential tests: every vector kernel against its scalar twin over awkward sizes. */
class VectorKernelsTest {
  private static final int OFF = 3;

  @FunctionalInterface
  interface Gemm {
    void run(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate);
  }

  private static void checkGemm(Gemm vector, Gemm scalar, String name, int[] ms, int[] ks, int[] ns) {
    Random rnd = new Random(42);
    for (int m : ms) {
      for (int k : ks) {
        for (int n : ns) {
          // operand sizes cover all three layouts (a: m×k, b: k×n or n×k; TN: a m×k, b m×n, c k×n)
          float[] a = random(rnd, m * k);
          float[] b = random(rnd, Math.max(k * n, m * n));
          int cLen = Math.max(m * n, k * n);
          for (boolean acc : new boolean[] {false, true}) {
            float[] c0 = random(rnd, cLen);
            float[] want = c0.clone();
            float[] got = c0.clone();
            scalar.run(a, b, want, m, k, n, acc);
            vector.run(a, b, got, m, k, n, acc);
            int depth = name.equals("gemmTN") ? m : k;
            assertClose(got, want, depth, name + " m=" + m + " k=" + k + " n=" + n + " acc=" + acc);
          }
        }
      }
    }
  }

  @Test
  void gemmNNMatchesScalar() {
    checkGemm(VectorKernels::gemmNN, ScalarKernels::gemmNN, "gemmNN", DIMS, DIMS, DIMS);
  }

  @Test
  void gemmNTMatchesScalar() {
    checkGemm(VectorKernels::gemmNT, ScalarKernels::gemmNT, "gemmNT", DIMS, DIMS, DIMS);
  }

  @Test
  void gemmTNMatchesScalar() {
    checkGemm(VectorKernels::gemmTN, ScalarKernels::gemmTN, "gemmTN", DIMS, DIMS, DIMS);
  }

  @Test
  void gemmDeepAndEmptyMatchScalar() {
    // k beyond one k-block, and the degenerate k = 0 (c := 0, or unchanged when accumulating)
    int[] ms = {5, 33};
    int[] ks = {0, 300, 513};
    int[] ns = {7, 40};
    checkGemm(VectorKernels::gemmNN, ScalarKernels::gemmNN, "gemmNN", ms, ks, ns);
    checkGemm(VectorKernels::gemmNT, ScalarKernels::gemmNT, "gemmNT", ms, ks, ns);
    checkGemm(VectorKernels::gemmTN, ScalarKernels::gemmTN, "gemmTN", new int[] {0, 300, 513}, new int[] {5, 33}, ns);
  }

  @Test
  void gemmEdgesOfEveryTileMatchScalar() {
    // sizes around the micro-tile (6 x 16), the L2 row block (144) and the k-block (256), all layouts
    int[] ms = {5, 6, 7, 143, 145};
    int[] ks = {1, 255, 257};
    int[] ns = {15, 16, 17, 33};
    checkGemm(VectorKernels::gemmNN, ScalarKernels::gemmNN, "gemmNN", ms, ks, ns);
    checkGemm(VectorKernels::gemmNT, ScalarKernels::gemmNT, "gemmNT", ms, ks, ns);
    checkGemm(VectorKernels::gemmTN, ScalarKernels::gemmTN, "gemmTN", ms, ks, ns);
  }

  @Test
  void maxMatchesScalar() {
    Random rnd = new Random(5);
    for (int n : LENGTHS) {
      float[] a = random(rnd, n + OFF);
      assertThat(VectorKernels.max(a, OFF, n)).as("max n=%d", n).isEqualTo(ScalarKernels.max(a, OFF, n));
      if (n > 0) {
        a[OFF + n - 1] = Float.NaN;
        assertThat(VectorKernels.max(a, OFF, n)).as("max with NaN n=%d", n).isNaN();
      }
    }
    assertThat(VectorKernels.max(new float[0], 0, 0)).isEqualTo(Float.NEGATIVE_INFINITY);
  }

  @Test
  void expShiftedIsBitIdenticalToScalar() {
    Random rnd = new Random(6);
    float[] special = {
      Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f, 0f, -87.5f, -88f, -100f, 88.3f, 88.5f, 1e-8f
    };
    for (int n : LENGTHS) {
      float[] x = new float[n + OFF];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rnd.nextGaussian() * 30);
      }
      for (int i = 0; i < Math.min(n, special.length); i++) {
        x[OFF + i * 7 % n] = special[i];
      }
      float[] want = new float[n + 2 * OFF];
      float[] got = new float[n + 2 * OFF];
      float sWant = ScalarKernels.expShifted(x, OFF, 0.7f, 1.5f, want, 2 * OFF, n);
      float sGot = VectorKernels.expShifted(x, OFF, 0.7f, 1.5f, got, 2 * OFF, n);
      assertSameBits(got, want, "expShifted n=" + n);
      if (Float.isFinite(sWant)) {
        assertClose(sGot, sWant, n, Math.abs(sWant), "expShifted sum n=" + n);
      } else {
        assertThat(Float.compare(sGot, sWant)).as("non-finite sum n=%d: %s vs %s", n, sGot, sWant).isZero();
      }
    }
  }

  @Test
  void expIsAccurateOverTheWholeFloatRange() {
    // every 101st float in [-90, 90]: relative error against the double exp where e^v is a normal float
    for (float sign : new float[] {-1f, 1f}) {
      for (int bits = 0; ; bits += 101) {
        float v = sign * Float.intBitsToFloat(bits);
        if (Math.abs(v) > 90f) {
          break;
        }
        double want = Math.exp(v);
        float got = ScalarKernels.exp(v);
        if (want >= Float.MIN_NORMAL && v < 88.37f) {
          assertThat(Math.abs(got - want) / want).as("exp(%s) = %s, want %s", v, got, want).isLessThan(2.5e-7);
        } else if (v < -88f) {
          assertThat(got).as("exp(%s)", v).isZero();
        } else if (v > 88.38f) {
          assertThat(got).as("exp(%s)", v).isEqualTo(Float.POSITIVE_INFINITY);
        } else {
          assertThat(got).as("exp(%s) in the subnormal or overflow edge", v).isBetween(0f, Float.POSITIVE_INFINITY);
        }
      }
    }
    assertThat(ScalarKernels.exp(0f)).isEqualTo(1f);
    assertThat(ScalarKernels.exp(Float.NaN)).isNaN();
    assertThat(ScalarKernels.exp(Float.NEGATIVE_INFINITY)).isZero();
    assertThat(ScalarKernels.exp(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
  }

  @Test
  void spmmMatchesScalar() {
    Random rnd = new Random(7);
    int[] ds = {1, 3, 7, 8, 15, 16, 17, 63, 64, 65, 128};
    for (int rows : DIMS) {
      CsrMatrix a = randomCsr(rnd, rows, 70, 5);
      int[] pick = new int[rows + 2];
      for (int r = 0; r < pick.length; r++) {
        pick[r] = rnd.nextInt(rows);
      }
      for (int d : ds) {
        float[] x = random(rnd, 70 * d);
        for (boolean acc : new boolean[] {false, true}) {
          float[] o0 = random(rnd, rows * d);
          float[] want = o0.clone();
          float[] got = o0.clone();
          ScalarKernels.spmm(a, x, d, want, acc);
          VectorKernels.spmm(a, x, d, got, acc);
          assertClose(got, want, 8, "spmm rows=" + rows + " d=" + d + " acc=" + acc);

          float[] p0 = random(rnd, pick.length * d);
          float[] pWant = p0.clone();
          float[] pGot = p0.clone();
          ScalarKernels.spmmRows(a, pick, x, d, pWant, acc);
          VectorKernels.spmmRows(a, pick, x, d, pGot, acc);
          assertClose(pGot, pWant, 8, "spmmRows rows=" + rows + " d=" + d + " acc=" + acc);
        }
      }
    }
  }

  /** Splits x (rows×d) into stacked blocks at the given row boundaries (an empty block included on purpose). */
  static DenseRows split(float[] x, int d, int... at) {
    float[][] blocks = new float[at.length + 1][];
    int from = 0;
    for (int b = 0; b <= at.length; b++) {
      int to = b < at.length ? at[b] : x.length / d;
      blocks[b] = java.util.Arrays.copyOfRange(x, from * d, to * d);
      from = to;
    }
    return DenseRows.stacked(d, blocks);
  }

  /** A row-sparse copy of x: about half the rows stored compactly, the others zero (also in dense). */
  static DenseRows sparse(Random rnd, float[] x, int rows, int d, float[] dense) {
    int[] rowOf = new int[rows];
    int stored = 0;
    for (int i = 0; i < rows; i++) {
      rowOf[i] = rnd.nextBoolean() ? stored++ : -1;
    }
    float[] compact = new float[stored * d];
    for (int i = 0; i < rows; i++) {
      if (rowOf[i] < 0) {
        java.util.Arrays.fill(dense, i * d, i * d + d, 0f);
      } else {
        System.arraycopy(x, i * d, compact, rowOf[i] * d, d);
        System.arraycopy(x, i * d, dense, i * d, d);
      }
    }
    return DenseRows.remapped(compact, rowOf, d);
  }

  /** The rows of r as one array (what the kernels must behave as if they read or wrote). */
  static float[] dense(DenseRows r) {
    float[] out = new float[r.rows() * r.cols()];
    for (int i = 0; i < r.rows(); i++) {
      int off = r.offsetOf(i);
      if (off >= 0) {
        System.arraycopy(r.arrayOf(i), off, out, i * r.cols(), r.cols());
      }
    }
    return out;
  }

  @Test
  void spmmWithInitialValuesAndStackedOutputMatchesScalar() {
    Random rnd = new Random(8);
    int[] ds = {1, 3, 7, 8, 15, 16, 17, 63, 64, 65, 128};
    for (int rows : new int[] {1, 3, 17, 65, 130}) {
      int cols = 70;
      CsrMatrix a = randomCsr(rnd, rows, cols, 5);
      int[] cut = {rows / 3, rows / 3, (2 * rows) / 3}; // three boundaries, one empty block
      for (int d : ds) {
        float[] x = random(rnd, cols * d);
        float[] stackedInit = random(rnd, rows * d);
        float[] sparseInit = new float[rows * d];
        DenseRows remapped = sparse(rnd, random(rnd, rows * d), rows, d, sparseInit);
        // x as one array, and as two blocks split before, inside and after the columns
        DenseRows[] inputs = {DenseRows.of(x, d), split(x, d, 0), split(x, d, 31), split(x, d, cols)};
        for (DenseRows xr : inputs) {
          for (DenseRows in : new DenseRows[] {null, split(stackedInit, d, cut), remapped}) {
            String what = "rows=" + rows + " d=" + d + " x=" + xr + " init=" + in;
            float[] want = random(rnd, rows * d);
            DenseRows got = split(want, d, cut);
            ScalarKernels.spmm(a, xr, in, DenseRows.of(want, d));
            VectorKernels.spmm(a, xr, in, got);
            assertClose(dense(got), want, 8, "spmm " + what);

            float[] base = random(rnd, rows * d);
            float[] wantAdd = base.clone();
            DenseRows gotAdd = split(base, d, cut);
            ScalarKernels.spmmAddScaled(a, xr, in, 0.75f, DenseRows.of(wantAdd, d));
            VectorKernels.spmmAddScaled(a, xr, in, 0.75f, gotAdd);
            assertClose(dense(gotAdd), wantAdd, 8, "spmmAddScaled " + what);
          }
          int[] pick = {rows - 1, 0, rows / 2, rows - 1};
          float[] pWant = new float[pick.length * d];
          float[] pGot = new float[pick.length * d];
          ScalarKernels.spmmRows(a, pick, xr, pWant);
          VectorKernels.spmmRows(a, pick, xr, pGot);
          assertClose(pGot, pWant, 8, "spmmRows rows=" + rows + " d=" + d + " x=" + xr);
          // two blocks read exactly what one array holds
          float[] fromArray = new float[rows * d];
          float[] fromBlocks = new float[rows * d];
          VectorKernels.spmm(a, x, d, fromArray, false);
          VectorKernels.spmm(a, xr, null, DenseRows.of(fromBlocks, d));
          assertSameBits(fromBlocks, fromArray, "blocks " + xr + " rows=" + rows + " d=" + d);
        }
        // exact relations: a remapped init starts the chains from what its dense twin holds; init = out is
        // the accumulate mode; a picked row is the very row of the full product
        float[] fromDense = random(rnd, rows * d);
        float[] viaAccumulate = sparseInit.clone();
        VectorKernels.spmm(a, x, d, viaAccumulate, true);
        VectorKernels.spmm(a, DenseRows.of(x, d), remapped, DenseRows.of(fromDense, d));
        assertSameBits(fromDense, viaAccumulate, "remapped init rows=" + rows + " d=" + d);
        float[] full = new float[rows * d];
        VectorKernels.spmm(a, x, d, full, false);
        int[] pick = {rows - 1, 0, rows / 2, rows - 1};
        float[] picked = new float[pick.length * d];
        VectorKernels.spmmRows(a, pick, x, d, picked, false);
        for (int r = 0; r < pick.length; r++) {
          assertSameBits(
              java.util.Arrays.copyOfRange(picked, r * d, r * d + d),
              java.util.Arrays.copyOfRange(full, pick[r] * d, pick[r] * d + d),
              "spmmRows row " + pick[r] + " rows=" + rows + " d=" + d);
        }
        // addScaled rounds the product before adding: the bits of a separate scale and add
        float[] base = random(rnd, rows * d);
        float[] fused = base.clone();
        VectorKernels.spmmAddScaled(a, DenseRows.of(x, d), remapped, 0.3f, DenseRows.of(fused, d));
        float[] stepwise = base.clone();
        for (int k = 0; k < stepwise.length; k++) {
          stepwise[k] += viaAccumulate[k] * 0.3f;
        }
        assertSameBits(fused, stepwise, "addScaled rows=" + rows + " d=" + d);
      }
    }
  }

  @Test
  void spmmTransposedRowsMatchesScalarAndTheTransposedGather() {
    Random rnd = new Random(9);
    int[] ds = {1, 3, 7, 8, 15, 16, 17, 63, 64, 65, 128};
    for (int rows : new int[] {1, 3, 17, 65, 130}) {
      int cols = 70;
      CsrMatrix a = randomCsr(rnd, rows, cols, 5);
      int[] picked = java.util.stream.IntStream.range(0, rows).filter(i -> i % 3 != 1).toArray(); // ascending
      for (int d : ds) {
        float[] x = random(rnd, picked.length * d);
        float[] out0 = random(rnd, cols * d);
        float[] want = out0.clone();
        float[] got = out0.clone();
        ScalarKernels.spmmTransposedRows(a, picked, x, d, want);
        VectorKernels.spmmTransposedRows(a, picked, x, d, got);
        assertClose(got, want, 8, "spmmTransposedRows rows=" + rows + " d=" + d);
        // the same bits as gathering through the transpose from the dense x (zero outside the picked rows)
        float[] dense = new float[rows * d];
        for (int k = 0; k < picked.length; k++) {
          System.arraycopy(x, k * d, dense, picked[k] * d, d);
        }
        float[] gathered = out0.clone();
        VectorKernels.spmm(a.transpose(), dense, d, gathered, true);
        assertSameBits(got, gathered, "spmmTransposedRows vs transpose rows=" + rows + " d=" + d);
      }
    }
  }

  @Test
  void adamMatchesScalarBitForBit() {
    Random rnd = new Random(5);
    for (int n : LENGTHS) {
      for (float wd : new float[] {0f, 1e-2f}) {
        for (boolean zero : new boolean[] {false, true}) {
          AdamStep s = new AdamStep(0.9f, 0.1f, 0.999f, 0.001f, wd, 1.3e-3f, 1.02f, 1e-8f, zero);
          float[] x = random(rnd, n + 2 * OFF);
          float[] g = random(rnd, n + 2 * OFF);
          float[] m = random(rnd, n + 2 * OFF);
          float[] v = random(rnd, n + 2 * OFF);
          for (int k = 0; k < v.length; k++) {
            v[k] = Math.abs(v[k]) * (k % 5 == 0 ? 1e-12f : 1f); // also second moments far below eps²
          }
          float[] x2 = x.clone();
          float[] g2 = g.clone();
          float[] m2 = m.clone();
          float[] v2 = v.clone();
          ScalarKernels.adam(s, x, g, m, v, OFF, n);
          VectorKernels.adam(s, x2, g2, m2, v2, OFF, n);
          String what = "adam n=" + n + " wd=" + wd + " zero=" + zero;
          assertSameBits(x2, x, what + " parameter");
          assertSameBits(m2, m, what + " first moment");
          assertSameBits(v2, v, what + " second moment");
          assertSameBits(g2, g, what + " gradient");
          if (zero && n > 0) {
            assertThat(g2[OFF]).isZero();
            assertThat(g2[OFF + n - 1]).isZero();
            assertThat(g2[OFF - 1]).isNotZero(); // outside the range: untouched
          }
        }
      }
    }
  }

  @Test
  void dotAndSumOfSquaresMatchScalar() {
    Random rnd = new Random(1);
    for (int n : LENGTHS) {
      float[] a = random(rnd, n + OFF);
      float[] b = random(rnd, n + 2 * OFF);
      assertClose(VectorKernels.dot(a, OFF, b, 2 * OFF, n), ScalarKernels.dot(a, OFF, b, 2 * OFF, n), n, 1, "dot n=" + n);
      assertClose(
          VectorKernels.sumOfSquares(a, OFF, n), ScalarKernels.sumOfSquares(a, OFF, n), n, n, "sumOfSquares n=" + n);
    }
    assertThat(VectorKernels.dot(new float[0], 0, new float[0], 0, 0)).isZero();
  }

  @Test
  void firstAboveMatchesScalar() {
    Random rnd = new Random(3);
    for (int n : LENGTHS) {
      float[] a = random(rnd, n + OFF);
      for (float t : new float[] {Float.NEGATIVE_INFINITY, -0.5f, 0.9f, 2f, Float.NaN}) {
        for (int from : new int[] {0, Math.min(n, 5)}) {
          assertThat(VectorKernels.firstAbove(a, OFF + from, OFF + n, t))
              .as("n=%d t=%s from=%d", n, t, from)
              .isEqualTo(ScalarKernels.firstAbove(a, OFF + from, OFF + n, t));
        }
      }
      if (n > 0) {
        // a single passing value at every position, including vector tails
        float[] z = new float[n];
        for (int p = 0; p < n; p++) {
          z[p] = 1f;
          assertThat(VectorKernels.firstAbove(z, 0, n, 0.5f)).isEqualTo(p);
          z[p] = 0f;
        }
        assertThat(VectorKernels.firstAbove(z, 0, n, 0f)).isEqualTo(n);
      }
    }
  }

  @Test
  void rowDotsMatchScalar() {
    Random rnd = new Random(2);
    for (int m : new int[] {1, 3, 17}) {
      for (int d : LENGTHS) {
        float[] a = random(rnd, m * d);
        float[] b = random(rnd, m * d);
        float[] want = new float[m];
        float[] got = new float[m];
        ScalarKernels.rowDots(a, b, m, d, want);
        VectorKernels.rowDots(a, b, m, d, got);
        assertClose(got, want, d, "rowDots m=" + m + " d=" + d);
      }
    }
  }

  @Test
  void elementwiseKernelsMatchScalar() {
    Random rnd = new Random(3);
    for (int n : LENGTHS) {
      float[] a = random(rnd, n + OFF);
      float[] b = random(rnd, n + OFF);
      float[] y = random(rnd, n + 2 * OFF);

      float[] want = y.clone();
      float[] got = y.clone();
      ScalarKernels.axpy(0.37f, a, OFF, want, 2 * OFF, n);
      VectorKernels.axpy(0.37f, a, OFF, got, 2 * OFF, n);
      assertClose(got, want, 1, "axpy n=" + n);

      want = y.clone();
      got = y.clone();
      ScalarKernels.scale(want, -1.7f, OFF, n);
      VectorKernels.scale(got, -1.7f, OFF, n);
      assertSameBits(got, want, "scale n=" + n);

      want = y.clone();
      got = y.clone();
      ScalarKernels.add(a, OFF, b, 0, want, 2 * OFF, n);
      VectorKernels.add(a, OFF, b, 0, got, 2 * OFF, n);
      assertSameBits(got, want, "add n=" + n);

      want = y.clone();
      got = y.clone();
      ScalarKernels.mul(a, OFF, b, 0, want, 2 * OFF, n);
      VectorKernels.mul(a, OFF, b, 0, got, 2 * OFF, n);
      assertSameBits(got, want, "mul n=" + n);

      want = y.clone();
      got = y.clone();
      ScalarKernels.mulAdd(a, OFF, b, 0, want, 2 * OFF, n);
      VectorKernels.mulAdd(a, OFF, b, 0, got, 2 * OFF, n);
      assertClose(got, want, 1, "mulAdd n=" + n);
    }
  }

  @Test
  void scatterAddRowsIsExact() {
    Random rnd = new Random(4);
    for (int d : LENGTHS) {
      int dstRows = 9;
      int count = 25;
      int[] idx = new int[count];
      for (int r = 0; r < count; r++) {
        idx[r] = rnd.nextInt(dstRows);
      }
      float[] src = random(rnd, count * d);
      float[] dst = random(rnd, dstRows * d);
      float[] want = dst.clone();
      float[] got = dst.clone();
      ScalarKernels.scatterAddRows(src, idx, want, d);
      VectorKernels.scatterAddRows(src, idx, got, d);
      assertSameBits(got, want, "scatterAddRows d=" + d);
    }
  }
}
