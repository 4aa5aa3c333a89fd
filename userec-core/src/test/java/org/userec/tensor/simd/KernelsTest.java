package org.userec.tensor.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.userec.tensor.simd.TestData.assertClose;
import static org.userec.tensor.simd.TestData.assertSameBits;
import static org.userec.tensor.simd.TestData.random;
import static org.userec.tensor.simd.TestData.randomCsr;

import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.userec.graph.CsrMatrix;
import org.userec.util.Parallel;

/** The facade: correct on sizes large enough to run in parallel, and bit-identical for 1 and 2 threads. */
class KernelsTest {
  private int threadsBefore;

  @BeforeEach
  void remember() {
    threadsBefore = Parallel.threads();
  }

  @AfterEach
  void restore() {
    Parallel.setThreads(threadsBefore);
  }

  /** Runs the computation with 1 and then 2 threads; asserts identical bits; returns the result. */
  private static float[] sameWithOneAndTwoThreads(String what, Supplier<float[]> run) {
    Parallel.setThreads(1);
    float[] one = run.get();
    Parallel.setThreads(2);
    float[] two = run.get();
    assertSameBits(two, one, what + ": 2 threads vs 1");
    return two;
  }

  @Test
  void vectorKernelsAreInUse() {
    assertThat(Kernels.vectorized()).as(Kernels.describe()).isTrue();
  }

  @Test
  void gemmIsThreadIndependentAndCorrect() {
    Random rnd = new Random(11);
    int[][] shapes = {{300, 64, 1100}, {70, 300, 130}, {1030, 17, 65}};
    for (int[] s : shapes) {
      int m = s[0];
      int k = s[1];
      int n = s[2];
      float[] a = random(rnd, m * k);
      float[] bNN = random(rnd, k * n);
      float[] bNT = random(rnd, n * k);
      float[] bTN = random(rnd, m * n);
      float[] c0 = random(rnd, m * n);
      String shape = " " + m + "x" + k + "x" + n;

      float[] nn = sameWithOneAndTwoThreads("gemmNN" + shape, () -> {
        float[] c = c0.clone();
        Kernels.gemmNN(a, bNN, c, m, k, n, true);
        return c;
      });
      float[] want = c0.clone();
      ScalarKernels.gemmNN(a, bNN, want, m, k, n, true);
      assertClose(nn, want, k, "gemmNN" + shape);

      float[] nt = sameWithOneAndTwoThreads("gemmNT" + shape, () -> {
        float[] c = new float[m * n];
        Kernels.gemmNT(a, bNT, c, m, k, n, false);
        return c;
      });
      want = new float[m * n];
      ScalarKernels.gemmNT(a, bNT, want, m, k, n, false);
      assertClose(nt, want, k, "gemmNT" + shape);

      float[] tn = sameWithOneAndTwoThreads("gemmTN" + shape, () -> {
        float[] c = new float[k * n];
        Kernels.gemmTN(a, bTN, c, m, k, n, false);
        return c;
      });
      want = new float[k * n];
      ScalarKernels.gemmTN(a, bTN, want, m, k, n, false);
      assertClose(tn, want, m, "gemmTN" + shape);
    }
  }

