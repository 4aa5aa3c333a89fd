package org.userec.tensor.simd;

import org.userec.graph.CsrMatrix;
import org.userec.util.Parallel;

/**
 * The numeric kernels every op and model relies on. All arrays are row-major and dense; offsets and sizes
 * are trusted to lie inside the arrays (out-of-range accesses throw {@link IndexOutOfBoundsException}).
 *
 * <p>Every kernel has a scalar twin in {@link ScalarKernels} with the same contract (differentially tested
 * against {@link VectorKernels}). This facade picks the vectorised kernels once, when {@code
 * jdk.incubator.vector} is available (run with {@code --add-modules jdk.incubator.vector}; {@code
 * -Duserec.simd=scalar} forces the scalar twin), and splits large work across cores with {@link
 * Parallel#forRange}; tiny inputs run on the calling thread.
 *
 * <p>Results do not depend on the number of threads: work is split by output rows/tiles whose per-element
 * computation is fixed by the sizes alone, and reductions ({@link #sumOfSquares}) use fixed chunk
 * boundaries. Vector and scalar results differ only by floating-point rounding (FMA, summation order);
 * elementwise kernels and {@link #scatterAddRows} are exact (bit-identical).
 */
public final class Kernels {
  private static final System.Logger LOG = System.getLogger(Kernels.class.getName());

  /** Whether the vector kernels are in use; decided once. */
  private static final boolean VECTOR = chooseVector();

  /** Below this many multiply-adds a gemm/spmm runs on the calling thread. */
  private static final long SERIAL_FLOPS = 1L << 16;

  /**
   * Elementwise kernels split into chunks of this many values (when larger than two chunks): they are
   * memory-bound, and below about 2^18 values the pool's hand-off costs more than a second thread saves.
   */
  private static final int ELEMENT_CHUNK = 1 << 17;

  /** sumOfSquares reduces fixed chunks of this many values, then adds the partial sums in order. */
  static final int REDUCE_CHUNK = 1 << 14;

  /** Floating-point operations (2·m·k·n per product) of the dense matrix products since start-up. */
  private static final java.util.concurrent.atomic.LongAdder GEMM_FLOPS = new java.util.concurrent.atomic.LongAdder();

  private Kernels() {}

  /**
   * Floating-point operations of every dense matrix product so far (2·m·k·n each, whichever kernel ran it):
   * the work a benchmark can divide by its time, and compare with the cores' peak.
   */
  public static long gemmFlops() {
    return GEMM_FLOPS.sum();
  }

  private static void countGemm(long m, long k, long n) {
    GEMM_FLOPS.add(2 * m * k * n);
  }

