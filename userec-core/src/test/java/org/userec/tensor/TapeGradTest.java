package org.userec.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.userec.tensor.GradCheck.awayFromZero;
import static org.userec.tensor.GradCheck.param;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.graph.CsrMatrix;

/** A finite-difference gradient check for every op and every input of it. */
class TapeGradTest {

  private static CsrMatrix randomSparse(int rows, int cols, int nnz, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] r = new int[nnz];
    int[] c = new int[nnz];
    float[] v = new float[nnz];
    for (int k = 0; k < nnz; k++) {
      r[k] = rng.nextInt(rows);
      c[k] = rng.nextInt(cols);
      v[k] = (float) rng.nextDouble(-1, 1);
    }
    return CsrMatrix.fromCoo(rows, cols, r, c, v);
  }

  @Test
  void gatherRows() {
    Param t = param("table", 5, 3, 1);
    int[] idx = {4, 0, 4, 2, 4}; // repeats accumulate; rows 1 and 3 get nothing
    GradCheck.of("gatherRows").check(tp -> tp.gatherRows(t, idx), t);
    // rows never gathered keep a zero gradient
    Tape tape = Tape.recording();
    t.zeroGrad();
    tape.backward(tape.sum(tape.gatherRows(t, idx)));
    assertThat(t.grad()).containsExactly(1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 3, 3, 3);
  }

  @Test
  void matmul() {
    Param a = param("a", 3, 4, 1);
    Param b = param("b", 4, 2, 2);
    GradCheck.of("matmul").check(tp -> tp.matmul(a, b), a, b);
  }

  @Test
  void matmulNT() {
    Param a = param("a", 3, 4, 1);
    Param b = param("b", 5, 4, 2);
    GradCheck.of("matmulNT").check(tp -> tp.matmulNT(a, b), a, b);
  }

  @Test
  void matmulTN() {
    Param a = param("a", 4, 3, 1);
    Param b = param("b", 4, 5, 2);
    GradCheck.of("matmulTN").check(tp -> tp.matmulTN(a, b), a, b);
  }

  @Test
  void matmulOfATensorWithItself() {
    Param a = param("a", 3, 3, 1);
    GradCheck.of("matmul(a,a)").check(tp -> tp.matmul(a, a), a);
  }

  @Test
  void linear() {
    Param x = param("x", 4, 3, 1);
    Param w = param("w", 3, 5, 2);
    Param bias = param("bias", 1, 5, 3);
    GradCheck.of("linear").check(tp -> tp.linear(x, w, bias), x, w, bias);
    GradCheck.of("linear no bias").check(tp -> tp.linear(x, w, null), x, w);
  }

  @Test
  void linearOfAConstant() {
    Param x = param("x", 40, 13, 1);
    ConstantMatrix cx = new ConstantMatrix(x);
    Param w = param("w", 13, 7, 2);
    Param bias = param("bias", 1, 7, 3);
    GradCheck.of("linear of a constant").check(tp -> tp.linear(cx, w, bias), w, bias);
    // the same values and weight gradients as the plain op, call after call (the packed copies are reused)
    for (int call = 0; call < 2; call++) {
      w.zeroGrad();
      Tape t1 = Tape.recording();
      Tensor plain = t1.linear(x.copy(), w, bias);
      t1.backward(t1.sumSquares(plain));
      float[] plainGrad = w.grad().clone();
      w.zeroGrad();
      Tape t2 = Tape.recording();
      Tensor constant = t2.linear(cx, w, bias);
      t2.backward(t2.sumSquares(constant));
      assertThat(constant.data).containsExactly(plain.data);
      assertThat(w.grad()).containsExactly(plainGrad);
    }
  }

  @Test
  void spmm() {
    CsrMatrix a = randomSparse(6, 4, 12, 5);
    Param x = param("x", 4, 3, 1);
    GradCheck.of("spmm").check(tp -> tp.spmm(a, x), x);
  }

  @Test
  void propagateMean() {
    CsrMatrix a = randomSparse(5, 5, 12, 7);
    Param x = param("x", 5, 3, 1);
    for (int layers = 0; layers <= 3; layers++) {
      int l = layers;
      GradCheck.of("propagateMean L=" + l).check(tp -> tp.propagateMean(a, x, l), x);
    }
  }

  @Test
  void propagateMeanEqualsTheLayerByLayerMean() {
    CsrMatrix a = randomSparse(6, 6, 15, 3);
    Param x = param("x", 6, 4, 2);
    Tape t = Tape.noGrad();
    Tensor fused = t.propagateMean(a, x, 3);
    Tensor e1 = t.spmm(a, x);
    Tensor e2 = t.spmm(a, e1);
    Tensor e3 = t.spmm(a, e2);
    Tensor ref = t.weightedSum(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, x, e1, e2, e3);
    for (int i = 0; i < ref.data.length; i++) {
      org.assertj.core.api.Assertions.assertThat(fused.data[i]).isCloseTo(ref.data[i], org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void propagateMeanOverStackedBlocks() {
    CsrMatrix a = randomSparse(7, 7, 18, 9);
    Param top = param("top", 3, 3, 1);
    Param bottom = param("bottom", 4, 3, 2);
    for (int layers = 0; layers <= 3; layers++) {
      int l = layers;
      GradCheck.of("propagateMean blocks L=" + l).check(tp -> tp.propagateMean(a, l, top, bottom), top, bottom);
    }
  }

  @Test
  void propagateMeanRows() {
    CsrMatrix a = randomSparse(7, 7, 18, 11);
    Param top = param("top", 3, 3, 1);
    Param bottom = param("bottom", 4, 3, 2);
    int[][] rowSets = {{0, 2, 3, 6}, {5, 1, 5, 0, 5}, {4, 2}};
    for (int layers = 0; layers <= 3; layers++) {
      for (int[] rows : rowSets) {
        int l = layers;
        GradCheck.of("propagateMeanRows L=" + l + " rows=" + java.util.Arrays.toString(rows))
            .check(tp -> tp.propagateMeanRows(a, l, rows, top, bottom), top, bottom);
      }
    }
  }

  /**
   * The fused ops give the very bits of the composite they replace (concatRows, propagateMean, gatherRows):
   * values, and gradients accumulated into parameters that already hold one.
   */
  @Test
  void propagateMeanRowsIsBitIdenticalToGatheringTheFullMean() {
    SplittableRandom rng = new SplittableRandom(4);
    CsrMatrix a = symmetric(randomSparse(40, 40, 300, 6));
    for (int d : new int[] {1, 7, 8, 17, 64, 65}) {
      for (int layers = 0; layers <= 3; layers++) {
        for (int[] rows : new int[][] {{0, 3, 4, 17, 39}, {9, 2, 9, 30, 2, 2, 0}}) {
          Param[] fused = {param("u", 15, d, 1), param("i", 25, d, 2)};
          Param[] plain = {param("u", 15, d, 1), param("i", 25, d, 2)};
          float[] seed = new float[rows.length * d];
          for (int k = 0; k < seed.length; k++) {
            seed[k] = (float) rng.nextDouble(-1, 1);
          }
          for (Param[] ps : new Param[][] {fused, plain}) {
            java.util.Arrays.fill(ps[0].gradBuffer(), 0.125f); // a gradient already there (e.g. a reg term)
            java.util.Arrays.fill(ps[1].gradBuffer(), -0.375f);
          }
          Tape t1 = Tape.recording(new ArrayPool());
          Tensor y1 = t1.propagateMeanRows(a, layers, rows, fused[0], fused[1]);
          Tape t2 = Tape.recording();
          Tensor y2 = t2.gatherRows(t2.propagateMean(a, t2.concatRows(plain[0], plain[1]), layers), rows);
          String what = "d=" + d + " L=" + layers + " rows=" + java.util.Arrays.toString(rows);
          assertThat(y1.data).as(what).containsExactly(y2.data);
          t1.backward(y1, seed);
          t2.backward(y2, seed);
          assertThat(fused[0].grad()).as(what).containsExactly(plain[0].grad());
          assertThat(fused[1].grad()).as(what).containsExactly(plain[1].grad());
          // and the block form of the full mean equals the concatenated one
          Tape t3 = Tape.noGrad();
          assertThat(t3.propagateMean(a, layers, fused[0], fused[1]).data)
              .as(what)
              .containsExactly(t3.propagateMean(a, t3.concatRows(fused[0], fused[1]), layers).data);
        }
      }
    }
  }

  @Test
  void propagateMeanRowsPassesNoGradientToAFrozenBlock() {
    CsrMatrix a = symmetric(randomSparse(9, 9, 30, 8));
    Param top = param("top", 4, 5, 1);
    Tensor frozen = param("bottom", 5, 5, 2).copy();
    Tape t = Tape.recording();
    Tensor y = t.propagateMeanRows(a, 2, new int[] {1, 6}, top, frozen);
    t.backward(t.sum(y));
    assertThat(frozen.grad()).isNull();
    assertThat(top.grad()).isNotNull();
    // no rows: an empty output
    assertThat(Tape.noGrad().propagateMeanRows(a, 2, new int[0], top, frozen).shape()).isEqualTo("0x5");
  }

  /** a + aᵀ, marked symmetric (as the normalised user–item adjacency). */
  private static CsrMatrix symmetric(CsrMatrix a) {
    int n = a.rows;
    int nnz = a.nnz();
    int[] r = new int[2 * nnz];
    int[] c = new int[2 * nnz];
    float[] v = new float[2 * nnz];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
        r[k] = i;
        c[k] = a.colIdx[q];
        v[k++] = a.values[q];
        r[k] = a.colIdx[q];
        c[k] = i;
        v[k++] = a.values[q];
      }
    }
    return CsrMatrix.fromCoo(n, n, r, c, v).assumeSymmetric();
  }

  @Test
  void spmmRows() {
    CsrMatrix a = randomSparse(6, 4, 14, 5);
    Param x = param("x", 4, 3, 1);
    int[] rows = {5, 0, 5, 2};
    GradCheck.of("spmmRows").check(tp -> tp.spmmRows(a, rows, x), x);
  }

  @Test
  void add() {
    Param a = param("a", 3, 4, 1);
    Param b = param("b", 3, 4, 2);
    GradCheck.of("add").check(tp -> tp.add(a, b), a, b);
  }

  @Test
  void addBroadcastsARowVector() {
    Param a = param("a", 3, 4, 1);
    Param b = param("b", 1, 4, 2);
    GradCheck.of("add broadcast").check(tp -> tp.add(a, b), a, b);
  }

  @Test
  void sub() {
    Param a = param("a", 3, 4, 1);
    Param b = param("b", 3, 4, 2);
    GradCheck.of("sub").check(tp -> tp.sub(a, b), a, b);
  }

  @Test
  void mul() {
    Param a = param("a", 3, 4, 1);
    Param b = param("b", 3, 4, 2);
    GradCheck.of("mul").check(tp -> tp.mul(a, b), a, b);
    GradCheck.of("mul(a,a)").check(tp -> tp.mul(a, a), a);
  }

  @Test
  void scale() {
    Param a = param("a", 3, 4, 1);
    GradCheck.of("scale").check(tp -> tp.scale(a, -2.5f), a);
  }

  @Test
  void mulScalar() {
    Param a = param("a", 3, 4, 1);
    Param s = param("s", 1, 1, 2);
    GradCheck.of("mulScalar").check(tp -> tp.mulScalar(a, s), a, s);
  }

  @Test
  void scaleRows() {
    Param x = param("x", 4, 3, 1);
    Param w = param("w", 4, 1, 2);
    GradCheck.of("scaleRows").check(tp -> tp.scaleRows(x, w), x, w);
  }

  @Test
  void weightedSum() {
    Param a = param("a", 3, 2, 1);
    Param b = param("b", 3, 2, 2);
    Param c = param("c", 3, 2, 3);
    float[] w = {0.5f, -1.5f, 2f};
    GradCheck.of("weightedSum").check(tp -> tp.weightedSum(w, a, b, c), a, b, c);
  }

  @Test
  void concatCols() {
    Param a = param("a", 3, 2, 1);
    Param b = param("b", 3, 1, 2);
    Param c = param("c", 3, 3, 3);
    GradCheck.of("concatCols").check(tp -> tp.concatCols(a, b, c), a, b, c);
  }

  @Test
  void concatRows() {
    Param a = param("a", 2, 3, 1);
    Param b = param("b", 1, 3, 2);
    Param c = param("c", 3, 3, 3);
    GradCheck.of("concatRows").check(tp -> tp.concatRows(a, b, c), a, b, c);
  }

  @Test
  void sliceRows() {
    Param x = param("x", 5, 3, 1);
    GradCheck.of("sliceRows").check(tp -> tp.sliceRows(x, 1, 4), x);
  }

  @Test
  void sliceCols() {
    Param x = param("x", 3, 5, 1);
    GradCheck.of("sliceCols").check(tp -> tp.sliceCols(x, 1, 4), x);
  }

  @Test
  void sigmoid() {
    Param x = param("x", 3, 4, 1, -4, 4);
    GradCheck.of("sigmoid").check(tp -> tp.sigmoid(x), x);
  }

  @Test
  void logSigmoid() {
    Param x = param("x", 3, 4, 1, -6, 6);
    GradCheck.of("logSigmoid").check(tp -> tp.logSigmoid(x), x);
  }

  @Test
  void softplus() {
    Param x = param("x", 3, 4, 1, -6, 6);
    GradCheck.of("softplus").check(tp -> tp.softplus(x), x);
  }

  @Test
  void tanh() {
    Param x = param("x", 3, 4, 1, -2, 2);
    GradCheck.of("tanh").check(tp -> tp.tanh(x), x);
  }

  @Test
  void relu() {
    Param x = awayFromZero("x", 3, 4, 1, 0.1, 1);
    GradCheck.of("relu").check(tp -> tp.relu(x), x);
  }

  @Test
  void leakyRelu() {
    Param x = awayFromZero("x", 3, 4, 1, 0.1, 1);
    GradCheck.of("leakyRelu").check(tp -> tp.leakyRelu(x, 0.2f), x);
  }

  @Test
  void exp() {
    Param x = param("x", 3, 4, 1, -2, 2);
    GradCheck.of("exp").check(tp -> tp.exp(x), x);
  }

  @Test
  void log() {
    Param x = param("x", 3, 4, 1, 0.5, 3);
    GradCheck.of("log").check(tp -> tp.log(x), x);
  }

  @Test
  void dropout() {
    Param x = param("x", 4, 5, 1);
    GradCheck.of("dropout").check(tp -> tp.dropout(x, 0.4f, new SplittableRandom(7)), x);
  }

  @Test
  void softmaxRows() {
    Param x = param("x", 3, 5, 1, -3, 3);
    GradCheck.of("softmaxRows").check(tp -> tp.softmaxRows(x), x);
  }

  @Test
  void rowSum() {
    Param x = param("x", 3, 5, 1);
    GradCheck.of("rowSum").check(tp -> tp.rowSum(x), x);
  }

  @Test
  void l2NormalizeRows() {
    Param x = param("x", 4, 3, 1);
    GradCheck.of("l2NormalizeRows").check(tp -> tp.l2NormalizeRows(x), x);
  }

  @Test
  void layerNorm() {
    Param x = param("x", 3, 5, 1, -2, 2);
    Param gain = param("gain", 1, 5, 2, 0.5, 1.5);
    Param bias = param("bias", 1, 5, 3);
    GradCheck.of("layerNorm").check(tp -> tp.layerNorm(x, gain, bias, 1e-5f), x, gain, bias);
    GradCheck.of("layerNorm plain").check(tp -> tp.layerNorm(x, null, null, 1e-5f), x);
  }

  @Test
  void sum() {
    Param x = param("x", 3, 4, 1);
    GradCheck.of("sum").check(tp -> tp.sum(x), x);
  }

  @Test
  void mean() {
    Param x = param("x", 3, 4, 1);
    GradCheck.of("mean").check(tp -> tp.mean(x), x);
  }

  @Test
  void sumSquares() {
    Param x = param("x", 3, 4, 1);
    GradCheck.of("sumSquares").check(tp -> tp.sumSquares(x), x);
  }

  @Test
  void norm() {
    Param x = param("x", 3, 4, 1);
    GradCheck.of("norm").check(tp -> tp.norm(x), x);
  }

  @Test
  void bprOfRows() {
    Param x = param("x", 6, 3, 1);
    GradCheck.of("bprOfRows").check(tp -> tp.bprOfRows(x, new int[] {0, 2, 0}, new int[] {1, 1, 5}, new int[] {4, 3, 0}), x);
  }

  /**
   * A fused op against the composite it replaces, each on its own tape over its own copy of a parameter: the
   * same value bit for bit, then, after backward from the same seed, the same parameter gradient.
   */
  private static void assertFusedIsTheComposite(
      String what, float seed, Param fused, java.util.function.Function<Tape, Tensor> fusedOp, Param plain,
      java.util.function.Function<Tape, Tensor> compositeOp) {
    Tape t1 = Tape.recording();
    Tensor y1 = fusedOp.apply(t1);
    Tape t2 = Tape.recording();
    Tensor y2 = compositeOp.apply(t2);
    assertThat(y1.data).as(what).containsExactly(y2.data);
    t1.backward(y1, new float[] {seed});
    t2.backward(y2, new float[] {seed});
    assertThat(fused.grad()).as(what).containsExactly(plain.grad());
  }

  /** bprOfRows gives the bits of Losses.bpr over rowDots of gathered rows: value, and gradients added to a table's. */
  @Test
  void bprOfRowsIsBitIdenticalToTheComposite() {
    SplittableRandom rng = new SplittableRandom(12);
    for (int d : new int[] {1, 7, 16, 17, 64, 65}) {
      for (int m : new int[] {1, 5, 300}) {
        int rows = 11;
        int[] u = new int[m];
        int[] p = new int[m];
        int[] n = new int[m];
        for (int r = 0; r < m; r++) { // rows repeat within and across the lists, as users and items in a batch
          u[r] = rng.nextInt(rows);
          p[r] = rng.nextInt(rows);
          n[r] = rng.nextInt(rows);
        }
        Param fused = param("t", rows, d, 5, -2, 2);
        Param plain = param("t", rows, d, 5, -2, 2);
        for (Param q : new Param[] {fused, plain}) {
          java.util.Arrays.fill(q.gradBuffer(), 0.3125f);
        }
        float seed = (float) rng.nextDouble(-3, 3);
        assertFusedIsTheComposite(
            "d=" + d + " m=" + m, seed, fused, t -> t.bprOfRows(fused, u, p, n), plain, t -> {
              Tensor gu = t.gatherRows(plain, u);
              Tensor gp = t.gatherRows(plain, p);
              Tensor gn = t.gatherRows(plain, n);
              return org.userec.model.Losses.bpr(t, t.rowDot(gu, gp), t.rowDot(gu, gn));
            });
      }
    }
  }

  @Test
  void bprOfRowsRejectsListsOfDifferentLengthsAndRowsOutsideTheTable() {
    Param x = param("x", 4, 2, 1);
    assertThatThrownBy(() -> Tape.recording().bprOfRows(x, new int[] {0, 1}, new int[] {1}, new int[] {2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 users, 1 positives, 2 negatives");
    assertThatThrownBy(() -> Tape.recording().bprOfRows(x, new int[] {0}, new int[] {1}, new int[] {4}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 4 at position 0");
  }

  @Test
  void normOfRows() {
    Param x = param("x", 5, 3, 1);
    GradCheck.of("normOfRows").check(tp -> tp.normOfRows(x, new int[] {4, 0, 4, 2}), x);
  }

  /** normOfRows gives the bits of norm(gatherRows(...)): the value, and gradients added to ones already there. */
  @Test
  void normOfRowsIsBitIdenticalToNormingTheGatheredRows() {
    SplittableRandom rng = new SplittableRandom(9);
    for (int d : new int[] {1, 3, 4, 7, 64, 65}) {
      for (int[] rows : new int[][] {{0}, {3, 1, 3, 7, 0}, {2, 2, 2}, {}}) {
        Param fused = param("t", 8, d, 3);
        Param plain = param("t", 8, d, 3);
        for (Param p : new Param[] {fused, plain}) {
          java.util.Arrays.fill(p.gradBuffer(), -0.625f);
        }
        float seed = (float) rng.nextDouble(-2, 2);
        assertFusedIsTheComposite(
            "d=" + d + " rows=" + java.util.Arrays.toString(rows), seed, fused, t -> t.normOfRows(fused, rows), plain,
            t -> t.norm(t.gatherRows(plain, rows)));
      }
    }
  }

  @Test
  void normOfRowsOfZeroRowsAddsPositiveZeros() {
    Param fused = new Param("z", 3, 2);
    Param plain = new Param("z", 3, 2);
    java.util.Arrays.fill(fused.gradBuffer(), -0f);
    java.util.Arrays.fill(plain.gradBuffer(), -0f);
    Tape t1 = Tape.recording();
    Tape t2 = Tape.recording();
    Tensor y1 = t1.normOfRows(fused, new int[] {1, 2});
    Tensor y2 = t2.norm(t2.gatherRows(plain, new int[] {1, 2}));
    t1.backward(y1);
    t2.backward(y2);
    assertThat(y1.item()).isZero();
    assertThat(fused.grad()).containsExactly(plain.grad());
  }

  @Test
  void normOfRowsRejectsARowOutsideTheTable() {
    Param x = param("x", 4, 2, 1);
    assertThatThrownBy(() -> Tape.recording().normOfRows(x, new int[] {0, 4}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 4 at position 1");
  }

  @Test
  void rowDot() {
    Param a = param("a", 4, 3, 1);
    Param b = param("b", 4, 3, 2);
    GradCheck.of("rowDot").check(tp -> tp.rowDot(a, b), a, b);
  }

  @Test
  void groupedMatmulNT() {
    Param a = param("a", 6, 4, 1);
    Param b = param("b", 6, 4, 2);
    GradCheck.of("groupedMatmulNT").check(tp -> tp.groupedMatmulNT(a, b, 3), a, b);
    GradCheck.of("groupedMatmulNT(a,a)").check(tp -> tp.groupedMatmulNT(a, a, 2), a);
  }

  @Test
  void groupedMatmul() {
    Param p = param("p", 6, 3, 1);
    Param v = param("v", 6, 4, 2);
    GradCheck.of("groupedMatmul").check(tp -> tp.groupedMatmul(p, v, 3), p, v);
  }

  @Test
  void infoNce() {
    Param a = param("a", 5, 4, 1);
    Param b = param("b", 5, 4, 2);
    GradCheck.of("infoNce").check(tp -> tp.infoNce(a, b, 0.2f), a, b);
    GradCheck.of("infoNce tau 1").check(tp -> tp.infoNce(a, b, 1f), a, b);
  }

  @Test
  void chainedOpsAccumulateIntoSharedInputs() {
    // BPR with the user vector used twice, then self-attention: Q = G·W, A = softmax(QGᵀ/√d), out = A·G.
    Param u = param("u", 4, 3, 1);
    Param i = param("i", 4, 3, 2);
    Param j = param("j", 4, 3, 3);
    GradCheck.of("bpr")
        .check(tp -> tp.scale(tp.mean(tp.logSigmoid(tp.sub(tp.rowDot(u, i), tp.rowDot(u, j)))), -1f), u, i, j);
    Param g = param("g", 6, 4, 4);
    Param wq = param("wq", 4, 4, 5);
    GradCheck.of("attention")
        .check(tp -> {
          Tensor q = tp.matmul(g, wq);
          Tensor att = tp.softmaxRows(tp.scale(tp.groupedMatmulNT(q, g, 3), 0.5f));
          return tp.weightedSum(new float[] {0.8f, 0.2f}, g, tp.groupedMatmul(att, g, 3));
        }, g, wq);
  }

  @Test
  void constantInputsGetNoGradient() {
    Param a = param("a", 3, 4, 1);
    Tensor c = Tensor.of(3, 4, new float[12]);
    Tape tape = Tape.recording();
    tape.backward(tape.sum(tape.mul(a, tape.add(c, a))));
    assertThat(c.grad()).isNull();
    assertThat(a.grad()).isNotNull();
  }
}