  @Test
  void rowBlockProductsAreCompleteThreadIndependentAndCorrect() {
    Random rnd = new Random(16);
    // m around the row block (24) and the micro-tile (6), n around a sliver (16), k beyond one k-block (256)
    int[][] shapes = {{1, 3, 5}, {23, 17, 33}, {24, 64, 16}, {25, 300, 17}, {130, 257, 40}};
    for (int[] sh : shapes) {
      int m = sh[0];
      int k = sh[1];
      int n = sh[2];
      String shape = " " + m + "x" + k + "x" + n;
      float[] a = random(rnd, m * k);
      float[] b = random(rnd, n * k);
      float[] b2 = random(rnd, n * k);
      // c = a·bᵀ by row blocks; each block, once complete, doubled by the callback and multiplied by b2 (n×k)
      float[] got = sameWithOneAndTwoThreads("row blocks" + shape, () -> {
        float[] c = new float[m * n];
        float[] t = new float[m * k];
        int[] seen = new int[m];
        try (Kernels.RowProduct ct = Kernels.rowProduct(c, b2, t, m, n, k)) {
          Kernels.gemmNT(a, b, c, m, k, n, (from, to) -> {
            assertThat(from % Kernels.ROW_BLOCK).isZero();
            for (int r = from; r < to; r++) {
              seen[r]++;
              Kernels.scale(c, 2f, r * n, n);
            }
            ct.rows(from, to);
          });
        }
        assertThat(seen).as("every row once" + shape).containsOnly(1);
        float[] both = java.util.Arrays.copyOf(c, m * n + m * k);
        System.arraycopy(t, 0, both, m * n, m * k);
        return both;
      });
      float[] want = new float[m * n];
      ScalarKernels.gemmNT(a, b, want, m, k, n, false);
      ScalarKernels.scale(want, 2f, 0, m * n);
      float[] wantT = new float[m * k];
      ScalarKernels.gemmNN(want, b2, wantT, m, n, k, false);
      assertClose(java.util.Arrays.copyOf(got, m * n), want, k, "gemmNT by row blocks" + shape);
      assertClose(java.util.Arrays.copyOfRange(got, m * n, m * n + m * k), wantT, k * n, "row product" + shape);
    }
    // the scalar twin of a row product (used when the vector kernels are off): the same rows as a whole product
    float[] x = random(rnd, 29 * 7);
    float[] y = random(rnd, 7 * 5);
    float[] whole = new float[29 * 5];
    ScalarKernels.gemmNN(x, y, whole, 29, 7, 5, false);
    float[] byRows = random(rnd, 29 * 5);
    ScalarKernels.gemmNNRows(x, y, byRows, 7, 5, 0, 24);
    ScalarKernels.gemmNNRows(x, y, byRows, 7, 5, 24, 29);
    assertSameBits(byRows, whole, "ScalarKernels.gemmNNRows");
    try (Kernels.RowProduct bad = Kernels.rowProduct(new float[60 * 4], new float[4 * 4], new float[60 * 4], 60, 4, 4)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> bad.rows(5, 24))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("whole blocks");
    }
  }

  @Test
  void gemmFlopsCountEachProductOnceWhicheverEntryRunsIt() {
    Random rnd = new Random(23);
    int m = 30;
    int k = 7;
    int n = 50;
    float[] a = random(rnd, m * k);
    float[] b = random(rnd, k * n);
    float[] bt = random(rnd, n * k);
    float[] c = new float[m * n];
    long per = 2L * m * k * n;
    long f0 = Kernels.gemmFlops();
    Kernels.gemmNN(a, b, c, m, k, n, false);
    assertThat(Kernels.gemmFlops() - f0).isEqualTo(per);
    Kernels.gemmNT(a, bt, c, m, k, n, true);
    Kernels.gemmTN(random(rnd, m * n), c, new float[n * n], m, n, n, false); // 2·m·n·n
    assertThat(Kernels.gemmFlops() - f0).isEqualTo(2 * per + 2L * m * n * n);
    long f1 = Kernels.gemmFlops();
    Kernels.gemmNT(a, bt, c, m, k, n, (from, to) -> {});
    assertThat(Kernels.gemmFlops() - f1).isEqualTo(per);
    long f2 = Kernels.gemmFlops();
    try (Kernels.RowProduct p = Kernels.rowProduct(a, b, c, m, k, n)) {
      p.rows(0, Kernels.ROW_BLOCK);
      p.rows(Kernels.ROW_BLOCK, m);
    }
    assertThat(Kernels.gemmFlops() - f2).isEqualTo(per);
    Kernels.Constant cx = new Kernels.Constant(a, m, k);
    long f3 = Kernels.gemmFlops();
    Kernels.gemmNN(cx, b, c, n, false);
    Kernels.gemmTN(cx, c, new float[k * n], n, false);
    assertThat(Kernels.gemmFlops() - f3).isEqualTo(2 * per);
  }

  @Test
  void productsWithAConstantMatchThePlainKernels() {
    Random rnd = new Random(17);
    // rows around the micro-tile (6), a tile's L2 block (144) and a k-block (256); columns around a sliver (16)
    for (int[] sh : new int[][] {{1, 1, 1}, {7, 5, 17}, {145, 257, 16}, {300, 64, 65}}) {
      int rows = sh[0];
      int cols = sh[1];
      int n = sh[2];
      String shape = " " + rows + "x" + cols + " n=" + n;
      float[] x = random(rnd, rows * cols);
      Kernels.Constant cx = new Kernels.Constant(x, rows, cols);
      float[] b = random(rnd, cols * n);
      float[] g = random(rnd, rows * n);
      float[] c0 = random(rnd, rows * n);
      float[] w0 = random(rnd, cols * n);
      for (int call = 0; call < 2; call++) { // the second call reuses the packed copies
        for (boolean acc : new boolean[] {false, true}) {
          float[] nn = sameWithOneAndTwoThreads("constant NN" + shape, () -> {
            float[] c = c0.clone();
            Kernels.gemmNN(cx, b, c, n, acc);
            return c;
          });
          float[] wantNn = c0.clone();
          Kernels.gemmNN(x, b, wantNn, rows, cols, n, acc);
          assertSameBits(nn, wantNn, "constant NN vs plain" + shape + " acc=" + acc);
          float[] tn = sameWithOneAndTwoThreads("constant TN" + shape, () -> {
            float[] c = w0.clone();
            Kernels.gemmTN(cx, g, c, n, acc);
            return c;
          });
          float[] wantTn = w0.clone();
          ScalarKernels.gemmTN(x, g, wantTn, rows, cols, n, acc);
          assertClose(tn, wantTn, rows, "constant TN vs scalar" + shape + " acc=" + acc);
        }
      }
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Kernels.Constant(new float[5], 2, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void spmmIsThreadIndependentAndCorrect() {
    Random rnd = new Random(12);
    CsrMatrix a = randomCsr(rnd, 6000, 3000, 12);
    for (int d : new int[] {64, 65}) {
      float[] x = random(rnd, a.cols * d);
      float[] got = sameWithOneAndTwoThreads("spmm d=" + d, () -> {
        float[] out = new float[a.rows * d];
        Kernels.spmm(a, x, d, out, false);
        return out;
      });
      float[] want = new float[a.rows * d];
      ScalarKernels.spmm(a, x, d, want, false);
      assertClose(got, want, 12, "spmm d=" + d);

      int[] rows = new int[5000];
      for (int r = 0; r < rows.length; r++) {
        rows[r] = rnd.nextInt(a.rows);
      }
      float[] gotRows = sameWithOneAndTwoThreads("spmmRows d=" + d, () -> {
        float[] out = new float[rows.length * d];
        Kernels.spmmRows(a, rows, x, d, out, false);
        return out;
      });
      float[] wantRows = new float[rows.length * d];
      ScalarKernels.spmmRows(a, rows, x, d, wantRows, false);
      assertClose(gotRows, wantRows, 12, "spmmRows d=" + d);
    }
  }

  @Test
  void spmmWithInitialValuesIsThreadIndependentAndCorrect() {
    Random rnd = new Random(16);
    int n = 7000;
    CsrMatrix a = randomCsr(rnd, n, n, 12);
    int d = 64;
    DenseRows x = VectorKernelsTest.split(random(rnd, n * d), d, 2500);
    float[] dense = new float[n * d];
    DenseRows remapped = VectorKernelsTest.sparse(rnd, random(rnd, n * d), n, d, dense);
    float[] base = random(rnd, n * d);
    float[] got = sameWithOneAndTwoThreads("spmmAddScaled", () -> {
      DenseRows out = VectorKernelsTest.split(base, d, 4000);
      Kernels.spmmAddScaled(a, x, remapped, 0.5f, out);
      return VectorKernelsTest.dense(out);
    });
    float[] want = base.clone();
    ScalarKernels.spmmAddScaled(a, x, remapped, 0.5f, DenseRows.of(want, d));
    assertClose(got, want, 12, "spmmAddScaled");
    float[] got2 = sameWithOneAndTwoThreads("spmm remapped init", () -> {
      float[] out = new float[n * d];
      Kernels.spmm(a, x, remapped, DenseRows.of(out, d));
      return out;
    });
    float[] want2 = new float[n * d];
    ScalarKernels.spmm(a, x, remapped, DenseRows.of(want2, d));
    assertClose(got2, want2, 12, "spmm remapped init");
    int[] rows = new int[3000];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = rnd.nextInt(n);
    }
    float[] got3 = sameWithOneAndTwoThreads("spmmRows two blocks", () -> {
      float[] out = new float[rows.length * d];
      Kernels.spmmRows(a, rows, x, out);
      return out;
    });
    float[] want3 = new float[rows.length * d];
    ScalarKernels.spmmRows(a, rows, x, want3);
    assertClose(got3, want3, 12, "spmmRows two blocks");
  }

  @Test
  void spmmTransposedRowsIsThreadIndependentAndCorrect() {
    Random rnd = new Random(18);
    int n = 6000;
    CsrMatrix a = randomCsr(rnd, n, 5000, 12);
    int[] rows = java.util.stream.IntStream.range(0, n).filter(i -> i % 4 == 1).toArray();
    for (int d : new int[] {64, 65}) {
      float[] x = random(rnd, rows.length * d);
      float[] out0 = random(rnd, a.cols * d);
      float[] got = sameWithOneAndTwoThreads("spmmTransposedRows d=" + d, () -> {
        float[] out = out0.clone();
        Kernels.spmmTransposedRows(a, rows, x, d, out);
        return out;
      });
      float[] want = out0.clone();
      ScalarKernels.spmmTransposedRows(a, rows, x, d, want);
      assertClose(got, want, 12, "spmmTransposedRows d=" + d);
    }
  }

  @Test
  void spmmSparseInputGivesTheBitsOfTheScatterFormOnAnyThreadCount() {
    Random rnd = new Random(21);
    int n = 3000;
    CsrMatrix a = randomCsr(rnd, n, n, 9);
    CsrMatrix at = a.transpose();
    int[] rows = java.util.stream.IntStream.range(0, n).filter(i -> i % 5 == 2 || i % 7 == 0).toArray();
    int[] slotOf = new int[n];
    java.util.Arrays.fill(slotOf, -1);
    for (int k = 0; k < rows.length; k++) {
      slotOf[rows[k]] = k;
    }
    for (int d : new int[] {1, 7, 8, 64, 65}) {
      float[] xc = random(rnd, rows.length * d);
      float[] got = sameWithOneAndTwoThreads("spmmSparseInput d=" + d, () -> {
        float[] out = random(new Random(5), n * d); // every row is overwritten
        Kernels.spmmSparseInput(at, slotOf, xc, d, out);
        return out;
      });
      // the scatter form: x's rows placed in zeros, then the present rows of a scattered in ascending order
      float[] want = new float[n * d];
      for (int k = 0; k < rows.length; k++) {
        System.arraycopy(xc, k * d, want, rows[k] * d, d);
      }
      Kernels.spmmTransposedRows(a, rows, xc, d, want);
      assertSameBits(got, want, "spmmSparseInput vs scatter d=" + d);
      float[] scalar = new float[n * d];
      ScalarKernels.spmmSparseInput(at, slotOf, xc, d, scalar);
      assertClose(got, scalar, 12, "spmmSparseInput vs scalar d=" + d);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Kernels.spmmSparseInput(a, new int[n - 1], new float[0], 4, new float[n * 4]))
        .hasMessageContaining("spmmSparseInput");
  }

  @Test
  void spmmWithInitialValuesChecksShapes() {
    CsrMatrix a = randomCsr(new Random(1), 5, 4, 2);
    DenseRows x = DenseRows.of(new float[4 * 3], 3);
    DenseRows out = DenseRows.of(new float[5 * 3], 3);
    Kernels.spmm(a, x, null, out);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Kernels.spmm(a, DenseRows.of(new float[5 * 3], 3), null, out))
        .hasMessageContaining("spmm input is 5x3, expected 4x3");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Kernels.spmm(a, DenseRows.stacked(3, new float[3], new float[3], new float[6]), null, out))
        .hasMessageContaining("one array or two stacked blocks");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Kernels.spmmRows(a, new int[] {1}, DenseRows.remapped(new float[3], new int[] {0, 0, -1, -1}, 3), new float[3]))
        .hasMessageContaining("one array or two stacked blocks");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Kernels.spmm(a, x, null, DenseRows.remapped(new float[3], new int[5], 3)))
        .hasMessageContaining("not a remapped");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Kernels.spmm(a, x, DenseRows.of(new float[3], 3), out))
        .hasMessageContaining("spmm initial value is 1x3, expected 5x3");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DenseRows.remapped(new float[6], new int[] {0, 2}, 3))
        .hasMessageContaining("rowOf[1] = 2");
  }

  @Test
  void spmmChunksAreBalancedByEntries() {
    // power-law rows: row i has about 20000 / (i + 1) entries
    int rows = 5000;
    int[] rowPtr = new int[rows + 1];
    for (int i = 0; i < rows; i++) {
      rowPtr[i + 1] = rowPtr[i] + 20_000 / (i + 1);
    }
    int d = 64;
    int[] b = Kernels.rowChunks(rowPtr, rows, d);
    assertThat(b[0]).isZero();
    assertThat(b[b.length - 1]).isEqualTo(rows);
    long target = ((long) rowPtr[rows] + rows) * d / (b.length - 1);
    for (int c = 0; c + 1 < b.length; c++) {
      assertThat(b[c + 1]).isGreaterThan(b[c]);
      long work = ((long) rowPtr[b[c + 1]] - rowPtr[b[c]] + b[c + 1] - b[c]) * d;
      long heaviestRow = (long) (rowPtr[b[c] + 1] - rowPtr[b[c]] + 1) * d;
      // a chunk is at most one target plus the one row that crosses its boundary
      assertThat(work).as("chunk %d", c).isLessThanOrEqualTo(target + heaviestRow + d);
    }
    assertThat(Kernels.rowChunks(new int[] {0, 3}, 1, 8)).containsExactly(0, 1);
    assertThat(Kernels.rowChunks(new int[] {0}, 0, 8)).containsExactly(0, 0);
    assertThat(Kernels.rowChunks(new int[] {0, 1_000_000, 1_000_000, 1_000_001}, 3, 64)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void reductionsAndRowDotsAreThreadIndependent() {
    Random rnd = new Random(13);
    float[] x = random(rnd, 200_003);
    float[] s = sameWithOneAndTwoThreads("sumOfSquares", () -> new float[] {Kernels.sumOfSquares(x, 1, 200_001)});
    assertClose(s[0], ScalarKernels.sumOfSquares(x, 1, 200_001), 200, s[0], "sumOfSquares");

    int m = 5000;
    int d = 65;
    float[] a = random(rnd, m * d);
    float[] b = random(rnd, m * d);
    float[] got = sameWithOneAndTwoThreads("rowDots", () -> {
      float[] out = new float[m];
      Kernels.rowDots(a, b, m, d, out);
      return out;
    });
    float[] want = new float[m];
    ScalarKernels.rowDots(a, b, m, d, want);
    assertClose(got, want, d, "rowDots");
  }

  @Test
  void elementwiseKernelsAreExactInParallel() {
    Random rnd = new Random(14);
    int n = 300_001;
    float[] a = random(rnd, n);
    float[] b = random(rnd, n);
    float[] y = random(rnd, n);
    float[] got = sameWithOneAndTwoThreads("elementwise", () -> {
      float[] out = y.clone();
      Kernels.add(a, 0, b, 0, out, 0, n);
      Kernels.mul(out, 0, b, 0, out, 0, n);
      Kernels.scale(out, 0.5f);
      Kernels.mulAdd(a, 0, b, 0, out, 0, n);
      return out;
    });
    float[] want = y.clone();
    ScalarKernels.add(a, 0, b, 0, want, 0, n);
    ScalarKernels.mul(want, 0, b, 0, want, 0, n);
    ScalarKernels.scale(want, 0.5f, 0, n);
    ScalarKernels.mulAdd(a, 0, b, 0, want, 0, n);
    assertClose(got, want, 1, "elementwise");
  }

  @Test
  void adamIsExactInParallel() {
    Random rnd = new Random(17);
    int n = 300_001;
    AdamStep s = new AdamStep(0.9f, 0.1f, 0.999f, 0.001f, 0f, 1e-3f, 1.5f, 1e-8f, false);
    float[] x = random(rnd, n);
    float[] g = random(rnd, n);
    float[] got = sameWithOneAndTwoThreads("adam", () -> {
      float[] p = x.clone();
      Kernels.adam(s, p, g, new float[n], new float[n]);
      return p;
    });
    float[] want = x.clone();
    ScalarKernels.adam(s, want, g, new float[n], new float[n], 0, n);
    assertSameBits(got, want, "adam");
  }

  @Test
  void scatterAddRowsIsExactForAnyThreadCount() {
    Random rnd = new Random(15);
    int d = 64;
    // many sources into few rows, and few sources into many rows
    for (int[] sizes : new int[][] {{20_000, 1_000}, {2_000, 100_000}}) {
      int count = sizes[0];
      int dstRows = sizes[1];
      int[] idx = new int[count];
      for (int r = 0; r < count; r++) {
        idx[r] = rnd.nextInt(dstRows);
      }
      float[] src = random(rnd, count * d);
      float[] dst0 = random(rnd, dstRows * d);
      float[] got = sameWithOneAndTwoThreads("scatterAddRows " + count + "->" + dstRows, () -> {
        float[] dst = dst0.clone();
        Kernels.scatterAddRows(src, idx, dst, d);
        return dst;
      });
      float[] want = dst0.clone();
      ScalarKernels.scatterAddRows(src, idx, want, d);
      assertSameBits(got, want, "scatterAddRows vs scalar");
    }
    int[] bad = new int[1000];
    bad[999] = 1000;
    Parallel.setThreads(2);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Kernels.scatterAddRows(new float[1000 * d], bad, new float[1000 * d], d))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("idx[999] = 1000");
  }
}