  private static boolean chooseVector() {
    if ("scalar".equalsIgnoreCase(System.getProperty("userec.simd", "").trim())) {
      LOG.log(System.Logger.Level.INFO, "userec.simd=scalar: using the scalar kernels");
      return false;
    }
    try {
      int lanes = VectorKernels.lanes();
      LOG.log(System.Logger.Level.DEBUG, "using vector kernels, " + lanes + " float lanes");
      return true;
    } catch (LinkageError e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "jdk.incubator.vector is not available, using the slower scalar kernels; enable the fast path with"
              + " the JVM option --add-modules jdk.incubator.vector");
      return false;
    }
  }

  /** Whether the vectorised kernels are in use. */
  public static boolean vectorized() {
    return VECTOR;
  }

  /** One line naming the kernels in use, for logs and provenance. */
  public static String describe() {
    return VECTOR
        ? "vector (" + VectorKernels.lanes() * 32 + "-bit), " + Parallel.threads() + " threads"
        : "scalar, single-threaded";
  }

  // ------------------------------------------------------------------------------------------------ gemm

  /** c[m×n] (+)= a[m×k] · b[k×n]. With {@code accumulate} false, c is overwritten. */
  public static void gemmNN(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    countGemm(m, k, n);
    if (!VECTOR) {
      ScalarKernels.gemmNN(a, b, c, m, k, n, accumulate);
      return;
    }
    VectorKernels.checkGemm(a, m * k, b, k * n, c, m * n);
    gemm(VectorGemm.Layout.NN, a, b, c, m, k, n, accumulate);
  }

  /**
   * c[m×n] (+)= a[m×k] · b[n×k]ᵀ, i.e. c[i][j] = Σ_p a[i][p]·b[j][p] (scoring: users × itemsᵀ). With
   * {@code accumulate} false, c is overwritten.
   */
  public static void gemmNT(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    countGemm(m, k, n);
    if (!VECTOR) {
      ScalarKernels.gemmNT(a, b, c, m, k, n, accumulate);
      return;
    }
    VectorKernels.checkGemm(a, m * k, b, n * k, c, m * n);
    gemm(VectorGemm.Layout.NT, a, b, c, m, k, n, accumulate);
  }

  /** c[k×n] (+)= a[m×k]ᵀ · b[m×n] (weight gradients). With {@code accumulate} false, c is overwritten. */
  public static void gemmTN(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    countGemm(m, k, n);
    if (!VECTOR) {
      ScalarKernels.gemmTN(a, b, c, m, k, n, accumulate);
      return;
    }
    VectorKernels.checkGemm(a, m * k, b, m * n, c, k * n);
    gemm(VectorGemm.Layout.TN, a, b, c, m, k, n, accumulate);
  }

  private static void gemm(
      VectorGemm.Layout layout, float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    VectorGemm.Problem p = VectorGemm.problem(layout, a, b, c, m, k, n, accumulate);
    if (p == null) {
      return;
    }
    boolean serial = (long) m * k * n < SERIAL_FLOPS;
    int groups = p.prepackGroups();
    if (serial || groups <= 1) {
      p.prepack(0, groups);
    } else {
      int depth = p.plan().k();
      Parallel.forRange(groups, Math.max(1, PACK_CHUNK / Math.max(1, VectorGemm.MR * depth)), p::prepack);
    }
    int tiles = p.plan().tiles();
    if (serial || tiles <= 1) {
      p.run(0, tiles);
    } else {
      Parallel.forRange(tiles, 1, p::run);
    }
    p.release();
  }

  /** Rows per block of {@link #gemmNT(float[], float[], float[], int, int, int, RowsDone)}. */
  public static final int ROW_BLOCK = 24;

  /** Told that rows [from, to) of a product are complete. */
  @FunctionalInterface
  public interface RowsDone {
    void rows(int from, int to);
  }

  /**
   * c[m×n] = a[m×k] · b[n×k]ᵀ computed in blocks of {@link #ROW_BLOCK} whole rows ([0, 24), [24, 48), …),
   * calling {@code done.rows(from, to)} for each block on the thread that computed it, right after it, while the
   * block is still in cache (e.g. a softmax of each row). Blocks run in parallel: {@code done} must touch only
   * its own rows' data and must not fork. c's values are those of {@link #gemmNT(float[], float[], float[],
   * int, int, int, boolean)} up to rounding, and do not depend on the thread count.
   */
  public static void gemmNT(float[] a, float[] b, float[] c, int m, int k, int n, RowsDone done) {
    if (!VECTOR || m == 0 || n == 0 || k == 0) {
      if (VECTOR) {
        gemmNT(a, b, c, m, k, n, false); // an empty product: nothing to count
      } else {
        countGemm(m, k, n);
        ScalarKernels.gemmNT(a, b, c, m, k, n, false);
      }
      for (int r = 0; r < m; r += ROW_BLOCK) {
        done.rows(r, Math.min(m, r + ROW_BLOCK));
      }
      return;
    }
    countGemm(m, k, n);
    VectorKernels.checkGemm(a, m * k, b, n * k, c, m * n);
    VectorGemm.Problem p = VectorGemm.rowTiles(VectorGemm.Layout.NT, a, b, c, m, k, n, ROW_BLOCK);
    prepackB(p);
    Parallel.forRange(p.plan().tiles(), 1, (from, to) -> {
      for (int t = from; t < to; t++) {
        p.run(t, t + 1);
        done.rows(t * ROW_BLOCK, Math.min(m, (t + 1) * ROW_BLOCK));
      }
    });
    p.release();
  }

  /**
   * c[m×n] = a[m×k] · b[k×n] prepared once and computed a block of rows at a time by {@link #rows}, on the
   * calling thread: for products whose rows become ready one block at a time (inside {@link #gemmNT(float[],
   * float[], float[], int, int, int, RowsDone)}'s callback). {@link #close} when done.
   */
  public static final class RowProduct implements AutoCloseable {
    private final float[] a;
    private final float[] b;
    private final float[] c;
    private final int m;
    private final int k;
    private final int n;
    private final VectorGemm.Problem p; // null on the scalar path

    private RowProduct(float[] a, float[] b, float[] c, int m, int k, int n, VectorGemm.Problem p) {
      this.a = a;
      this.b = b;
      this.c = c;
      this.m = m;
      this.k = k;
      this.n = n;
      this.p = p;
    }

    /**
     * Rows [from, to) of c (from a multiple of {@link #ROW_BLOCK}, to a multiple of it or m): each one the same
     * values whichever block or thread computes it. Safe from several threads on disjoint rows.
     */
    public void rows(int from, int to) {
      if (from % ROW_BLOCK != 0 || to < from || to > m || (to % ROW_BLOCK != 0 && to != m)) {
        throw new IllegalArgumentException(
            "rows [" + from + ", " + to + ") of " + m + " are not whole blocks of " + ROW_BLOCK);
      }
      countGemm(to - from, k, n);
      if (p == null) {
        ScalarKernels.gemmNNRows(a, b, c, k, n, from, to);
      } else if (to > from) {
        p.run(from / ROW_BLOCK, VectorGemm.ceilDiv(to, ROW_BLOCK));
      }
    }

    @Override
    public void close() {
      if (p != null) {
        p.release();
      }
    }
  }

  /** Prepares c[m×n] = a[m×k] · b[k×n] for {@link RowProduct#rows}; packs b now (across threads). */
  public static RowProduct rowProduct(float[] a, float[] b, float[] c, int m, int k, int n) {
    if (!VECTOR || m == 0 || n == 0 || k == 0) {
      return new RowProduct(a, b, c, m, k, n, null);
    }
    VectorKernels.checkGemm(a, m * k, b, k * n, c, m * n);
    VectorGemm.Problem p = VectorGemm.rowTiles(VectorGemm.Layout.NN, a, b, c, m, k, n, ROW_BLOCK);
    prepackB(p);
    return new RowProduct(a, b, c, m, k, n, p);
  }

  private static void prepackB(VectorGemm.Problem p) {
    int slivers = p.prepackSlivers();
    Parallel.forRange(slivers, Math.max(1, PACK_CHUNK / Math.max(1, VectorGemm.NR * p.plan().k())), p::prepackB);
  }

  /**
   * A matrix x[rows×cols] that never changes (a frozen feature table), with the operand layouts the vector
   * kernels build from it on first use and keep: products x·b and xᵀ·b then skip re-packing x (the most
   * expensive part of a product with few columns, such as a feature projection). Holds up to two extra copies
   * of x; none when x has more than {@value #CONSTANT_CACHE_MAX} values (the products then pack as usual).
   * Thread-safe.
   */
  public static final class Constant {
    private final float[] x;
    private final int rows;
    private final int cols;
    private volatile float[] asLeft; // x packed as A' of x·b
    private volatile float[] asLeftT; // xᵀ packed as A' of xᵀ·b

    public Constant(float[] x, int rows, int cols) {
      if ((long) rows * cols != x.length) {
        throw new IllegalArgumentException("shape " + rows + "x" + cols + " does not match " + x.length + " values");
      }
      this.x = x;
      this.rows = rows;
      this.cols = cols;
    }

    private boolean cached() {
      return VECTOR && (long) rows * cols <= CONSTANT_CACHE_MAX && rows > 0 && cols > 0;
    }

    private float[] packed(boolean transposed) {
      float[] p = transposed ? asLeftT : asLeft;
      if (p == null) {
        synchronized (this) {
          p = transposed ? asLeftT : asLeft;
          if (p == null) {
            int m = transposed ? cols : rows;
            int k = transposed ? rows : cols;
            float[] out = new float[VectorGemm.packedLength(m, k)];
            int groups = VectorGemm.ceilDiv(m, VectorGemm.MR);
            Parallel.forRange(
                groups,
                Math.max(1, PACK_CHUNK / (VectorGemm.MR * k)),
                (g0, g1) -> VectorGemm.packWhole(x, m, k, transposed, g0, g1, out));
            p = out;
            if (transposed) {
              asLeftT = p;
            } else {
              asLeft = p;
            }
          }
        }
      }
      return p;
    }
  }

  /** Constants above this many values are not given packed copies. */
  public static final long CONSTANT_CACHE_MAX = 1L << 25;

  /** c[rows×n] (+)= x · b[cols×n] for a constant x. With {@code accumulate} false, c is overwritten. */
  public static void gemmNN(Constant x, float[] b, float[] c, int n, boolean accumulate) {
    if (!x.cached()) {
      gemmNN(x.x, b, c, x.rows, x.cols, n, accumulate);
      return;
    }
    countGemm(x.rows, x.cols, n);
    VectorKernels.checkGemm(x.x, x.rows * x.cols, b, x.cols * n, c, x.rows * n);
    run(VectorGemm.prepacked(x.packed(false), b, c, x.rows, x.cols, n, accumulate));
  }

  /** c[cols×n] (+)= xᵀ · b[rows×n] for a constant x (weight gradients). With {@code accumulate} false, c is overwritten. */
  public static void gemmTN(Constant x, float[] b, float[] c, int n, boolean accumulate) {
    if (!x.cached()) {
      gemmTN(x.x, b, c, x.rows, x.cols, n, accumulate);
      return;
    }
    countGemm(x.rows, x.cols, n);
    VectorKernels.checkGemm(x.x, x.rows * x.cols, b, x.rows * n, c, x.cols * n);
    run(VectorGemm.prepacked(x.packed(true), b, c, x.cols, x.rows, n, accumulate));
  }

  /** Runs a prepared problem's tiles across threads. */
  private static void run(VectorGemm.Problem p) {
    if (p == null) {
      return;
    }
    VectorGemm.Plan plan = p.plan();
    int tiles = plan.tiles();
    if (tiles <= 1 || (long) plan.m() * plan.k() * plan.n() < SERIAL_FLOPS) {
      p.run(0, tiles);
    } else {
      Parallel.forRange(tiles, 1, p::run);
    }
    p.release();
  }

  /** Values per task when a gemm operand is packed across threads. */
  private static final int PACK_CHUNK = 1 << 16;

  // --------------------------------------------------------------------------------------------- softmax

  /** The largest of x[off+i] over i in [0, n) (NaN when any value is NaN, −∞ when n = 0). Calling thread. */
  public static float max(float[] x, int off, int n) {
    return VECTOR ? VectorKernels.max(x, off, n) : ScalarKernels.max(x, off, n);
  }

  /**
   * y[yOff+j] = exp(x[xOff+j]·scale − shift) for j in [0, n), returning the sum of the y: the exponentials
   * of a stable softmax (shift = the largest x·scale). exp is Cephes' expf polynomial, bit-identical in the
   * scalar and vector kernels: relative error below 2.5e-7 for arguments in [−87.33, 88]; 0 below, +∞ above,
   * NaN for NaN. The sum is a float sum in an order fixed by n (scalar and vector orders differ). y may be x
   * at the same offset. Runs on the calling thread (one softmax row).
   */
  public static float expShifted(float[] x, int xOff, float scale, float shift, float[] y, int yOff, int n) {
    return VECTOR
        ? VectorKernels.expShifted(x, xOff, scale, shift, y, yOff, n)
        : ScalarKernels.expShifted(x, xOff, scale, shift, y, yOff, n);
  }

  // ------------------------------------------------------------------------------------------------ spmm

  /** out[a.rows×d] (+)= a · x[a.cols×d]. With {@code accumulate} false, out is overwritten. */
  public static void spmm(CsrMatrix a, float[] x, int d, float[] out, boolean accumulate) {
    if (!VECTOR) {
      ScalarKernels.spmm(a, x, d, out, accumulate);
      return;
    }
    if (d == 0) {
      return;
    }
    DenseRows o = DenseRows.of(out, d);
    spmmChunks(a, DenseRows.of(x, d), accumulate ? o : null, o, 1f, false);
  }

  /**
   * out(i) = init(i) + (a·x)(i) for every row i of a: each element is one FMA chain over row i's entries in
   * column order, started from init(i) (from zero when init is null or has no row i stored). x is one array or
   * two stacked blocks (e.g. [users; items], read in place); init may be stacked or remapped, or be out itself
   * (accumulate); out may be stacked (e.g. [user gradients; item gradients], written in place), not remapped.
   */
  public static void spmm(CsrMatrix a, DenseRows x, DenseRows init, DenseRows out) {
    checkSpmm(a, x, init, out);
    if (!VECTOR) {
      ScalarKernels.spmm(a, x, init, out);
      return;
    }
    spmmChunks(a, x, init, out, 1f, false);
  }

  /**
   * out(i) += alpha·(init(i) + (a·x)(i)) for every row i of a, the sum as in {@link #spmm(CsrMatrix, DenseRows,
   * DenseRows, DenseRows)} and the product rounded before it is added (no fused multiply-add: the same bits as
   * computing the sum, scaling it and adding it in three steps). Writes a gradient straight into parameter
   * gradients.
   */
  public static void spmmAddScaled(CsrMatrix a, DenseRows x, DenseRows init, float alpha, DenseRows out) {
    checkSpmm(a, x, init, out);
    if (!VECTOR) {
      ScalarKernels.spmmAddScaled(a, x, init, alpha, out);
      return;
    }
    spmmChunks(a, x, init, out, alpha, true);
  }

  /**
   * Rows [from, to) of {@link #spmmAddScaled} on the calling thread, into a plain array: out row (i − from +
   * outRow0) += alpha·(init(i) + (a·x)(i)), the same bits as that row of spmmAddScaled. For callers that split
   * the rows themselves (an optimizer consuming a deferred gradient chunk by chunk).
   */
  public static void spmmAddScaledRows(
      CsrMatrix a, DenseRows x, DenseRows init, float alpha, int from, int to, float[] out, int outRow0) {
    int d = x.cols();
    checkInput("spmmAddScaledRows", a, x, d);
    if (init != null) {
      init.requireShape("spmmAddScaledRows initial value", a.rows, d);
    }
    if (from < 0 || to > a.rows || from > to || outRow0 < 0 || (long) (outRow0 + to - from) * d > out.length) {
      throw new IllegalArgumentException(
          "spmmAddScaledRows: rows [" + from + ", " + to + ") of " + a.rows + " into row " + outRow0 + " of "
              + out.length + " values (d=" + d + ")");
    }
    if (!VECTOR) {
      ScalarKernels.spmmAddScaledRows(a, x, init, alpha, from, to, out, outRow0);
      return;
    }
    VectorKernels.spmmAddScaledRows(a, x, init, alpha, from, to, out, outRow0);
  }

  private static void checkSpmm(CsrMatrix a, DenseRows x, DenseRows init, DenseRows out) {
    int d = out.cols();
    out.requireShape("spmm output", a.rows, d);
    if (out.isRemapped()) {
      throw new IllegalArgumentException("spmm output must be stacked blocks, not a remapped " + out);
    }
    checkInput("spmm", a, x, d);
    if (init != null) {
      init.requireShape("spmm initial value", a.rows, d);
    }
  }

  /** x must be one array or two stacked blocks: the entry loops read one array per run of columns. */
  private static void checkInput(String op, CsrMatrix a, DenseRows x, int d) {
    x.requireShape(op + " input", a.cols, d);
    if (x.isRemapped() || x.arrays.length > 2) {
      throw new IllegalArgumentException(op + " reads its input from one array or two stacked blocks, not " + x);
    }
  }

  /** Splits rows into {@link #rowChunks} and runs them across threads. */
  private static void spmmChunks(
      CsrMatrix a, DenseRows x, DenseRows init, DenseRows out, float alpha, boolean addScaled) {
    int[] bounds = rowChunks(a, out.cols());
    int chunks = bounds.length - 1;
    if (chunks == 1) {
      VectorKernels.spmmRange(a, x, init, out, alpha, addScaled, 0, a.rows);
      return;
    }
    // chunks [c0, c1) are the rows [bounds[c0], bounds[c1]): contiguous, and equal in work
    Parallel.forRange(
        chunks, 1, (c0, c1) -> VectorKernels.spmmRange(a, x, init, out, alpha, addScaled, bounds[c0], bounds[c1]));
  }

  /** Multiply-adds (entries·d plus d per row for the output) per spmm chunk. */
  static final long SPMM_CHUNK_WORK = 1L << 16;

  /** {@link #rowChunks(int[], int, int)} of a's rows, kept by the matrix for the next call with the same d. */
  static int[] rowChunks(CsrMatrix a, int d) {
    return a.derived(d, w -> rowChunks(a.rowPtr, a.rows, w));
  }

  /**
   * Row boundaries of spmm chunks of about equal work, from prefix sums over rowPtr (rows have power-law
   * lengths in user–item graphs, so equal row counts are not equal work). They depend on the matrix and d
   * only, never on the thread count; every row is computed whole by one task, so results are identical on
   * any number of threads. The first boundary is 0 and the last {@code rows}; boundaries strictly increase.
   */
  static int[] rowChunks(int[] rowPtr, int rows, int d) {
    long total = ((long) rowPtr[rows] + rows) * Math.max(1, d);
    int chunks = (int) Math.max(1, Math.min(Math.min(rows, 4096), total / SPMM_CHUNK_WORK));
    int[] bounds = new int[chunks + 1];
    int count = 1;
    long perChunkUnits = 0; // work in units of (entries + rows), d factored out
    long units = (long) rowPtr[rows] + rows;
    for (int t = 1; t < chunks; t++) {
      perChunkUnits = units * t / chunks;
      // first row r with rowPtr[r] + r >= target
      int lo = bounds[count - 1] + 1;
      int hi = rows;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if ((long) rowPtr[mid] + mid >= perChunkUnits) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      if (lo < rows) {
        bounds[count++] = lo;
      }
    }
    bounds[count++] = rows;
    return count == bounds.length ? bounds : java.util.Arrays.copyOf(bounds, count);
  }

  /**
   * out[rows.length×d] (+)= (a · x) restricted to the given rows of a: out row r is row rows[r] of a·x, the
   * very bits of that row of {@link #spmm}. With {@code accumulate} false, out is overwritten.
   */
  public static void spmmRows(CsrMatrix a, int[] rows, float[] x, int d, float[] out, boolean accumulate) {
    if (!VECTOR) {
      ScalarKernels.spmmRows(a, rows, x, d, out, accumulate);
      return;
    }
    int grain = rowGrain(a.rows, a.nnz(), d);
    DenseRows xr = DenseRows.of(x, d);
    Parallel.forRange(
        rows.length, grain, (from, to) -> VectorKernels.spmmRowsRange(a, rows, xr, out, accumulate, from, to));
  }

  /**
   * out[rows.length×d] = (a · x) restricted to the given rows of a, x one array or two stacked blocks (read in
   * place): out row r is the very bits of row rows[r] of {@link #spmm(CsrMatrix, DenseRows, DenseRows,
   * DenseRows)} with no init.
   */
  public static void spmmRows(CsrMatrix a, int[] rows, DenseRows x, float[] out) {
    int d = x.cols();
    checkInput("spmmRows", a, x, d);
    if (out.length < (long) rows.length * d) {
      throw new IllegalArgumentException("spmmRows output has " + out.length + " values, needs " + rows.length + "x" + d);
    }
    for (int r : rows) {
      if (r < 0 || r >= a.rows) {
        throw new IndexOutOfBoundsException("spmmRows: row " + r + " outside [0, " + a.rows + ")");
      }
    }
    if (!VECTOR) {
      ScalarKernels.spmmRows(a, rows, x, out);
      return;
    }
    int grain = rowGrain(a.rows, a.nnz(), d);
    Parallel.forRange(rows.length, grain, (from, to) -> VectorKernels.spmmRowsRange(a, rows, x, out, false, from, to));
  }

  /**
   * out[a.cols×d] += aᵀ·x for a row-sparse x[a.rows×d] stored compactly: row k of x is row rows[k] (the others
   * are zero). Scatters those rows of a in order, so it costs time in their entries only, not in all of a:
   * out(j) gets a(rows[k], j)·x[k] added for k ascending, each element one FMA chain started from out's value.
   * For ascending rows these are the very bits of the gather product by {@link CsrMatrix#transpose()} (whose
   * row j lists its entries by ascending column), on any number of threads: each thread owns a range of output
   * rows and skips the entries of the others. E.g. the first backward step of a propagation from a gradient
   * that only a batch's nodes have.
   */
  public static void spmmTransposedRows(CsrMatrix a, int[] rows, float[] x, int d, float[] out) {
    if (x.length < (long) rows.length * d || out.length != (long) a.cols * d) {
      throw new IllegalArgumentException(
          "spmmTransposedRows: x has " + x.length + " values for " + rows.length + "x" + d + ", out " + out.length + " for "
              + a.cols + "x" + d);
    }
    for (int r : rows) {
      if (r < 0 || r >= a.rows) {
        throw new IndexOutOfBoundsException("spmmTransposedRows: row " + r + " outside [0, " + a.rows + ")");
      }
    }
    if (!VECTOR) {
      ScalarKernels.spmmTransposedRows(a, rows, x, d, out);
      return;
    }
    long entries = 0;
    for (int r : rows) {
      entries += a.rowPtr[r + 1] - a.rowPtr[r];
    }
    int tasks = Parallel.threads();
    if (tasks == 1 || entries * d < SERIAL_FLOPS) {
      VectorKernels.spmmTransposedRowsRange(a, rows, x, d, out, 0, a.cols);
      return;
    }
    // one output range per thread: every task reads all the rows' entries, so more tasks would cost more
    int per = (a.cols + tasks - 1) / tasks;
    Parallel.forRange(
        tasks, 1, (t0, t1) -> VectorKernels.spmmTransposedRowsRange(a, rows, x, d, out, t0 * per, Math.min(a.cols, t1 * per)));
  }

  /**
   * out(i) = x(i) + (a·x)(i) for every row i of a square a, where x is row-sparse and stored compactly: row j of
   * x is xc[slotOf[j]·d..+d) when slotOf[j] ≥ 0 and zero otherwise. Each element is one FMA chain over row i's
   * entries in column order, started from x(i), with absent columns skipped: the bits of starting from x and
   * scattering the present rows of aᵀ in ascending order ({@link #spmmTransposedRows} on a symmetric a), but a
   * gather from the small compact table instead of a scatter into a large zeroed one. Every row of out is
   * written.
   */
  public static void spmmSparseInput(CsrMatrix a, int[] slotOf, float[] xc, int d, float[] out) {
    if (a.rows != a.cols || slotOf.length != a.rows || out.length < (long) a.rows * d) {
      throw new IllegalArgumentException(
          "spmmSparseInput: " + a.rows + "x" + a.cols + " sparse, " + slotOf.length + " slots, output of " + out.length
              + " values for d=" + d);
    }
    if (!VECTOR) {
      ScalarKernels.spmmSparseInput(a, slotOf, xc, d, out);
      return;
    }
    int[] bounds = rowChunks(a, d);
    int chunks = bounds.length - 1;
    if (chunks == 1) {
      VectorKernels.spmmSparseInputRange(a, slotOf, xc, d, out, 0, a.rows);
      return;
    }
    Parallel.forRange(
        chunks, 1, (c0, c1) -> VectorKernels.spmmSparseInputRange(a, slotOf, xc, d, out, bounds[c0], bounds[c1]));
  }

  /** Rows per task so that a task does about 2^17 multiply-adds (and everything runs inline when tiny). */
  private static int rowGrain(int rows, long nnz, int d) {
    long perRow = Math.max(1L, (nnz / Math.max(1, rows) + 1) * Math.max(1, d));
    return (int) Math.max(4L, Math.min(Integer.MAX_VALUE, (1L << 17) / perRow));
  }

  // ------------------------------------------------------------------------------------------- level 1

  /** Σ a[aOff+i]·b[bOff+i] over i in [0, n). Runs on the calling thread (meant for inner loops). */
  public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    return VECTOR ? VectorKernels.dot(a, aOff, b, bOff, n) : ScalarKernels.dot(a, aOff, b, bOff, n);
  }

  /**
   * The first index i in [from, to) with a[i] > t, or {@code to} when there is none (a threshold scan for
   * top-k selection; NaN never passes). Runs on the calling thread.
   */
  public static int firstAbove(float[] a, int from, int to, float t) {
    return VECTOR ? VectorKernels.firstAbove(a, from, to, t) : ScalarKernels.firstAbove(a, from, to, t);
  }

  /** y[yOff+i] += alpha · x[xOff+i] over i in [0, n). Runs on the calling thread. */
  public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    if (VECTOR) {
      VectorKernels.axpy(alpha, x, xOff, y, yOff, n);
    } else {
      ScalarKernels.axpy(alpha, x, xOff, y, yOff, n);
    }
  }

  /** x[off+i] *= s over i in [0, n). */
  public static void scale(float[] x, float s, int off, int n) {
    if (!VECTOR) {
      ScalarKernels.scale(x, s, off, n);
    } else if (n < 2 * ELEMENT_CHUNK) {
      VectorKernels.scale(x, s, off, n);
    } else {
      Parallel.forRange(n, ELEMENT_CHUNK, (from, to) -> VectorKernels.scale(x, s, off + from, to - from));
    }
  }

  /** x *= s over the whole array. */
  public static void scale(float[] x, float s) {
    scale(x, s, 0, x.length);
  }

  /** out[outOff+i] = a[aOff+i] + b[bOff+i] over i in [0, n); out may be a or b at the same offset. */
  public static void add(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    if (!VECTOR) {
      ScalarKernels.add(a, aOff, b, bOff, out, outOff, n);
    } else if (n < 2 * ELEMENT_CHUNK) {
      VectorKernels.add(a, aOff, b, bOff, out, outOff, n);
    } else {
      Parallel.forRange(
          n, ELEMENT_CHUNK, (from, to) -> VectorKernels.add(a, aOff + from, b, bOff + from, out, outOff + from, to - from));
    }
  }

  /** out[outOff+i] = a[aOff+i] · b[bOff+i] over i in [0, n); out may be a or b at the same offset. */
  public static void mul(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    if (!VECTOR) {
      ScalarKernels.mul(a, aOff, b, bOff, out, outOff, n);
    } else if (n < 2 * ELEMENT_CHUNK) {
      VectorKernels.mul(a, aOff, b, bOff, out, outOff, n);
    } else {
      Parallel.forRange(
          n, ELEMENT_CHUNK, (from, to) -> VectorKernels.mul(a, aOff + from, b, bOff + from, out, outOff + from, to - from));
    }
  }

  /** out[outOff+i] += a[aOff+i] · b[bOff+i] over i in [0, n) (fused multiply-add on the vector path). */
  public static void mulAdd(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    if (!VECTOR) {
      ScalarKernels.mulAdd(a, aOff, b, bOff, out, outOff, n);
    } else if (n < 2 * ELEMENT_CHUNK) {
      VectorKernels.mulAdd(a, aOff, b, bOff, out, outOff, n);
    } else {
      Parallel.forRange(
          n,
          ELEMENT_CHUNK,
          (from, to) -> VectorKernels.mulAdd(a, aOff + from, b, bOff + from, out, outOff + from, to - from));
    }
  }

  /**
   * {@link #adam} over elements [off, off + n) of the parameter on the calling thread, with element i's gradient at
   * g[gOff + i − off]: for an optimizer that builds the gradient chunk by chunk.
   */
  public static void adamRange(AdamStep s, float[] x, float[] g, int gOff, float[] m, float[] v, int off, int n) {
    if (off < 0 || n < 0 || off + n > x.length || m.length != x.length || v.length != x.length || gOff < 0
        || gOff + n > g.length) {
      throw new IllegalArgumentException(
          "adamRange: elements [" + off + ", " + (off + n) + ") of " + x.length + ", gradient from " + gOff + " of "
              + g.length);
    }
    if (!VECTOR) {
      ScalarKernels.adam(s, x, g, gOff, m, v, off, n);
    } else {
      VectorKernels.adam(s, x, g, gOff, m, v, off, n);
    }
  }

  /**
   * One Adam update of a whole parameter x with its gradient g and moments m, v (see {@link AdamStep});
   * elementwise, so the bits do not depend on the thread count, and the vector and scalar kernels agree exactly.
   */
  public static void adam(AdamStep s, float[] x, float[] g, float[] m, float[] v) {
    int n = x.length;
    if (g.length != n || m.length != n || v.length != n) {
      throw new IllegalArgumentException(
          "adam: parameter " + n + ", gradient " + g.length + ", moments " + m.length + " and " + v.length + " values");
    }
    if (!VECTOR) {
      ScalarKernels.adam(s, x, g, m, v, 0, n);
    } else if (n < 2 * ELEMENT_CHUNK) {
      VectorKernels.adam(s, x, g, m, v, 0, n);
    } else {
      Parallel.forRange(n, ELEMENT_CHUNK, (from, to) -> VectorKernels.adam(s, x, g, m, v, from, to - from));
    }
  }

  /**
   * Σ x[off+i]² over i in [0, n). Large inputs are reduced in fixed chunks of {@value #REDUCE_CHUNK} whose
   * partial sums are added in order, so the result does not depend on the thread count.
   */
  public static float sumOfSquares(float[] x, int off, int n) {
    if (!VECTOR) {
      return ScalarKernels.sumOfSquares(x, off, n);
    }
    if (n <= 2 * REDUCE_CHUNK) {
      return VectorKernels.sumOfSquares(x, off, n);
    }
    int chunks = (n + REDUCE_CHUNK - 1) / REDUCE_CHUNK;
    float[] partial = new float[chunks];
    Parallel.forRange(
        chunks,
        8,
        (from, to) -> {
          for (int c = from; c < to; c++) {
            int s = c * REDUCE_CHUNK;
            partial[c] = VectorKernels.sumOfSquares(x, off + s, Math.min(REDUCE_CHUNK, n - s));
          }
        });
    float sum = 0f;
    for (float p : partial) {
      sum += p;
    }
    return sum;
  }

  /** out[i] = Σ_t a[i·d+t]·b[i·d+t] for i in [0, m): row-wise dot products of two m×d arrays. */
  public static void rowDots(float[] a, float[] b, int m, int d, float[] out) {
    if (!VECTOR) {
      ScalarKernels.rowDots(a, b, m, d, out);
      return;
    }
    int grain = Math.max(16, (1 << 16) / Math.max(1, d));
    Parallel.forRange(m, grain, (from, to) -> VectorKernels.rowDotsRange(a, b, d, out, from, to));
  }

  /**
   * dst[idx[r]·d .. +d) += src[r·d .. +d) for every r in [0, idx.length) (the backward of a row gather;
   * repeated indices accumulate). Exact and deterministic: each destination row receives its additions in
   * ascending r, as in the scalar loop, so the result is bit-identical to {@link ScalarKernels}.
   *
   * <p>Runs on the calling thread: it is memory-bound, and splitting by destination-row ranges (each task
   * scanning idx and applying its own rows in ascending r) measured 1.5-2× slower on 2 threads than one,
   * because each task's scattered reads of src drag in the neighbouring rows too.
   *
   * @throws IndexOutOfBoundsException when some idx[r] is outside [0, dst.length / d)
   */
  public static void scatterAddRows(float[] src, int[] idx, float[] dst, int d) {
    int dstRows = d == 0 ? Integer.MAX_VALUE : dst.length / d;
    for (int r = 0; r < idx.length; r++) {
      if (idx[r] < 0 || idx[r] >= dstRows) {
        throw new IndexOutOfBoundsException(
            "scatterAddRows: idx[" + r + "] = " + idx[r] + " outside [0, " + dstRows + ") destination rows");
      }
    }
    if (VECTOR) {
      VectorKernels.scatterAddRows(src, idx, dst, d);
    } else {
      ScalarKernels.scatterAddRows(src, idx, dst, d);
    }
  }
}
