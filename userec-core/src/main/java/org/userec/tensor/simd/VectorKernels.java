package org.userec.tensor.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.userec.graph.CsrMatrix;

/**
 * The kernels of {@link Kernels} on {@code jdk.incubator.vector}, single-threaded. {@link Kernels} splits the
 * work across cores by calling the range variants here ({@code ...Range}, {@link VectorGemm} tiles); the
 * whole-array methods have the same signatures and contracts as {@link ScalarKernels} and are the ones the
 * differential tests compare.
 *
 * <p>Every hot loop has one shape: check at entry, {@code loopBound}, several accumulators, a one-vector
 * tail, a scalar tail, no allocation. Each output element of gemm/spmm is one fused multiply-add chain in a
 * fixed order that depends only on the sizes (not on tiling into tasks or on the SIMD width), so results do
 * not depend on the number of threads.
 *
 * <p>The species is chosen once: {@code -Duserec.simd.bits=128|256|512} overrides the preferred one.
 * Loading this class throws a {@link LinkageError} when the incubator module is absent; {@link Kernels}
 * catches it.
 */
public final class VectorKernels {
  static final VectorSpecies<Float> S = chooseSpecies();
  static final int L = S.length();

  private VectorKernels() {}

  private static VectorSpecies<Float> chooseSpecies() {
    String bits = System.getProperty("userec.simd.bits", "").trim();
    switch (bits) {
      case "128":
        return FloatVector.SPECIES_128;
      case "256":
        return FloatVector.SPECIES_256;
      case "512":
        return FloatVector.SPECIES_512;
      case "":
        return FloatVector.SPECIES_PREFERRED;
      default:
        throw new IllegalArgumentException("userec.simd.bits must be 128, 256 or 512, got '" + bits + "'");
    }
  }

  /** Lanes per vector of the chosen species. */
  public static int lanes() {
    return L;
  }

  // ------------------------------------------------------------------------------------------------ gemm

  /** c[m×n] (+)= a[m×k] · b[k×n]. */
  public static void gemmNN(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    checkGemm(a, m * k, b, k * n, c, m * n);
    VectorGemm.gemm(VectorGemm.Layout.NN, a, b, c, m, k, n, accumulate);
  }

  /** c[m×n] (+)= a[m×k] · b[n×k]ᵀ. */
  public static void gemmNT(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    checkGemm(a, m * k, b, n * k, c, m * n);
    VectorGemm.gemm(VectorGemm.Layout.NT, a, b, c, m, k, n, accumulate);
  }

  /** c[k×n] (+)= a[m×k]ᵀ · b[m×n]. */
  public static void gemmTN(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    checkGemm(a, m * k, b, m * n, c, k * n);
    VectorGemm.gemm(VectorGemm.Layout.TN, a, b, c, m, k, n, accumulate);
  }

  static void checkGemm(float[] a, int aLen, float[] b, int bLen, float[] c, int cLen) {
    if (a.length < aLen || b.length < bLen || c.length < cLen) {
      throw new IllegalArgumentException(
          "gemm arrays too short: a " + a.length + "<" + aLen + "? b " + b.length + "<" + bLen + "? c "
              + c.length + "<" + cLen + "?");
    }
  }

  // --------------------------------------------------------------------------------------------- softmax

  /** The largest of x[off..off+n) (NaN when any value is NaN, −∞ when n = 0). */
  public static float max(float[] x, int off, int n) {
    int i = 0;
    float m = Float.NEGATIVE_INFINITY;
    if (n >= 4 * L) {
      FloatVector m0 = FloatVector.fromArray(S, x, off);
      FloatVector m1 = FloatVector.fromArray(S, x, off + L);
      FloatVector m2 = FloatVector.fromArray(S, x, off + 2 * L);
      FloatVector m3 = FloatVector.fromArray(S, x, off + 3 * L);
      int bound4 = n - n % (4 * L);
      for (i = 4 * L; i < bound4; i += 4 * L) {
        m0 = m0.max(FloatVector.fromArray(S, x, off + i));
        m1 = m1.max(FloatVector.fromArray(S, x, off + i + L));
        m2 = m2.max(FloatVector.fromArray(S, x, off + i + 2 * L));
        m3 = m3.max(FloatVector.fromArray(S, x, off + i + 3 * L));
      }
      m = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
    }
    for (; i < n; i++) {
      m = Math.max(m, x[off + i]);
    }
    return m;
  }

