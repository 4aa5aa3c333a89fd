package org.userec.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.userec.tensor.GradCheck.param;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.graph.CsrMatrix;

/** Finite-difference gradients and dense twins of {@link PatternOps}. */
class PatternOpsTest {
  private static CsrMatrix randomPattern(int rows, int cols, int nnz, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] r = new int[nnz];
    int[] c = new int[nnz];
    for (int k = 0; k < nnz; k++) {
      r[k] = rng.nextInt(rows);
      c[k] = rng.nextInt(cols);
    }
    return CsrMatrix.fromCoo(rows, cols, r, c, new float[nnz]);
  }

  private static float[][] dense(CsrMatrix p, float[] v) {
    float[][] a = new float[p.rows][p.cols];
    for (int i = 0; i < p.rows; i++) {
      for (int q = p.rowPtr[i]; q < p.rowPtr[i + 1]; q++) {
        a[i][p.colIdx[q]] = v[q];
      }
    }
    return a;
  }

  @Test
  void dotsAtGradientAndValues() {
    CsrMatrix p = randomPattern(5, 4, 11, 3);
    Param a = param("a", 5, 3, 1);
    Param b = param("b", 4, 3, 2);
    GradCheck.of("dotsAt").check(t -> PatternOps.dotsAt(t, p, a, b), a, b);
    Tensor v = PatternOps.dotsAt(Tape.noGrad(), p, a, b);
    for (int i = 0; i < p.rows; i++) {
      for (int q = p.rowPtr[i]; q < p.rowPtr[i + 1]; q++) {
        int j = p.colIdx[q];
        float dot = a.get(i, 0) * b.get(j, 0) + a.get(i, 1) * b.get(j, 1) + a.get(i, 2) * b.get(j, 2);
        assertThat(v.data[q]).isCloseTo(dot, within(1e-6f));
      }
    }
  }

  @Test
  void dotsAtOfOneTableWithItself() { // LATTICE's case: the kept entries of N·Nᵀ
    CsrMatrix p = randomPattern(6, 6, 17, 5);
    Param x = param("x", 6, 4, 7);
    GradCheck.of("dotsAt self").check(t -> PatternOps.dotsAt(t, p, x, x), x);
  }

  @Test
  void placeGradient() {
    CsrMatrix small = randomPattern(4, 4, 6, 1);
    CsrMatrix other = randomPattern(4, 4, 7, 2);
    PatternOps.Union u = PatternOps.union(small, other);
    Param v = param("v", small.nnz(), 1, 3);
    GradCheck.of("place").check(t -> PatternOps.place(t, v, u.slots()[0], u.pattern().nnz()), v);
  }

  @Test
  void unionHoldsEveryPartAtItsSlots() {
    CsrMatrix a = randomPattern(5, 6, 9, 1);
    CsrMatrix b = randomPattern(5, 6, 12, 2);
    PatternOps.Union u = PatternOps.union(a, b);
    CsrMatrix[] parts = {a, b};
    for (int m = 0; m < 2; m++) {
      for (int i = 0; i < 5; i++) {
        for (int q = parts[m].rowPtr[i]; q < parts[m].rowPtr[i + 1]; q++) {
          int slot = u.slots()[m][q];
          assertThat(slot).isBetween(u.pattern().rowPtr[i], u.pattern().rowPtr[i + 1] - 1);
          assertThat(u.pattern().colIdx[slot]).isEqualTo(parts[m].colIdx[q]);
        }
      }
    }
    for (int i = 0; i < 5; i++) { // columns strictly ascending, none beyond the parts'
      for (int q = u.pattern().rowPtr[i] + 1; q < u.pattern().rowPtr[i + 1]; q++) {
        assertThat(u.pattern().colIdx[q]).isGreaterThan(u.pattern().colIdx[q - 1]);
      }
    }
    assertThat(u.pattern().nnz()).isLessThanOrEqualTo(a.nnz() + b.nnz());
  }

  @Test
  void symmetricNormalizeGradientAndValues() {
    CsrMatrix p = randomPattern(5, 5, 14, 9);
    Param v = GradCheck.param("v", p.nnz(), 1, 4, 0.2, 1.0); // positive row sums, away from the d = 0 pole
    GradCheck.of("symmetricNormalize").check(t -> PatternOps.symmetricNormalize(t, p, v), v);
    Tensor out = PatternOps.symmetricNormalize(Tape.noGrad(), p, v);
    float[][] a = dense(p, v.data);
    float[][] o = dense(p, out.data);
    double[] d = new double[5];
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 5; j++) {
        d[i] += a[i][j];
      }
    }
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 5; j++) {
        double want = d[i] > 0 && d[j] > 0 ? a[i][j] / Math.sqrt(d[i] * d[j]) : 0;
        assertThat((double) o[i][j]).isCloseTo(want, within(1e-6));
      }
    }
  }

  @Test
  void symmetricNormalizeLeavesAnEmptyRowAtZero() {
    // row 1 has no entries: its degree is 0, its scale 0 (the reference's inf set to 0), entries into it vanish
    CsrMatrix p = CsrMatrix.fromCoo(3, 3, new int[] {0, 0, 2}, new int[] {0, 1, 2}, new float[3]);
    Tensor v = Tensor.of(3, 1, 0.5f, 0.7f, 2f);
    Tensor out = PatternOps.symmetricNormalize(Tape.noGrad(), p, v);
    assertThat(out.data[0]).isCloseTo(0.5f / 1.2f, within(1e-6f));
    assertThat(out.data[1]).isEqualTo(0f);
    assertThat(out.data[2]).isCloseTo(1f, within(1e-6f));
  }

  @Test
  void spmmGradientAndValues() {
    CsrMatrix p = randomPattern(6, 4, 13, 11);
    Param v = param("v", p.nnz(), 1, 5);
    Param x = param("x", 4, 3, 6);
    GradCheck.of("pattern spmm").check(t -> PatternOps.spmm(t, p, v, x), v, x);
    Tensor out = PatternOps.spmm(Tape.noGrad(), p, v, x);
    Tensor want = Tape.noGrad().spmm(PatternOps.withValues(p, v.data), x);
    assertThat(out.data).containsExactly(want.data);
  }

  @Test
  void aLearnedGraphEndToEnd() { // LATTICE's chain: kept dots, placed into a union, normalised, propagated
    CsrMatrix kept = randomPattern(6, 6, 14, 21);
    CsrMatrix fixed = randomPattern(6, 6, 10, 22);
    PatternOps.Union u = PatternOps.union(kept, fixed);
    Param f = GradCheck.param("f", 6, 3, 23, 0.3, 1.0); // positive dots: positive degrees
    Param x = param("x", 6, 2, 24);
    GradCheck.of("learned graph")
        .check(t -> {
          Tensor v = PatternOps.place(t, PatternOps.dotsAt(t, kept, f, f), u.slots()[0], u.pattern().nnz());
          return PatternOps.spmm(t, u.pattern(), PatternOps.symmetricNormalize(t, u.pattern(), v), x);
        }, f, x);
  }
}
