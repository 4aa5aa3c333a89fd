package org.userec.tensor.simd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense matrix products on {@code jdk.incubator.vector}, cut as in BLIS (Van Zee and van de Geijn, "BLIS: A
 * Framework for Rapidly Instantiating BLAS Functionality", ACM TOMS 41(3), 2015): an {@link #MR}×{@link #NR}
 * register-blocked micro-kernel over packed operands, k-blocks of {@link #KC}, row blocks of {@link #MC} kept in
 * L2, tiles of rows × columns spread over threads.
 *
 * <p>Every product is reduced to one core form, C'[M×N] (+)= A'·B':
 *
 * <ul>
 *   <li>NN, c = a·b: A' = a, B' = b.
 *   <li>NT, c = a·bᵀ: A' = a, B' = bᵀ (packed from b's rows).
 *   <li>TN, c = aᵀ·b (c is k×n): computed as cᵀ = bᵀ·a, i.e. A' = bᵀ (a transposed copy of b, the small
 *       operand in every use: gradients of weights and of InfoNCE keys) and B' = a, cᵀ's tiles written back
 *       transposed.
 * </ul>
 *
 * <p>A' is packed in slivers of MR rows, step-major (the MR values of one step of depth side by side), B' in
 * slivers of NR columns, row by row. A' is packed by each tile for its rows, or once per product when several
 * column blocks would each pack it again (and for TN's transpose), or once for good ({@link Kernels.Constant});
 * B' by each tile per k-block, for the tile's whole depth when that is small, or once per product for {@link
 * #rowTiles}. Packing is what lets the JIT compile the micro-kernel well: with six rows of A read in place, C2
 * hoisted the six broadcasts, ran out of the 16 ymm registers and spilled accumulators; with A' packed and its
 * offset as the loop variable, the loop keeps its 12 accumulators in registers and no bounds check in the loop.
 *
 * <p>Each output element is, per k-block in order, one fused multiply-add chain over the block's depth,
 * started from the element's current value (the caller's c when accumulating or after the first block, zero
 * otherwise; for TN a per-tile buffer that is added to c at the end). The k-blocks depend only on the depth,
 * so results do not depend on how tiles are spread over threads, nor on which path packed the operands.
 */
final class VectorGemm {
  static final VectorSpecies<Float> S = VectorKernels.S;
  static final int L = S.length();

  /** Micro-tile: MR rows of C' times NR = 2 vectors of columns (12 accumulators, 2 B vectors, 1 broadcast). */
  static final int MR = 6;

  static final int NR = 2 * L;

  /** Depth of one k-block: a B' sliver (KC × NR floats, 16 KB at 256 bits) stays in L1. */
  static final int KC = 256;

  /** Rows of A' per L2 block (a multiple of MR): MC × KC floats of A' (144 KB) stay in L2. */
  static final int MC = 144;

  /** A packed B' panel holds about this many floats (KC × NB: 128 KB, in L2 next to the A' block). */
  static final int PANEL_FLOATS = 32 * 1024;

  /**
   * A tile packs B's panel for every k-block at once when it is at most this many floats (256 KB: in L2 with
   * an A' block), e.g. the 768×64 weights of a feature projection.
   */
  static final int WHOLE_PANEL_FLOATS = 64 * 1024;

  /** Tiles are cut until there are at least this many (load balance on a few cores; sizes only). */
  static final int MIN_TILES = 8;

  private VectorGemm() {}

  /** The operand layouts of {@link Kernels#gemmNN}, {@link Kernels#gemmNT} and {@link Kernels#gemmTN}. */
  enum Layout {
    NN,
    NT,
    TN
  }

  /**
   * How C'[m×n] (+)= A'[m×k]·B'[k×n] is cut: k-blocks of {@code kc}; tiles of {@code mb} rows (a multiple
   * of MR) by {@code nb} columns (a multiple of NR); tile t is column block {@code t / mBlocks}, row block
   * {@code t % mBlocks}. Depends only on the sizes.
   */
  record Plan(int m, int k, int n, int kc, int mb, int nb, int mBlocks, int nBlocks) {
    static Plan of(int m, int k, int n) {
      int kc = Math.max(1, Math.min(k, KC));
      int nb = Math.min(roundUp(Math.max(n, 1), NR), Math.max(NR, PANEL_FLOATS / kc / NR * NR));
      int nBlocks = ceilDiv(n, nb);
      int mBlocks = 1;
      if (nBlocks < MIN_TILES) {
        if (m <= n) {
          // few rows (e.g. the transposed weight gradient, 64 × 768): narrower column blocks, B' packed once
          nb = Math.min(nb, Math.max(NR, roundUp(ceilDiv(n, MIN_TILES), NR)));
          nBlocks = ceilDiv(n, nb);
        }
        if (nBlocks < MIN_TILES) {
          // few columns (e.g. 7050 × 64 projections): row blocks, each re-packing its small B' panel
          mBlocks = Math.max(1, Math.min(ceilDiv(m, MR), ceilDiv(MIN_TILES, nBlocks)));
        }
      }
      int mb = roundUp(Math.max(1, ceilDiv(m, mBlocks)), MR);
      mBlocks = ceilDiv(m, mb);
      return new Plan(m, k, n, kc, mb, nb, mBlocks, nBlocks);
    }

    /** Tiles of mb rows (a multiple of MR) across all n columns: tile t is rows [t·mb, (t + 1)·mb). */
    static Plan rows(int m, int k, int n, int mb) {
      int kc = Math.max(1, Math.min(k, KC));
      int nb = roundUp(Math.max(n, 1), NR);
      return new Plan(m, k, n, kc, mb, nb, ceilDiv(m, mb), 1);
    }

    int tiles() {
      return mBlocks * nBlocks;
    }

    /** Floats per step of depth in a B' packed across all n columns (see {@link Problem#prepackB}). */
    int nPad() {
      return roundUp(n, NR);
    }

    /** Whether a tile packs B's panel for all k-blocks at once ({@link #WHOLE_PANEL_FLOATS}). */
    boolean wholePanel() {
      return k > kc && (long) k * nb <= WHOLE_PANEL_FLOATS;
    }

    /** Floats of the packed B' panel a tile needs. */
    int panelFloats() {
      return wholePanel() ? k * nb : kc * nb;
    }
  }

  /**
   * One product in core form. A'(i,p) = a[i·lda + p] for i < m, zero below (packed per tile); or, when {@code
   * aPacked}, a holds A' packed in slivers of MR rows over the whole depth (see {@link #packedIndex}), filled by
   * {@link #prepack} before any tile runs. B'(p,j) = b[p·ldb + j], or b[j·ldb + p] when {@code bT}; C'(i,j) =
   * c[i·ldc + j], or c[j·ldc + i] when {@code cT}.
   *
   * <p>A' is packed once for all tiles when several column blocks would each pack it again, and for TN, whose
   * A' is a transpose: then {@code src} is the matrix A' comes from (row-major with row stride {@code srcLd}),
   * read transposed when {@code srcT}.
   */
  record Problem(
      Plan plan, float[] a, int lda, boolean aPacked, float[] b, int ldb, boolean bT, float[] c, int ldc,
      boolean cT, boolean accumulate, float[] src, int srcLd, boolean srcT, float[] bp) {
    /** Slivers of MR rows of A' that {@link #prepack} fills (0 when the tiles pack A' themselves). */
    int prepackGroups() {
      return aPacked && src != null ? ceilDiv(plan.m, MR) : 0;
    }

    /** Packs the A' slivers [gFrom, gTo) over the whole depth; any thread, disjoint ranges. */
    void prepack(int gFrom, int gTo) {
      if (srcT) {
        packTransposed(src, srcLd, plan.m, plan.k, gFrom, gTo, a);
      } else {
        int i = gFrom * MR;
        packA(src, srcLd, i, plan.m - i, 0, plan.k, gTo - gFrom, a, packedIndex(gFrom, 0, plan.k));
      }
    }

    /** Slivers of NR columns of B' that {@link #prepackB} fills (0 when the tiles pack B' themselves). */
    int prepackSlivers() {
      return bp != null ? ceilDiv(plan.n, NR) : 0;
    }

    /**
     * Packs the B' slivers [slFrom, slTo) over the whole depth into bp: k-block k0 (of length kLen) starts at
     * k0·nPad and holds the slivers one after another, sliver sl at sl·kLen·NR. Any thread, disjoint ranges.
     */
    void prepackB(int slFrom, int slTo) {
      int nPad = plan.nPad();
      for (int k0 = 0; k0 < plan.k; k0 += plan.kc) {
        int kLen = Math.min(plan.kc, plan.k - k0);
        int j0 = slFrom * NR;
        int nc = Math.min(plan.n, slTo * NR) - j0;
        int off = k0 * nPad + slFrom * kLen * NR;
        if (bT) {
          packColumns(b, ldb, j0, nc, k0, kLen, bp, off);
        } else {
          packRows(b, ldb, j0, nc, k0, kLen, bp, off);
        }
      }
    }

    /** Computes tiles [from, to) of the plan on the calling thread (after the prepacking). */
    void run(int from, int to) {
      VectorGemm.tiles(this, from, to);
    }

    /** Hands the shared packed operands back; the problem must not be run afterwards. */
    void release() {
      if (aPacked && src != null) {
        giveShared(a);
      }
      if (bp != null) {
        giveShared(bp);
      }
    }
  }

  /**
   * Sets up c (+)= op(a)·op(b) for the layout (sizes as in {@link Kernels}) as a core-form problem; null when
   * there is nothing to multiply (then c has already been cleared if it is not accumulated into).
   */
  static Problem problem(Layout layout, float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    int cm = layout == Layout.TN ? k : m; // rows of c
    int depth = layout == Layout.TN ? m : k;
    if (cm == 0 || n == 0) {
      return null;
    }
    if (depth == 0) {
      if (!accumulate) {
        Arrays.fill(c, 0, cm * n, 0f);
      }
      return null;
    }
    if (layout == Layout.TN) {
      // cᵀ[n×k] = bᵀ[n×m] · a[m×k]; bᵀ packed straight from b's rows
      float[] bt = takeShared(roundUp(n, MR) * m);
      return new Problem(Plan.of(n, m, k), bt, m, true, a, k, false, c, n, true, accumulate, b, n, true, null);
    }
    Plan plan = Plan.of(m, k, n);
    boolean bT = layout == Layout.NT;
    int ldb = bT ? k : n;
    if (plan.nBlocks > 1) {
      float[] ap = takeShared(roundUp(m, MR) * k);
      return new Problem(plan, ap, k, true, b, ldb, bT, c, n, false, accumulate, a, k, false, null);
    }
    return new Problem(plan, a, k, false, b, ldb, bT, c, n, false, accumulate, null, 0, false, null);
  }

  /**
   * c = op(a)·op(b) for NN or NT cut into tiles of {@code rows} whole rows (a multiple of MR): tile t computes
   * rows [t·rows, (t + 1)·rows) and nothing else, so a caller may run the tiles it needs, in any order, on any
   * threads. B' is packed once for all of them ({@link Problem#prepackB} first); A' is packed per tile.
   */
  static Problem rowTiles(Layout layout, float[] a, float[] b, float[] c, int m, int k, int n, int rows) {
    if (layout == Layout.TN || rows % MR != 0 || m == 0 || n == 0 || k == 0) {
      throw new IllegalArgumentException(
          "row tiles need NN or NT, a multiple of " + MR + " rows and non-empty sizes, got " + layout + " " + m + "x"
              + k + "x" + n + " in tiles of " + rows);
    }
    Plan plan = Plan.rows(m, k, n, rows);
    boolean bT = layout == Layout.NT;
    float[] bp = takeShared(plan.nPad() * k);
    return new Problem(plan, a, k, false, b, bT ? k : n, bT, c, n, false, false, null, 0, false, bp);
  }

  /**
   * c[m×n] (+)= A'·b for an A' already packed over its whole depth k ({@link #packWhole}, kept by the caller:
   * not handed back on release), b row-major k×n.
   */
  static Problem prepacked(float[] packedA, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    if (m == 0 || n == 0) {
      return null;
    }
    if (k == 0) {
      if (!accumulate) {
        Arrays.fill(c, 0, m * n, 0f);
      }
      return null;
    }
    return new Problem(Plan.of(m, k, n), packedA, k, true, b, n, false, c, n, false, accumulate, null, 0, false, null);
  }

  /** Floats of an A' of m rows packed over depth k. */
  static int packedLength(int m, int k) {
    return roundUp(m, MR) * k;
  }

  /**
   * Packs the slivers [gFrom, gTo) of the m×k matrix x (row stride k) as an A' over depth k, or, when {@code
   * transposed}, of xᵀ (x is k×m: A'(i, p) = x[p·m + i]) as an A' over depth k.
   */
  static void packWhole(float[] x, int m, int k, boolean transposed, int gFrom, int gTo, float[] out) {
    if (transposed) {
      packTransposed(x, m, m, k, gFrom, gTo, out);
    } else {
      int i = gFrom * MR;
      packA(x, k, i, m - i, 0, k, gTo - gFrom, out, packedIndex(gFrom, 0, k));
    }
  }

  /** c (+)= op(a)·op(b) on the calling thread. */
  static void gemm(Layout layout, float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
    Problem p = problem(layout, a, b, c, m, k, n, accumulate);
    if (p != null) {
      p.prepack(0, p.prepackGroups());
      p.prepackB(0, p.prepackSlivers());
      p.run(0, p.plan.tiles());
      p.release();
    }
  }

  // ------------------------------------------------------------------------------------------------ tiles

  /** Per-thread work arrays (tiles never fork, so a thread runs one tile at a time). */
  private static final class Scratch {
    float[] panel = new float[0];
    float[] aPack = new float[0];
    float[] tile = new float[0];
    final float[] edge = new float[MR * NR];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  static void tiles(Problem pr, int from, int to) {
    Plan pl = pr.plan;
    Scratch s = SCRATCH.get();
    if (pr.bp == null && s.panel.length < pl.panelFloats()) {
      s.panel = new float[pl.panelFloats()];
    }
    if (!pr.aPacked && s.aPack.length < MC * pl.kc) {
      s.aPack = new float[MC * pl.kc];
    }
    if (pr.cT && s.tile.length < pl.mb * pl.nb) {
      s.tile = new float[pl.mb * pl.nb];
    }
    for (int t = from; t < to; t++) {
      tile(pr, s, t / pl.mBlocks, t % pl.mBlocks);
    }
  }

  private static void tile(Problem pr, Scratch s, int nBlock, int mBlock) {
    Plan pl = pr.plan;
    int j0 = nBlock * pl.nb;
    int nc = Math.min(pl.nb, pl.n - j0);
    int i0 = mBlock * pl.mb;
    int i1 = Math.min(pl.m, i0 + pl.mb);
    float[] panel = s.panel;
    if (pr.bp != null) {
      // B' packed once for all tiles: k-block k0 at k0·nPad, this tile's first sliver j0 / NR within it
      for (int k0 = 0; k0 < pl.k; k0 += pl.kc) {
        int kLen = Math.min(pl.kc, pl.k - k0);
        int off = k0 * pl.nPad() + (j0 / NR) * kLen * NR;
        for (int ib = i0; ib < i1; ib += MC) {
          block(pr, s, pr.bp, i0, i1, ib, j0, nc, k0, kLen, off);
        }
      }
    } else if (pl.wholePanel()) {
      // B's panel for every k-block fits L2: pack it once, then take A' a row block at a time over the whole
      // depth, so that A' is read row by row (each element still sees its k-blocks in order)
      int kbStride = ceilDiv(nc, NR) * NR; // floats per step of depth in the packed panel
      for (int k0 = 0; k0 < pl.k; k0 += pl.kc) {
        packB(pr, j0, nc, k0, Math.min(pl.kc, pl.k - k0), panel, k0 * kbStride);
      }
      for (int ib = i0; ib < i1; ib += MC) {
        for (int k0 = 0; k0 < pl.k; k0 += pl.kc) {
          block(pr, s, panel, i0, i1, ib, j0, nc, k0, Math.min(pl.kc, pl.k - k0), k0 * kbStride);
        }
      }
    } else {
      for (int k0 = 0; k0 < pl.k; k0 += pl.kc) {
        int kLen = Math.min(pl.kc, pl.k - k0);
        packB(pr, j0, nc, k0, kLen, panel, 0);
        for (int ib = i0; ib < i1; ib += MC) {
          block(pr, s, panel, i0, i1, ib, j0, nc, k0, kLen, 0);
        }
      }
    }
    if (pr.cT) {
      mergeTransposed(s.tile, pl.nb, i0, i1, j0, nc, pr.c, pr.ldc, pr.accumulate);
    }
  }

  private static void packB(Problem pr, int j0, int nc, int k0, int kLen, float[] panel, int off) {
    if (pr.bT) {
      packColumns(pr.b, pr.ldb, j0, nc, k0, kLen, panel, off);
    } else {
      packRows(pr.b, pr.ldb, j0, nc, k0, kLen, panel, off);
    }
  }

  /**
   * The rows [ib, ib + MC) ∩ [i0, i1) of the tile starting at row i0, columns [j0, j0 + nc), over the k-block
   * [k0, k0 + kLen) whose B' panel is packed at panel[panelOff]: packs this block of A' (unless A' is packed
   * already), then runs the micro-kernel over every MR×NR micro-tile.
   */
  private static void block(
      Problem pr, Scratch s, float[] panel, int i0, int i1, int ib, int j0, int nc, int k0, int kLen,
      int panelOff) {
    Plan pl = pr.plan;
    int rows = Math.min(MC, i1 - ib);
    int groups = ceilDiv(rows, MR);
    int slivers = ceilDiv(nc, NR);
    float[] ap;
    int aBase;
    int aStride; // floats between groups
    if (pr.aPacked) {
      ap = pr.a;
      aBase = packedIndex(ib / MR, k0, pl.k);
      aStride = MR * pl.k;
    } else {
      ap = s.aPack;
      packA(pr.a, pr.lda, ib, Math.min(rows, pl.m - ib), k0, kLen, groups, ap, 0);
      aBase = 0;
      aStride = MR * kLen;
    }
    boolean fromC = pr.accumulate || k0 > 0;
    for (int g = 0; g < groups; g++) {
      int i = ib + g * MR;
      int ao = aBase + g * aStride;
      int r = Math.min(MR, i1 - i);
      for (int sl = 0; sl < slivers; sl++) {
        int bo = panelOff + sl * kLen * NR;
        int jj = sl * NR;
        if (pr.cT) {
          kernel(ap, ao, panel, bo, kLen, s.tile, (i - i0) * pl.nb + jj, pl.nb, k0 > 0);
          continue;
        }
        int w = Math.min(NR, nc - jj);
        int ci = i * pr.ldc + j0 + jj;
        if (r == MR && w == NR) {
          kernel(ap, ao, panel, bo, kLen, pr.c, ci, pr.ldc, fromC);
        } else {
          float[] e = s.edge;
          if (fromC) {
            edgeIn(pr.c, ci, pr.ldc, r, w, e);
          }
          kernel(ap, ao, panel, bo, kLen, e, 0, NR, fromC);
          edgeOut(e, pr.c, ci, pr.ldc, r, w);
        }
      }
    }
  }

  /**
   * C'[MR×NR] at c[c0], row stride ldc, (+)= A'·B' over kLen: A'(r,p) = a[a0 + p·MR + r], B'(p,t) = b[b0 +
   * p·NR + t]. {@code load}: start every chain from C's value, else from zero.
   */
  private static void kernel(float[] a, int a0, float[] b, int b0, int kLen, float[] c, int c0, int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    FloatVector c40;
    FloatVector c41;
    FloatVector c50;
    FloatVector c51;
    if (load) {
      c00 = FloatVector.fromArray(S, c, c0);
      c01 = FloatVector.fromArray(S, c, c0 + L);
      c10 = FloatVector.fromArray(S, c, c0 + ldc);
      c11 = FloatVector.fromArray(S, c, c0 + ldc + L);
      c20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
      c21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + L);
      c30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
      c31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + L);
      c40 = FloatVector.fromArray(S, c, c0 + 4 * ldc);
      c41 = FloatVector.fromArray(S, c, c0 + 4 * ldc + L);
      c50 = FloatVector.fromArray(S, c, c0 + 5 * ldc);
      c51 = FloatVector.fromArray(S, c, c0 + 5 * ldc + L);
    } else {
      c00 = FloatVector.zero(S);
      c01 = c00;
      c10 = c00;
      c11 = c00;
      c20 = c00;
      c21 = c00;
      c30 = c00;
      c31 = c00;
      c40 = c00;
      c41 = c00;
      c50 = c00;
      c51 = c00;
    }
    // A's offset is the loop variable (so the JIT hoists its bounds checks out of the loop; an index p·MR would
    // reach it as shifts and adds, which it does not recognise), B's follows
    int aEnd = a0 + kLen * MR;
    for (int ao = a0, bo = b0; ao < aEnd; ao += MR, bo += NR) {
      FloatVector b0v = FloatVector.fromArray(S, b, bo);
      FloatVector b1v = FloatVector.fromArray(S, b, bo + L);
      FloatVector av = FloatVector.broadcast(S, a[ao]);
      c00 = av.fma(b0v, c00);
      c01 = av.fma(b1v, c01);
      av = FloatVector.broadcast(S, a[ao + 1]);
      c10 = av.fma(b0v, c10);
      c11 = av.fma(b1v, c11);
      av = FloatVector.broadcast(S, a[ao + 2]);
      c20 = av.fma(b0v, c20);
      c21 = av.fma(b1v, c21);
      av = FloatVector.broadcast(S, a[ao + 3]);
      c30 = av.fma(b0v, c30);
      c31 = av.fma(b1v, c31);
      av = FloatVector.broadcast(S, a[ao + 4]);
      c40 = av.fma(b0v, c40);
      c41 = av.fma(b1v, c41);
      av = FloatVector.broadcast(S, a[ao + 5]);
      c50 = av.fma(b0v, c50);
      c51 = av.fma(b1v, c51);
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c10.intoArray(c, c0 + ldc);
    c11.intoArray(c, c0 + ldc + L);
    c20.intoArray(c, c0 + 2 * ldc);
    c21.intoArray(c, c0 + 2 * ldc + L);
    c30.intoArray(c, c0 + 3 * ldc);
    c31.intoArray(c, c0 + 3 * ldc + L);
    c40.intoArray(c, c0 + 4 * ldc);
    c41.intoArray(c, c0 + 4 * ldc + L);
    c50.intoArray(c, c0 + 5 * ldc);
    c51.intoArray(c, c0 + 5 * ldc + L);
  }

  // -------------------------------------------------------------------------------------------- packing

  /**
   * panel[off + sl·kLen·NR + p·NR + t] = b[(k0+p)·ldb + j0 + sl·NR + t] for the nc columns from j0, zero-padded.
   */
  private static void packRows(float[] b, int ldb, int j0, int nc, int k0, int kLen, float[] panel, int off) {
    int slivers = ceilDiv(nc, NR);
    for (int sl = 0; sl < slivers; sl++) {
      int base = off + sl * kLen * NR;
      int col = j0 + sl * NR;
      int w = Math.min(NR, nc - sl * NR);
      if (w == NR) {
        for (int p = 0; p < kLen; p++) {
          int src = (k0 + p) * ldb + col;
          int dst = base + p * NR;
          FloatVector.fromArray(S, b, src).intoArray(panel, dst);
          FloatVector.fromArray(S, b, src + L).intoArray(panel, dst + L);
        }
      } else {
        for (int p = 0; p < kLen; p++) {
          int src = (k0 + p) * ldb + col;
          int dst = base + p * NR;
          System.arraycopy(b, src, panel, dst, w);
          Arrays.fill(panel, dst + w, dst + NR, 0f);
        }
      }
    }
  }

  /** panel[off + sl·kLen·NR + p·NR + t] = b[(j0 + sl·NR + t)·ldb + k0 + p], zero-padded past nc columns. */
  private static void packColumns(float[] b, int ldb, int j0, int nc, int k0, int kLen, float[] panel, int off) {
    int slivers = ceilDiv(nc, NR);
    for (int sl = 0; sl < slivers; sl++) {
      int base = off + sl * kLen * NR;
      for (int t = 0; t < NR; t++) {
        int jj = sl * NR + t;
        if (jj < nc) {
          int src = (j0 + jj) * ldb + k0;
          for (int p = 0; p < kLen; p++) {
            panel[base + p * NR + t] = b[src + p];
          }
        } else {
          for (int p = 0; p < kLen; p++) {
            panel[base + p * NR + t] = 0f;
          }
        }
      }
    }
  }

  /**
   * ap[apOff + g·MR·kLen + p·MR + r] = a[(i + g·MR + r)·lda + k0 + p] for the first {@code valid} rows from i,
   * zero for the rest of {@code groups}·MR rows: MR-row slivers of the A' block, each step's MR values
   * contiguous.
   */
  private static void packA(
      float[] a, int lda, int i, int valid, int k0, int kLen, int groups, float[] ap, int apOff) {
    for (int g = 0; g < groups; g++) {
      int base = apOff + g * MR * kLen;
      int r0 = g * MR;
      if (r0 + MR <= valid) {
        int s0 = (i + r0) * lda + k0;
        int s1 = s0 + lda;
        int s2 = s1 + lda;
        int s3 = s2 + lda;
        int s4 = s3 + lda;
        int s5 = s4 + lda;
        // the destination is the loop variable: with p·MR (MR = 6 becomes shifts and adds) the JIT would keep
        // every bounds check in the loop
        int end = base + MR * kLen;
        for (int d = base, p = 0; d < end; d += MR, p++) {
          ap[d] = a[s0 + p];
          ap[d + 1] = a[s1 + p];
          ap[d + 2] = a[s2 + p];
          ap[d + 3] = a[s3 + p];
          ap[d + 4] = a[s4 + p];
          ap[d + 5] = a[s5 + p];
        }
      } else {
        for (int r = 0; r < MR; r++) {
          if (r0 + r < valid) {
            int src = (i + r0 + r) * lda + k0;
            for (int p = 0; p < kLen; p++) {
              ap[base + p * MR + r] = a[src + p];
            }
          } else {
            for (int p = 0; p < kLen; p++) {
              ap[base + p * MR + r] = 0f;
            }
          }
        }
      }
    }
  }

  /** Where A'(g·MR + r, p) lies in an A' packed over its whole depth k: slivers of MR rows, step-major. */
  static int packedIndex(int g, int p, int k) {
    return g * MR * k + p * MR;
  }

  /**
   * Packs the slivers [gFrom, gTo) of bᵀ (b is m×n) as an A' over depth m: t[packedIndex(g, p, m) + r] =
   * b[p·n + g·MR + r], zero for the rows g·MR + r ≥ n.
   */
  static void packTransposed(float[] b, int n, int rows, int m, int gFrom, int gTo, float[] t) {
    for (int g = gFrom; g < gTo; g++) {
      int col = g * MR;
      int w = Math.min(MR, rows - col);
      int d = packedIndex(g, 0, m);
      if (w == MR) {
        int end = d + MR * m;
        for (int src = col; d < end; d += MR, src += n) {
          t[d] = b[src];
          t[d + 1] = b[src + 1];
          t[d + 2] = b[src + 2];
          t[d + 3] = b[src + 3];
          t[d + 4] = b[src + 4];
          t[d + 5] = b[src + 5];
        }
      } else {
        for (int p = 0; p < m; p++, d += MR) {
          for (int r = 0; r < MR; r++) {
            t[d + r] = r < w ? b[p * n + col + r] : 0f;
          }
        }
      }
    }
  }

  /** The rows × w corner of C at c[ci] into the MR×NR edge tile (row stride NR). */
  private static void edgeIn(float[] c, int ci, int ldc, int rows, int w, float[] e) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(c, ci + r * ldc, e, r * NR, w);
    }
  }

  private static void edgeOut(float[] e, float[] c, int ci, int ldc, int rows, int w) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(e, r * NR, c, ci + r * ldc, w);
    }
  }

  /**
   * c[j·ldc + i] (+)= tile[(i − i0)·nb + j − j0] for i in [i0, i1), j in [j0, j0 + nc), in blocks of MERGE rows
   * so that both the tile's rows and c's rows being written stay in L1.
   */
  private static void mergeTransposed(
      float[] tile, int nb, int i0, int i1, int j0, int nc, float[] c, int ldc, boolean accumulate) {
    for (int ib = i0; ib < i1; ib += MERGE) {
      int ie = Math.min(i1, ib + MERGE);
      for (int j = 0; j < nc; j++) {
        int dst = (j0 + j) * ldc;
        int src = (ib - i0) * nb + j;
        if (accumulate) {
          for (int i = ib; i < ie; i++, src += nb) {
            c[dst + i] += tile[src];
          }
        } else {
          for (int i = ib; i < ie; i++, src += nb) {
            c[dst + i] = tile[src];
          }
        }
      }
    }
  }

  private static final int MERGE = 16;

  // ------------------------------------------------------------------------------------------- helpers

  /** Work arrays shared by the tasks of one product (TN's transposed copy); a few are kept for reuse. */
  private static final List<float[]> SHARED = new ArrayList<>();

  private static final int SHARED_KEPT = 4;

  private static float[] takeShared(int n) {
    synchronized (SHARED) {
      for (int q = 0; q < SHARED.size(); q++) {
        if (SHARED.get(q).length >= n) {
          return SHARED.remove(q);
        }
      }
    }
    return new float[n];
  }

  private static void giveShared(float[] a) {
    synchronized (SHARED) {
      SHARED.add(a);
      if (SHARED.size() > SHARED_KEPT) {
        int smallest = 0;
        for (int q = 1; q < SHARED.size(); q++) {
          if (SHARED.get(q).length < SHARED.get(smallest).length) {
            smallest = q;
          }
        }
        SHARED.remove(smallest);
      }
    }
  }

  static int roundUp(int x, int r) {
    return (x + r - 1) / r * r;
  }

  static int ceilDiv(int x, int y) {
    return (x + y - 1) / y;
  }
}
