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

  /** 8 vectors of zeros: where an FMA chain starts from nothing, it loads its start from here. */
  private static final float[] ZERO_ROW = new float[8 * L];

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
    DenseRows o = DenseRows.of(out, d);
    spmmRange(a, DenseRows.of(x, d), accumulate ? o : null, o, 1f, false, 0, a.rows);
  }

  /** out(i) = init(i) + (a·x)(i) for every row i of a; init null means zeros (see {@link Kernels#spmm}). */
  public static void spmm(CsrMatrix a, DenseRows x, DenseRows init, DenseRows out) {
    spmmRange(a, x, init, out, 1f, false, 0, a.rows);
  }

  /** out(i) += alpha·(init(i) + (a·x)(i)) for every row i of a (see {@link Kernels#spmmAddScaled}). */
  public static void spmmAddScaled(CsrMatrix a, DenseRows x, DenseRows init, float alpha, DenseRows out) {
    spmmRange(a, x, init, out, alpha, true, 0, a.rows);
  }

  /**
   * Rows [from, to) of {@code init + a·x}, stored into out or, when {@code addScaled}, added into it scaled by
   * alpha. x is one array or two stacked blocks; out is stacked (not remapped).
   */
  static void spmmRange(
      CsrMatrix a, DenseRows x, DenseRows init, DenseRows out, float alpha, boolean addScaled, int from, int to) {
    RowReader reader = new RowReader(a, x);
    int i = from;
    while (i < to) {
      int b = out.blockOf(i);
      int start = out.blockStart(b);
      int end = Math.min(to, out.ends[b]);
      float[] o = out.arrays[b];
      for (; i < end; i++) {
        float[] in = init == null ? null : init.arrayOf(i);
        int inOff = init == null ? -1 : init.offsetOf(i);
        reader.row(i, in, inOff, o, (i - start) * reader.d, alpha, addScaled);
      }
    }
  }

  /** Rows [from, to) of spmmAddScaled, row i added to out at row i − from + outRow0. */
  static void spmmAddScaledRows(
      CsrMatrix a, DenseRows x, DenseRows init, float alpha, int from, int to, float[] out, int outRow0) {
    RowReader reader = new RowReader(a, x);
    int d = reader.d;
    for (int i = from; i < to; i++) {
      float[] in = init == null ? null : init.arrayOf(i);
      int inOff = init == null ? -1 : init.offsetOf(i);
      reader.row(i, in, inOff, out, (i - from + outRow0) * d, alpha, true);
    }
  }

  /** out[rows.length×d] (+)= (a · x) restricted to the given rows of a. */
  public static void spmmRows(CsrMatrix a, int[] rows, float[] x, int d, float[] out, boolean accumulate) {
    spmmRowsRange(a, rows, DenseRows.of(x, d), out, accumulate, 0, rows.length);
  }

  /** out[rows.length×d] = (a · x) restricted to the given rows of a (x one array or two stacked blocks). */
  public static void spmmRows(CsrMatrix a, int[] rows, DenseRows x, float[] out) {
    spmmRowsRange(a, rows, x, out, false, 0, rows.length);
  }

  /** Entries [from, to) of {@code rows} in {@link #spmmRows}. */
  static void spmmRowsRange(
      CsrMatrix a, int[] rows, DenseRows x, float[] out, boolean accumulate, int from, int to) {
    RowReader reader = new RowReader(a, x);
    int d = reader.d;
    for (int r = from; r < to; r++) {
      reader.row(rows[r], accumulate ? out : null, accumulate ? r * d : -1, out, r * d, 1f, false);
    }
  }

  /**
   * Computes rows of {@code init + a·x} for x in one array or two stacked blocks [x0; x1] (split at column
   * {@code boundary}). Columns ascend, so a row's entries are a run over x0 followed by a run over x1; in a
   * user–item graph one of the two is always empty. Each run is one call of {@link #spmmRun}; a row with both
   * continues the second run from the first one's sums, kept in a scratch row (stored floats: the same bits).
   */
  private static final class RowReader {
    final CsrMatrix a;
    final float[] x0;
    final float[] x1;
    final int boundary;
    final int d;
    final int shift;
    private float[] scratch;
    private float[] sum;

    RowReader(CsrMatrix a, DenseRows x) {
      this.a = a;
      this.d = x.cols;
      this.x0 = x.arrays[0];
      this.x1 = x.arrays.length > 1 ? x.arrays[1] : null;
      this.boundary = x1 == null ? Integer.MAX_VALUE : x.ends[0];
      this.shift = x1 == null ? 0 : boundary * d; // x1's row c − boundary starts at c·d − shift
    }

    void row(int i, float[] init, int initOff, float[] out, int oi, float alpha, boolean addScaled) {
      if (addScaled) { // the row's sum into a scratch row, then out += alpha·sum in a loop of its own
        if (sum == null) {
          sum = new float[d];
        }
        row(i, init, initOff, sum, 0);
        addScaled(out, oi, sum, alpha, d);
      } else {
        row(i, init, initOff, out, oi);
      }
    }

    private void row(int i, float[] init, int initOff, float[] out, int oi) {
      int q0 = a.rowPtr[i];
      int q1 = a.rowPtr[i + 1];
      int qs = firstColumnAtLeast(a.colIdx, q0, q1, boundary);
      if (qs == q1) {
        spmmRun(a.colIdx, a.values, q0, q1, x0, 0, d, init, initOff, out, oi);
      } else if (qs == q0) {
        spmmRun(a.colIdx, a.values, q0, q1, x1, shift, d, init, initOff, out, oi);
      } else {
        if (scratch == null) {
          scratch = new float[d];
        }
        spmmRun(a.colIdx, a.values, q0, qs, x0, 0, d, init, initOff, scratch, 0);
        spmmRun(a.colIdx, a.values, qs, q1, x1, shift, d, scratch, 0, out, oi);
      }
    }
  }

  /**
   * out[o..o+n) += alpha·s[0..n): the product rounded, then added (no fused multiply-add), as adding a scaled
   * product computed apart. A loop of its own: after the accumulating loop, a branch on whether to add kept the
   * JIT from compiling the vector operations in place (it boxed them, allocating gigabytes per epoch).
   */
  private static void addScaled(float[] out, int o, float[] s, float alpha, int n) {
    FloatVector av = FloatVector.broadcast(S, alpha);
    int t = 0;
    int bound = S.loopBound(n);
    for (; t < bound; t += L) {
      FloatVector.fromArray(S, s, t).mul(av).add(FloatVector.fromArray(S, out, o + t)).intoArray(out, o + t);
    }
    for (; t < n; t++) {
      out[o + t] = out[o + t] + alpha * s[t];
    }
  }

  /**
   * Rows [from, to) of {@link Kernels#spmmSparseInput}. Each row's present entries are listed first (slot and
   * value, in column order) and run by {@link #spmmRun}: a branch among its accumulators would keep the JIT
   * from holding them in registers.
   */
  static void spmmSparseInputRange(CsrMatrix a, int[] slotOf, float[] xc, int d, float[] out, int from, int to) {
    int longest = 0;
    for (int i = from; i < to; i++) {
      longest = Math.max(longest, a.rowPtr[i + 1] - a.rowPtr[i]);
    }
    int[] slots = new int[longest];
    float[] vals = new float[longest];
    for (int i = from; i < to; i++) {
      // lists the entries whose column has a slot without a branch (absent and present come in no pattern: with
      // a branch, mispredicted about every other entry, this loop took a third longer): each entry is written,
      // and the count moves past it only when present
      int cnt = 0;
      for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
        int slot = slotOf[a.colIdx[q]];
        slots[cnt] = slot;
        vals[cnt] = a.values[q];
        cnt += ~slot >>> 31; // 1 when slot ≥ 0
      }
      int self = slotOf[i];
      spmmRun(slots, vals, 0, cnt, xc, 0, d, xc, self < 0 ? -1 : self * d, out, i * d);
    }
  }

  /**
   * out[j·d..+d) += Σ_k a(rows[k], j)·x[k·d..+d) by scattering the given rows of a in order (see {@link
   * Kernels#spmmTransposedRows}).
   */
  public static void spmmTransposedRows(CsrMatrix a, int[] rows, float[] x, int d, float[] out) {
    spmmTransposedRowsRange(a, rows, x, d, out, 0, a.cols);
  }

  /** {@link #spmmTransposedRows} for the output rows j in [lo, hi) only (the others' entries are skipped). */
  static void spmmTransposedRowsRange(CsrMatrix a, int[] rows, float[] x, int d, float[] out, int lo, int hi) {
    int[] colIdx = a.colIdx;
    float[] values = a.values;
    int bound8 = d - d % (8 * L);
    int bound = S.loopBound(d);
    for (int k = 0; k < rows.length; k++) {
      int q0 = a.rowPtr[rows[k]];
      int q1 = a.rowPtr[rows[k] + 1];
      int xk = k * d;
      int t = 0;
      for (; t < bound8; t += 8 * L) {
        FloatVector g0 = FloatVector.fromArray(S, x, xk + t);
        FloatVector g1 = FloatVector.fromArray(S, x, xk + t + L);
        FloatVector g2 = FloatVector.fromArray(S, x, xk + t + 2 * L);
        FloatVector g3 = FloatVector.fromArray(S, x, xk + t + 3 * L);
        FloatVector g4 = FloatVector.fromArray(S, x, xk + t + 4 * L);
        FloatVector g5 = FloatVector.fromArray(S, x, xk + t + 5 * L);
        FloatVector g6 = FloatVector.fromArray(S, x, xk + t + 6 * L);
        FloatVector g7 = FloatVector.fromArray(S, x, xk + t + 7 * L);
        for (int q = q0; q < q1; q++) {
          int j = colIdx[q];
          if (j < lo || j >= hi) {
            continue;
          }
          FloatVector v = FloatVector.broadcast(S, values[q]);
          int o = j * d + t;
          g0.fma(v, FloatVector.fromArray(S, out, o)).intoArray(out, o);
          g1.fma(v, FloatVector.fromArray(S, out, o + L)).intoArray(out, o + L);
          g2.fma(v, FloatVector.fromArray(S, out, o + 2 * L)).intoArray(out, o + 2 * L);
          g3.fma(v, FloatVector.fromArray(S, out, o + 3 * L)).intoArray(out, o + 3 * L);
          g4.fma(v, FloatVector.fromArray(S, out, o + 4 * L)).intoArray(out, o + 4 * L);
          g5.fma(v, FloatVector.fromArray(S, out, o + 5 * L)).intoArray(out, o + 5 * L);
          g6.fma(v, FloatVector.fromArray(S, out, o + 6 * L)).intoArray(out, o + 6 * L);
          g7.fma(v, FloatVector.fromArray(S, out, o + 7 * L)).intoArray(out, o + 7 * L);
        }
      }
      for (; t < bound; t += L) {
        FloatVector g0 = FloatVector.fromArray(S, x, xk + t);
        for (int q = q0; q < q1; q++) {
          int j = colIdx[q];
          if (j >= lo && j < hi) {
            int o = j * d + t;
            g0.fma(FloatVector.broadcast(S, values[q]), FloatVector.fromArray(S, out, o)).intoArray(out, o);
          }
        }
      }
      for (; t < d; t++) {
        float g = x[xk + t];
        for (int q = q0; q < q1; q++) {
          int j = colIdx[q];
          if (j >= lo && j < hi) {
            out[j * d + t] = Math.fma(g, values[q], out[j * d + t]);
          }
        }
      }
    }
  }

  /** The first entry in [q0, q1) whose column is ≥ boundary; q1 when there is none. */
  private static int firstColumnAtLeast(int[] colIdx, int q0, int q1, int boundary) {
    if (q0 == q1 || colIdx[q0] >= boundary) {
      return q0;
    }
    if (colIdx[q1 - 1] < boundary) {
      return q1;
    }
    int lo = q0 + 1; // colIdx[q0] < boundary <= colIdx[q1 - 1]
    int hi = q1 - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (colIdx[mid] >= boundary) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /**
   * One run of a row's entries (column indices and values, of a matrix or listed apart): s = init[initOff..+d)
   * (zeros when initOff &lt; 0) + Σ_{q in [q0, q1)} values[q]·x[colIdx[q]·d − shift..+d), each element one FMA
   * chain in entry order; then out[oi..+d) = s.
   * init may be out itself at the same offset (accumulate).
   *
   * <p>Shaped for C2: one entry loop over one array (choosing the array per entry measured 40–70% slower), the
   * chains always start from a loaded row (zeros from {@link #ZERO_ROW}) and the epilogue only stores them (a
   * scaled add into out is {@link #addScaled}'s, after). Vectors that merge at a join, flow through two loops in
   * a row, or meet a branch in the epilogue made C2 fail to intrinsify them in some runs (which ones depended on
   * the profile at compile time) and box every accumulator: 3× slower, with 0.5–3 GB of garbage per epoch.
   */
  private static void spmmRun(
      int[] colIdx, float[] values, int q0, int q1, float[] x, int shift, int d, float[] init, int initOff, float[] out,
      int oi) {
    boolean zero = initOff < 0;
    int t = 0;
    // 8 accumulators (64 floats at 256 bits: a whole embedding row) so that each neighbour's row is read in
    // one pass; rows of popular items have hundreds of neighbours and would otherwise leave L1 between passes
    int bound8 = d - d % (8 * L);
    for (; t < bound8; t += 8 * L) {
      float[] src = zero ? ZERO_ROW : init;
      int io = zero ? 0 : initOff + t;
      FloatVector s0 = FloatVector.fromArray(S, src, io);
      FloatVector s1 = FloatVector.fromArray(S, src, io + L);
      FloatVector s2 = FloatVector.fromArray(S, src, io + 2 * L);
      FloatVector s3 = FloatVector.fromArray(S, src, io + 3 * L);
      FloatVector s4 = FloatVector.fromArray(S, src, io + 4 * L);
      FloatVector s5 = FloatVector.fromArray(S, src, io + 5 * L);
      FloatVector s6 = FloatVector.fromArray(S, src, io + 6 * L);
      FloatVector s7 = FloatVector.fromArray(S, src, io + 7 * L);
      for (int q = q0; q < q1; q++) {
        FloatVector v = FloatVector.broadcast(S, values[q]);
        int xj = colIdx[q] * d - shift + t;
        s0 = FloatVector.fromArray(S, x, xj).fma(v, s0);
        s1 = FloatVector.fromArray(S, x, xj + L).fma(v, s1);
        s2 = FloatVector.fromArray(S, x, xj + 2 * L).fma(v, s2);
        s3 = FloatVector.fromArray(S, x, xj + 3 * L).fma(v, s3);
        s4 = FloatVector.fromArray(S, x, xj + 4 * L).fma(v, s4);
        s5 = FloatVector.fromArray(S, x, xj + 5 * L).fma(v, s5);
        s6 = FloatVector.fromArray(S, x, xj + 6 * L).fma(v, s6);
        s7 = FloatVector.fromArray(S, x, xj + 7 * L).fma(v, s7);
      }
      int o = oi + t;
      s0.intoArray(out, o);
      s1.intoArray(out, o + L);
      s2.intoArray(out, o + 2 * L);
      s3.intoArray(out, o + 3 * L);
      s4.intoArray(out, o + 4 * L);
      s5.intoArray(out, o + 5 * L);
      s6.intoArray(out, o + 6 * L);
      s7.intoArray(out, o + 7 * L);
    }
    int bound = S.loopBound(d);
    for (; t < bound; t += L) {
      FloatVector s0 = FloatVector.fromArray(S, zero ? ZERO_ROW : init, zero ? 0 : initOff + t);
      for (int q = q0; q < q1; q++) {
        s0 = FloatVector.fromArray(S, x, colIdx[q] * d - shift + t).fma(FloatVector.broadcast(S, values[q]), s0);
      }
      s0.intoArray(out, oi + t);
    }
    for (; t < d; t++) {
      float s = zero ? 0f : init[initOff + t];
      for (int q = q0; q < q1; q++) {
        s = Math.fma(values[q], x[colIdx[q] * d - shift + t], s);
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

  /**
   * One Adam update of x[off..off+n) (see {@link AdamStep}): lanewise operations in the scalar twin's order,
   * none fused, and a correctly rounded square root, so the bits are the scalar kernel's.
   */
  public static void adam(AdamStep s, float[] x, float[] g, float[] m, float[] v, int off, int n) {
    adam(s, x, g, off, m, v, off, n);
  }

  /** {@link #adam} with the gradient of element i at g[gOff + i − off] (a chunk of the gradient, say). */
  public static void adam(AdamStep s, float[] x, float[] g, int gOff, float[] m, float[] v, int off, int n) {
    int gs = gOff - off;
    float wd = s.weightDecay();
    FloatVector b1 = FloatVector.broadcast(S, s.beta1());
    FloatVector c1 = FloatVector.broadcast(S, s.oneMinusBeta1());
    FloatVector b2 = FloatVector.broadcast(S, s.beta2());
    FloatVector c2 = FloatVector.broadcast(S, s.oneMinusBeta2());
    FloatVector step = FloatVector.broadcast(S, s.stepSize());
    FloatVector bc2 = FloatVector.broadcast(S, s.invSqrtBc2());
    FloatVector eps = FloatVector.broadcast(S, s.eps());
    // two loops rather than one with a branch on wd: vectors merged at a join can make C2 box them (see
    // spmmRow); with weight decay the gradient is g + wd·x, without it g itself (as torch)
    int i = off;
    int bound = off + S.loopBound(n);
    boolean clear = s.zeroGradient();
    if (wd == 0f) {
      for (; i < bound; i += L) {
        FloatVector xv = FloatVector.fromArray(S, x, i);
        FloatVector gv = FloatVector.fromArray(S, g, i + gs);
        FloatVector mv = b1.mul(FloatVector.fromArray(S, m, i)).add(c1.mul(gv));
        FloatVector vv = b2.mul(FloatVector.fromArray(S, v, i)).add(c2.mul(gv).mul(gv));
        mv.intoArray(m, i);
        vv.intoArray(v, i);
        xv.sub(step.mul(mv).div(vv.lanewise(VectorOperators.SQRT).mul(bc2).add(eps))).intoArray(x, i);
        if (clear) { // zeros loaded in the loop: storing a vector made before it was not always intrinsified
          FloatVector.fromArray(S, ZERO_ROW, 0).intoArray(g, i + gs);
        }
      }
    } else {
      for (; i < bound; i += L) {
        FloatVector xv = FloatVector.fromArray(S, x, i);
        FloatVector gv = FloatVector.fromArray(S, g, i + gs).add(xv.mul(wd));
        FloatVector mv = b1.mul(FloatVector.fromArray(S, m, i)).add(c1.mul(gv));
        FloatVector vv = b2.mul(FloatVector.fromArray(S, v, i)).add(c2.mul(gv).mul(gv));
        mv.intoArray(m, i);
        vv.intoArray(v, i);
        xv.sub(step.mul(mv).div(vv.lanewise(VectorOperators.SQRT).mul(bc2).add(eps))).intoArray(x, i);
        if (clear) { // zeros loaded in the loop: storing a vector made before it was not always intrinsified
          FloatVector.fromArray(S, ZERO_ROW, 0).intoArray(g, i + gs);
        }
      }
    }
    ScalarKernels.adam(s, x, g, i + gs, m, v, i, off + n - i);
  }

  /** dst[idx[r]·d ..+d) += src[r·d ..+d) for r in [0, idx.length), in order of r. */
  public static void scatterAddRows(float[] src, int[] idx, float[] dst, int d) {
    for (int r = 0; r < idx.length; r++) {
      add(dst, idx[r] * d, src, r * d, dst, idx[r] * d, d);
    }
  }
}