  /**
   * y[yOff+j] = exp(x[xOff+j]·scale − shift) for j in [0, n), returning the sum of the y (each vector's lanes,
   * vector after vector, then the scalar tail, in order). Each value is {@link
   * ScalarKernels#exp}'s polynomial lane by lane: bit-identical to the scalar kernel. y may be x at the same
   * offset.
   */
  public static float expShifted(float[] x, int xOff, float scale, float shift, float[] y, int yOff, int n) {
    int bound = S.loopBound(n);
    float sum = bound > 0 ? expVectors(x, xOff, scale, shift, y, yOff, bound) : 0f;
    for (int i = bound; i < n; i++) {
      float e = ScalarKernels.exp(x[xOff + i] * scale - shift);
      y[yOff + i] = e;
      sum += e;
    }
    return sum;
  }

  /** Int lanes of the same shape as {@link #S}, for bit-level work on floats (exp's 2^n). */
  static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());

  /**
   * {@link #expShifted} over bound values, a multiple of L: the whole vector loop in one method, with {@link
   * ScalarKernels#exp}'s operations written out. Kept large on purpose: the JIT then compiles it on its own
   * instead of inlining it into its callers, where a larger compilation unit, or a recompilation after the scalar
   * tail first runs, has left some Vector API calls unintrinsified and boxed a vector per iteration (seen in the
   * training run, 6 times slower).
   */
  private static float expVectors(float[] x, int xOff, float scale, float shift, float[] y, int yOff, int bound) {
    FloatVector lo = FloatVector.broadcast(S, ScalarKernels.EXP_LO);
    FloatVector hi = FloatVector.broadcast(S, ScalarKernels.EXP_HI);
    FloatVector ln2Hi = FloatVector.broadcast(S, -ScalarKernels.LN2_HI);
    FloatVector ln2Lo = FloatVector.broadcast(S, -ScalarKernels.LN2_LO);
    FloatVector p2 = FloatVector.broadcast(S, ScalarKernels.EXP_P2);
    FloatVector p3 = FloatVector.broadcast(S, ScalarKernels.EXP_P3);
    FloatVector p4 = FloatVector.broadcast(S, ScalarKernels.EXP_P4);
    FloatVector p5 = FloatVector.broadcast(S, ScalarKernels.EXP_P5);
    float sum = 0f;
    for (int i = 0; i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xOff + i).mul(scale).sub(shift);
      // clamp by compare and blend (Java's max/min need NaN fix-ups; a NaN fails both tests and stays NaN)
      FloatVector c = v.blend(lo, v.compare(VectorOperators.LT, lo)).blend(hi, v.compare(VectorOperators.GT, hi));
      FloatVector k = c.fma(ScalarKernels.LOG2E, ScalarKernels.ROUNDER);
      FloatVector n = k.sub(ScalarKernels.ROUNDER);
      FloatVector r = n.fma(ln2Hi, c);
      r = n.fma(ln2Lo, r);
      FloatVector p = r.fma(ScalarKernels.EXP_P0, ScalarKernels.EXP_P1);
      p = p.fma(r, p2);
      p = p.fma(r, p3);
      p = p.fma(r, p4);
      p = p.fma(r, p5);
      p = p.fma(r.mul(r), r).add(1f);
      // 2^n from the exponent bits; species given explicitly so that the JIT can fold them
      FloatVector pow2 =
          (FloatVector)
              ((IntVector) k.reinterpretShape(SI, 0))
                  .sub(ScalarKernels.ROUNDER_BITS - 127)
                  .lanewise(VectorOperators.LSHL, 23)
                  .reinterpretShape(S, 0);
      FloatVector e = p.mul(pow2);
      e.intoArray(y, yOff + i);
      sum += e.reduceLanes(VectorOperators.ADD); // no vector carried around the loop: the JIT may box one
    }
    return sum;
  }

  // ------------------------------------------------------------------------------------------------ spmm

  /** out[a.rows×d] (+)= a · x[a.cols×d]. */
  public static void spmm(CsrMatrix a, float[] x, int d, float[] out, boolean accumulate) {
    spmmRange(a, x, d, out, accumulate, 0, a.rows);
  }

  /** Rows [from, to) of {@link #spmm}. */
  static void spmmRange(CsrMatrix a, float[] x, int d, float[] out, boolean accumulate, int from, int to) {
    for (int i = from; i < to; i++) {
      spmmRow(a, i, x, d, out, i * d, accumulate);
    }
  }

  /** out[rows.length×d] (+)= (a · x) restricted to the given rows of a. */
  public static void spmmRows(CsrMatrix a, int[] rows, float[] x, int d, float[] out, boolean accumulate) {
    spmmRowsRange(a, rows, x, d, out, accumulate, 0, rows.length);
  }

  /** Entries [from, to) of {@code rows} in {@link #spmmRows}. */
  static void spmmRowsRange(
      CsrMatrix a, int[] rows, float[] x, int d, float[] out, boolean accumulate, int from, int to) {
    for (int r = from; r < to; r++) {
      spmmRow(a, rows[r], x, d, out, r * d, accumulate);
    }
  }

  /** out[oi..oi+d) (+)= Σ_q a(i,q)·x[q·d..]; each element one FMA chain over the row's entries in order. */
  private static void spmmRow(CsrMatrix a, int i, float[] x, int d, float[] out, int oi, boolean accumulate) {
    int q0 = a.rowPtr[i];
    int q1 = a.rowPtr[i + 1];
    int[] colIdx = a.colIdx;
    float[] values = a.values;
    int t = 0;
    // 8 accumulators (64 floats at 256 bits: a whole embedding row) so that each neighbour's row is read in
    // one pass; rows of popular items have hundreds of neighbours and would otherwise leave L1 between passes
    int bound8 = d - d % (8 * L);
    for (; t < bound8; t += 8 * L) {
      FloatVector s0;
      FloatVector s1;
      FloatVector s2;
      FloatVector s3;
      FloatVector s4;
      FloatVector s5;
      FloatVector s6;
      FloatVector s7;
      if (accumulate) {
        s0 = FloatVector.fromArray(S, out, oi + t);
        s1 = FloatVector.fromArray(S, out, oi + t + L);
        s2 = FloatVector.fromArray(S, out, oi + t + 2 * L);
        s3 = FloatVector.fromArray(S, out, oi + t + 3 * L);
        s4 = FloatVector.fromArray(S, out, oi + t + 4 * L);
        s5 = FloatVector.fromArray(S, out, oi + t + 5 * L);
        s6 = FloatVector.fromArray(S, out, oi + t + 6 * L);
        s7 = FloatVector.fromArray(S, out, oi + t + 7 * L);
      } else {
        s0 = FloatVector.zero(S);
        s1 = s0;
        s2 = s0;
        s3 = s0;
        s4 = s0;
        s5 = s0;
        s6 = s0;
        s7 = s0;
      }
      for (int q = q0; q < q1; q++) {
        FloatVector v = FloatVector.broadcast(S, values[q]);
        int xj = colIdx[q] * d + t;
        s0 = FloatVector.fromArray(S, x, xj).fma(v, s0);
        s1 = FloatVector.fromArray(S, x, xj + L).fma(v, s1);
        s2 = FloatVector.fromArray(S, x, xj + 2 * L).fma(v, s2);
        s3 = FloatVector.fromArray(S, x, xj + 3 * L).fma(v, s3);
        s4 = FloatVector.fromArray(S, x, xj + 4 * L).fma(v, s4);
        s5 = FloatVector.fromArray(S, x, xj + 5 * L).fma(v, s5);
        s6 = FloatVector.fromArray(S, x, xj + 6 * L).fma(v, s6);
        s7 = FloatVector.fromArray(S, x, xj + 7 * L).fma(v, s7);
      }
      s0.intoArray(out, oi + t);
      s1.intoArray(out, oi + t + L);
      s2.intoArray(out, oi + t + 2 * L);
      s3.intoArray(out, oi + t + 3 * L);
      s4.intoArray(out, oi + t + 4 * L);
      s5.intoArray(out, oi + t + 5 * L);
      s6.intoArray(out, oi + t + 6 * L);
      s7.intoArray(out, oi + t + 7 * L);
    }
    int bound = S.loopBound(d);
    for (; t < bound; t += L) {
      FloatVector s0 = accumulate ? FloatVector.fromArray(S, out, oi + t) : FloatVector.zero(S);
      for (int q = q0; q < q1; q++) {
        s0 = FloatVector.fromArray(S, x, colIdx[q] * d + t).fma(FloatVector.broadcast(S, values[q]), s0);
      }
      s0.intoArray(out, oi + t);
    }
    for (; t < d; t++) {
      float s = accumulate ? out[oi + t] : 0f;
      for (int q = q0; q < q1; q++) {
        s = Math.fma(values[q], x[colIdx[q] * d + t], s);
      }
      out[oi + t] = s;
    }
  }

  // ------------------------------------------------------------------------------------------- level 1

  /** Σ a[i]·b[i] over [0, n). */
  public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    int i = 0;
    float s = 0f;
    if (n >= L) {
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = s0;
      FloatVector s2 = s0;
      FloatVector s3 = s0;
      int bound4 = n - n % (4 * L);
      for (; i < bound4; i += 4 * L) {
        s0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), s0);
        s1 = FloatVector.fromArray(S, a, aOff + i + L).fma(FloatVector.fromArray(S, b, bOff + i + L), s1);
        s2 = FloatVector.fromArray(S, a, aOff + i + 2 * L).fma(FloatVector.fromArray(S, b, bOff + i + 2 * L), s2);
        s3 = FloatVector.fromArray(S, a, aOff + i + 3 * L).fma(FloatVector.fromArray(S, b, bOff + i + 3 * L), s3);
      }
      int bound = S.loopBound(n);
      for (; i < bound; i += L) {
        s0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), s0);
      }
      s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < n; i++) {
      s = Math.fma(a[aOff + i], b[bOff + i], s);
    }
    return s;
  }

  /** The first index i in [from, to) with a[i] > t, or {@code to} when there is none (NaN never passes). */
  public static int firstAbove(float[] a, int from, int to, float t) {
    int i = from;
    if (to - from >= 4 * L) {
      FloatVector tv = FloatVector.broadcast(S, t);
      int bound4 = to - 4 * L;
      for (; i <= bound4; i += 4 * L) {
        VectorMask<Float> m0 = FloatVector.fromArray(S, a, i).compare(VectorOperators.GT, tv);
        VectorMask<Float> m1 = FloatVector.fromArray(S, a, i + L).compare(VectorOperators.GT, tv);
        VectorMask<Float> m2 = FloatVector.fromArray(S, a, i + 2 * L).compare(VectorOperators.GT, tv);
        VectorMask<Float> m3 = FloatVector.fromArray(S, a, i + 3 * L).compare(VectorOperators.GT, tv);
        if (m0.or(m1).or(m2.or(m3)).anyTrue()) {
          break; // the scalar loop below finds the exact index within these 4·L values
        }
      }
    }
    for (; i < to; i++) {
      if (a[i] > t) {
        return i;
      }
    }
    return to;
  }

  /** Σ x[i]² over [off, off+n). */
  public static float sumOfSquares(float[] x, int off, int n) {
    return dot(x, off, x, off, n);
  }

  /** out[i] = Σ_t a[i·d+t]·b[i·d+t] for i in [0, m). */
  public static void rowDots(float[] a, float[] b, int m, int d, float[] out) {
    rowDotsRange(a, b, d, out, 0, m);
  }

  /** Rows [from, to) of {@link #rowDots}. */
  static void rowDotsRange(float[] a, float[] b, int d, float[] out, int from, int to) {
    for (int i = from; i < to; i++) {
      out[i] = dot(a, i * d, b, i * d, d);
    }
  }

  /** y[yOff..] += alpha · x[xOff..] over n values. */
  public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    FloatVector av = FloatVector.broadcast(S, alpha);
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += L) {
      FloatVector.fromArray(S, x, xOff + i).fma(av, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }
  }

  /** x[off..off+n) *= s. */
  public static void scale(float[] x, float s, int off, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += L) {
      FloatVector.fromArray(S, x, off + i).mul(s).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] *= s;
    }
  }

  /** out[outOff+i] = a[aOff+i] + b[bOff+i] over n values. */
  public static void add(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += L) {
      FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = a[aOff + i] + b[bOff + i];
    }
  }

  /** out[outOff+i] = a[aOff+i] · b[bOff+i] over n values. */
  public static void mul(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += L) {
      FloatVector.fromArray(S, a, aOff + i).mul(FloatVector.fromArray(S, b, bOff + i)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = a[aOff + i] * b[bOff + i];
    }
  }

  /** out[outOff+i] += a[aOff+i] · b[bOff+i] over n values (fused). */
  public static void mulAdd(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += L) {
      FloatVector.fromArray(S, a, aOff + i)
          .fma(FloatVector.fromArray(S, b, bOff + i), FloatVector.fromArray(S, out, outOff + i))
          .intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = Math.fma(a[aOff + i], b[bOff + i], out[outOff + i]);
    }
  }

  /** dst[idx[r]·d ..+d) += src[r·d ..+d) for r in [0, idx.length), in order of r. */
  public static void scatterAddRows(float[] src, int[] idx, float[] dst, int d) {
    for (int r = 0; r < idx.length; r++) {
      add(dst, idx[r] * d, src, r * d, dst, idx[r] * d, d);
    }
  }
}
