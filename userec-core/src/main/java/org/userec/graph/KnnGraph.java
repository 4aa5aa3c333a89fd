package org.userec.graph;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.userec.data.FeatureTable;
import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;
import org.userec.util.Seeds;

/**
 * Modality item–item graphs from the cosine similarity of raw features (FREEDOM, Zhou & Shen MM'23, §3.1;
 * MMRec {@code freedom.py}: {@code get_knn_adj_mat} and {@code compute_normalized_laplacian}), built
 * blockwise so that no |I|×|I| matrix ever exists.
 *
 * <p>For item i the similarity row s_i = x̂_i · X̂ᵀ (x̂ = x / ‖x‖) is computed for a block of rows at a
 * time; the row keeps its top-k columns (the item itself included, as FREEDOM's topk over the whole row;
 * ties go to the lower index). A_ij = 1 (binary) or s_ij (weighted) for the kept columns, and the graph is
 * D^-½ A D^-½ with D the row sums of A (+1e-7), the "normalised Laplacian" of FREEDOM. A is not symmetric,
 * so neither is the result; its transpose is computed when backward needs it.
 *
 * <p>Two ways to find the top-k ({@link Method}):
 *
 * <ul>
 *   <li><b>exact</b>: every similarity, 2·|I|²·dim flop (Elec's 63,000 × 4,096 table: 3.3e13, far beyond a
 *       minute on two cores);
 *   <li><b>projected</b>: the normalised rows are projected onto an r-dimensional PCA basis (randomised
 *       range finder with one power iteration on a seeded sample of rows, Halko, Martinsson & Tropp 2011,
 *       Alg. 4.3); each row keeps its top-C candidates by the cosine of the projections (2·|I|²·r flop, blockwise);
 *       the candidates (plus the item itself) are re-ranked by their exact full-dimensional cosine and the
 *       top k kept, with the same ties and output as exact. A true neighbour is missed only when its
 *       projected similarity falls outside the top C; {@link #recall} measures how often.
 * </ul>
 *
 * {@link Method#AUTO} takes exact while |I|²·dim ≤ {@link #AUTO_EXACT_MAX} (TikTok, Baby, Sports) and
 * projected above (Clothing and Elec with 4,096-d CNN features).
 *
 * <p>Memory: O(|I|·k) for the graph plus, per worker, one block of rows × all items of similarities and the
 * block's feature rows; projected adds |I|·(r + C) values. The feature table itself is read in place
 * (norms are applied after the products), so no normalised copy of it is made. Results do not depend on the
 * number of threads: every row's selection is independent and every product's summation order is fixed by
 * the sizes.
 */
public final class KnnGraph {
  private static final System.Logger LOG = System.getLogger(KnnGraph.class.getName());
  /** Similarity values held per worker (block rows × items) are capped at this many floats (64 MiB). */
  private static final long BLOCK_FLOATS = 1L << 24;
  /** Rows per block are capped at this many. */
  private static final int MAX_BLOCK_ROWS = 512;
  /** {@link Method#AUTO} builds exactly while |I|²·dim is at most this (≈ 2·this flop, half a minute). */
  public static final double AUTO_EXACT_MAX = 2e12;
  /** Rows sampled for the PCA basis (at least 16·r, capped at |I|). */
  private static final int PCA_MIN_SAMPLE = 4096;

  private KnnGraph() {}

  /** How the top-k neighbours are found (config key {@code knn_method}). */
  public enum Method {
    /** Exact when |I|²·dim ≤ {@link #AUTO_EXACT_MAX} or r ≥ dim, projected otherwise. */
    AUTO,
    /** Every similarity (the reference). */
    EXACT,
    /** PCA-projected candidates, exact re-rank. */
    PROJECTED;

    /** Parses {@code auto | exact | projected} (any case); the message names the choices. */
    public static Method parse(String s) {
      for (Method m : values()) {
        if (m.name().equalsIgnoreCase(s.trim())) {
          return m;
        }
      }
      throw new IllegalArgumentException("knn_method must be auto, exact or projected, got '" + s + "'");
    }
  }

  /**
   * Settings of the kNN builder.
   *
   * @param method exact, projected or auto
   * @param rank r, the projected dimension (config {@code knn_rank}, default 128: Elec-sized 63,000 × 4,096 in
   *     59 s on this 2-core machine with recall@10 0.976; 256 gives 0.986 in 139 s)
   * @param candidates C, candidates per row re-ranked exactly (config {@code knn_candidates}, default 64;
   *     at least k are used)
   * @param seed seeds the PCA's row sample and Gaussian test matrix
   */
  public record Options(Method method, int rank, int candidates, long seed) {
    public static final Options DEFAULT = new Options(Method.AUTO, 128, 64, 999);

    public Options {
      if (method == null) {
        throw new IllegalArgumentException("knn method is null; use auto, exact or projected");
      }
      if (rank < 1 || candidates < 1) {
        throw new IllegalArgumentException(
            "knn_rank and knn_candidates must be >= 1, got " + rank + " and " + candidates);
      }
    }

    public Options withMethod(Method m) {
      return new Options(m, rank, candidates, seed);
    }

    /** The method actually used for a table of n rows × dim. */
    public Method resolve(int n, int dim) {
      if (method != Method.AUTO) {
        return method;
      }
      return rank >= dim || (double) n * n * dim <= AUTO_EXACT_MAX ? Method.EXACT : Method.PROJECTED;
    }
  }

  /**
   * The symmetric-normalised top-k cosine graph of one modality's features, exact.
   *
   * @param f items × dim features (rows in item id order)
   * @param k neighbours kept per row, self included (1 ≤ k ≤ items)
   * @param weighted false: A_ij = 1 (FREEDOM); true: A_ij = cosine similarity (LATTICE-style)
   */
  public static CsrMatrix cosineTopK(FeatureTable f, int k, boolean weighted) {
    return cosineTopK(f, k, weighted, blockRows(f.rows()));
  }

  /** As {@link #cosineTopK(FeatureTable, int, boolean)}, the neighbours found as {@code options} say. */
  public static CsrMatrix cosineTopK(FeatureTable f, int k, boolean weighted, Options options) {
    return options.resolve(f.rows(), f.cols()) == Method.EXACT
        ? cosineTopK(f, k, weighted)
        : projectedTopK(f, k, weighted, options);
  }

  /** As above with a given number of rows per block (tests use small blocks to cover the seams). */
  static CsrMatrix cosineTopK(FeatureTable f, int k, boolean weighted, int block) {
    int n = f.rows();
    checkK(f, k);
    if (block < 1) {
      throw new IllegalArgumentException("block rows must be >= 1, got " + block);
    }
    float[] invNorm = inverseNorms(f.data(), n, f.cols());
    int[] colIdx = new int[n * k];
    float[] sims = new float[n * k];
    exactTopK(f, invNorm, null, k, block, colIdx, sims);
    return normalizeKnn(n, k, colIdx, sims, weighted, f.name());
  }

  private static void checkK(FeatureTable f, int k) {
    if (k < 1 || k > f.rows()) {
      throw new IllegalArgumentException(
          "knn_k must be in [1, " + f.rows() + "] for " + f.name() + " (" + f.rows() + " items), got " + k);
    }
  }

  /**
   * The exact top-k of the given rows (all rows when {@code rows} is null): out row r holds the columns of
   * row rows[r] in descending cosine, ties to the lower column, and their cosines.
   */
  private static void exactTopK(
      FeatureTable f, float[] invNorm, int[] rows, int k, int block, int[] outIdx, float[] outVal) {
    int n = f.rows();
    int dim = f.cols();
    float[] x = f.data();
    int count = rows == null ? n : rows.length;
    int blocks = (count + block - 1) / block;
    // each worker owns its buffers; rows are independent, so the result does not depend on threads
    Parallel.forRange(blocks, 1, (b0, b1) -> {
      float[] rowsBuf = new float[Math.min(block, count) * dim];
      float[] simBuf = new float[Math.min(block, count) * n];
      int[] topIdx = new int[k];
      float[] topVal = new float[k];
      for (int b = b0; b < b1; b++) {
        int r0 = b * block;
        int m = Math.min(block, count - r0);
        for (int r = 0; r < m; r++) {
          int i = rows == null ? r0 + r : rows[r0 + r];
          System.arraycopy(x, i * dim, rowsBuf, r * dim, dim);
        }
        Kernels.gemmNT(rowsBuf, x, simBuf, m, dim, n, false);
        for (int r = 0; r < m; r++) {
          int i = rows == null ? r0 + r : rows[r0 + r];
          // cosine = (dot · 1/‖x_i‖) · 1/‖x_j‖, in this order (elementwise kernels are exact)
          Kernels.scale(simBuf, invNorm[i], r * n, n);
          Kernels.mul(simBuf, r * n, invNorm, 0, simBuf, r * n, n);
          topK(simBuf, r * n, n, topIdx, topVal);
          System.arraycopy(topIdx, 0, outIdx, (r0 + r) * k, k);
          System.arraycopy(topVal, 0, outVal, (r0 + r) * k, k);
        }
      }
    });
  }

  /** 1/‖x_i‖, or 0 for an all-zero row (its similarities are then all 0). */
  private static float[] inverseNorms(float[] x, int n, int dim) {
    float[] inv = new float[n];
    Parallel.forRange(n, 1024, (s, e) -> {
      for (int i = s; i < e; i++) {
        double ss = 0;
        int o = i * dim;
        for (int j = 0; j < dim; j++) {
          ss += (double) x[o + j] * x[o + j];
        }
        if (!Double.isFinite(ss)) {
          throw new IllegalArgumentException("feature row " + i + " has a non-finite value or norm");
        }
        inv[i] = ss > 0 ? (float) (1.0 / Math.sqrt(ss)) : 0f;
      }
    });
    return inv;
  }

  static int blockRows(int n) {
    return (int) Math.max(1, Math.min(MAX_BLOCK_ROWS, Math.min(n, BLOCK_FLOATS / Math.max(1, n))));
  }

  /**
   * The k largest of v[off..off+n) with their positions, in descending order; equal values keep the lower
   * position first. A sorted insertion into k slots behind a vectorised threshold scan: O(n) compares
   * (8 per instruction) plus rare O(k) shifts.
   */
  private static void topK(float[] v, int off, int n, int[] idx, float[] val) {
    int k = idx.length;
    int filled = 0;
    for (int j = 0; j < n; j++) {
      if (filled == k) {
        // skip values not larger than the current k-th: a later (higher) position loses the tie
        j = Kernels.firstAbove(v, off + j, off + n, val[k - 1]) - off;
        if (j == n) {
          break;
        }
      }
      float s = v[off + j];
      int p = filled == k ? k - 1 : filled++;
      while (p > 0 && s > val[p - 1]) {
        val[p] = val[p - 1];
        idx[p] = idx[p - 1];
        p--;
      }
      val[p] = s;
      idx[p] = j;
    }
  }

  // ------------------------------------------------------------------------------------------- projected

  private static CsrMatrix projectedTopK(FeatureTable f, int k, boolean weighted, Options o) {
    int n = f.rows();
    checkK(f, k);
    int[] colIdx = new int[n * k];
    float[] sims = new float[n * k];
    long t0 = System.nanoTime();
    projectedNeighbours(f, k, o, colIdx, sims);
    long t1 = System.nanoTime();
    CsrMatrix g = normalizeKnn(n, k, colIdx, sims, weighted, f.name());
    LOG.log(
        System.Logger.Level.DEBUG,
        () -> String.format(
            java.util.Locale.ROOT,
            "kNN %s (%d x %d, k=%d): projected neighbours %.2f s, normalise %.2f s",
            f.name(), n, f.cols(), k, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9));
    return g;
  }

  /** Each row's top-k columns and cosines by the projected method (PCA candidates, exact re-rank). */
  private static void projectedNeighbours(FeatureTable f, int k, Options o, int[] colIdx, float[] sims) {
    int n = f.rows();
    int dim = f.cols();
    float[] invNorm = inverseNorms(f.data(), n, dim);
    int r = Math.min(o.rank(), dim);
    float[] p = project(f, invNorm, r, o.seed());
    int c = Math.min(n, Math.max(k, o.candidates()));
    int[] cand = candidates(p, n, r, c);
    rerank(f, invNorm, cand, c, k, colIdx, sims);
  }

  /**
   * The top-k cosine graph of the rows of f, not normalised: A_ij = cos(x_i, x_j) for the k columns j of row i
   * with the largest cosine (the row itself included, ties to the lower column), found as {@code options} say
   * (IDFREE's {@code get_knn_adj}, whose similarity graphs are weighted and used before any normalisation).
   * Rows are in CSR order (columns ascending).
   */
  public static CsrMatrix cosineTopKValues(FeatureTable f, int k, Options options) {
    int n = f.rows();
    checkK(f, k);
    int[] colIdx = new int[n * k];
    float[] sims = new float[n * k];
    if (options.resolve(n, f.cols()) == Method.EXACT) {
      exactTopK(f, inverseNorms(f.data(), n, f.cols()), null, k, blockRows(n), colIdx, sims);
    } else {
      projectedNeighbours(f, k, options, colIdx, sims);
    }
    return knnAdjacency(n, k, colIdx, sims, true);
  }

  /**
   * P (|I|×r): the rows in an r-dimensional basis V of dim-space, each scaled to unit length, so that p_i·p_j
   * is the cosine of the projections. V is an orthonormal basis of Xsᵀ·Xs·Ω, Xs a seeded sample of
   * normalised rows and Ω a seeded Gaussian dim×r matrix: one step of subspace iteration towards the top-r
   * right singular vectors of X̂ (uncentred PCA). When r = dim, V = I. Renormalising the projections (rather
   * than ranking by the projected dot of unit rows) raised recall@10 on TikTok's real image features from
   * 0.80 to 0.93 (r = 32 of 128, C = 64) and from 0.97 to 0.99 (r = 64, C = 32).
   */
  static float[] project(FeatureTable f, float[] invNorm, int r, long seed) {
    int n = f.rows();
    int dim = f.cols();
    float[] x = f.data();
    float[] p = new float[n * r];
    if (r >= dim) {
      System.arraycopy(x, 0, p, 0, n * dim);
    } else {
      float[] v = pcaBasis(f, invNorm, r, seed);
      // projecting raw rows then scaling by 1/‖x‖ equals projecting the normalised rows (up to rounding)
      Kernels.gemmNN(x, v, p, n, dim, r, false);
    }
    Parallel.forRange(n, 1024, (s, e) -> {
      for (int i = s; i < e; i++) {
        float ss = Kernels.sumOfSquares(p, i * r, r);
        Kernels.scale(p, ss > 0 ? (float) (1 / Math.sqrt(ss)) : 0f, i * r, r);
      }
    });
    return p;
  }

  /** dim×r, orthonormal columns (a zero column where the sample has fewer than r directions). */
  static float[] pcaBasis(FeatureTable f, float[] invNorm, int r, long seed) {
    int n = f.rows();
    int dim = f.cols();
    float[] x = f.data();
    SplittableRandom rng = Seeds.rng(seed, "knn-pca");
    int s = Math.min(n, Math.max(PCA_MIN_SAMPLE, 16 * r));
    int[] sample = sampleRows(n, s, rng);
    float[] xs = new float[s * dim];
    for (int t = 0; t < s; t++) {
      int i = sample[t];
      for (int j = 0; j < dim; j++) {
        xs[t * dim + j] = x[i * dim + j] * invNorm[i];
      }
    }
    float[] omega = new float[dim * r];
    for (int q = 0; q < omega.length; q++) {
      omega[q] = (float) rng.nextGaussian();
    }
    float[] y = new float[s * r];
    Kernels.gemmNN(xs, omega, y, s, dim, r, false); // Y = Xs·Ω
    float[] z = omega; // reuse: Z = Xsᵀ·Y, dim×r
    Kernels.gemmTN(xs, y, z, s, dim, r, false);
    orthonormalizeColumns(z, dim, r);
    orthonormalizeColumns(z, dim, r); // CholeskyQR2: the second pass repairs the first's rounding
    return z;
  }

  /** s distinct rows of [0, n) chosen by a partial Fisher–Yates shuffle, ascending. */
  private static int[] sampleRows(int n, int s, SplittableRandom rng) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = 0; i < s; i++) {
      int j = i + rng.nextInt(n - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    int[] out = Arrays.copyOf(perm, s);
    Arrays.sort(out);
    return out;
  }

  /**
   * Z ← Z·R⁻¹ with G = ZᵀZ = RᵀR (Cholesky in double): orthonormal columns spanning Z's. A column whose
   * pivot falls below 1e-10 of the largest diagonal (no new direction) becomes zero.
   */
  static void orthonormalizeColumns(float[] z, int rows, int r) {
    float[] gf = new float[r * r];
    Kernels.gemmTN(z, z, gf, rows, r, r, false);
    double[] g = new double[r * r];
    double maxDiag = 0;
    for (int a = 0; a < r; a++) {
      maxDiag = Math.max(maxDiag, gf[a * r + a]);
    }
    // upper-triangular R, row by row (R_aa = sqrt(G_aa − Σ_{c<a} R_ca²), R_ab = (G_ab − Σ R_ca R_cb) / R_aa)
    for (int a = 0; a < r; a++) {
      double d = gf[a * r + a];
      for (int c = 0; c < a; c++) {
        d -= g[c * r + a] * g[c * r + a];
      }
      boolean dead = !(d > 1e-10 * maxDiag);
      double raa = dead ? 0 : Math.sqrt(d);
      g[a * r + a] = raa;
      for (int b = a + 1; b < r; b++) {
        double v = gf[a * r + b];
        for (int c = 0; c < a; c++) {
          v -= g[c * r + a] * g[c * r + b];
        }
        g[a * r + b] = dead ? 0 : v / raa;
      }
    }
    // each row w of Z: solve v·R = w (forward substitution over columns); dead columns give 0
    Parallel.forRange(rows, 256, (s, e) -> {
      double[] v = new double[r];
      for (int i = s; i < e; i++) {
        for (int b = 0; b < r; b++) {
          double rbb = g[b * r + b];
          if (rbb == 0) {
            v[b] = 0;
            continue;
          }
          double w = z[i * r + b];
          for (int c = 0; c < b; c++) {
            w -= v[c] * g[c * r + b];
          }
          v[b] = w / rbb;
        }
        for (int b = 0; b < r; b++) {
          z[i * r + b] = (float) v[b];
        }
      }
    });
  }

  /** Each row's top-c columns by projected cosine p_i·p_j, blockwise (|I|×c ints). */
  private static int[] candidates(float[] p, int n, int r, int c) {
    int block = Math.max(1, blockRows(n) / 2); // 32 MiB of similarities per worker: the table has the heap
    int blocks = (n + block - 1) / block;
    int[] cand = new int[n * c];
    Parallel.forRange(blocks, 1, (b0, b1) -> {
      float[] simBuf = new float[Math.min(block, n) * n];
      int[] topIdx = new int[c];
      float[] topVal = new float[c];
      for (int b = b0; b < b1; b++) {
        int r0 = b * block;
        int m = Math.min(block, n - r0);
        float[] rows = Arrays.copyOfRange(p, r0 * r, (r0 + m) * r);
        Kernels.gemmNT(rows, p, simBuf, m, r, n, false);
        for (int q = 0; q < m; q++) {
          topK(simBuf, q * n, n, topIdx, topVal);
          System.arraycopy(topIdx, 0, cand, (r0 + q) * c, c);
        }
      }
    });
    return cand;
  }

  /**
   * Row i's top-k among its candidates and itself by exact cosine (dot · 1/‖x_i‖) · 1/‖x_j‖, visited in
   * ascending column order so that ties keep the lower column, as the exact builder does.
   */
  private static void rerank(
      FeatureTable f, float[] invNorm, int[] cand, int c, int k, int[] outIdx, float[] outVal) {
    int n = f.rows();
    int dim = f.cols();
    float[] x = f.data();
    Parallel.forRange(n, 64, (s, e) -> {
      int[] cols = new int[c + 1];
      float[] cos = new float[c + 1];
      int[] topIdx = new int[k];
      float[] topVal = new float[k];
      for (int i = s; i < e; i++) {
        System.arraycopy(cand, i * c, cols, 0, c);
        int len = c;
        boolean hasSelf = false;
        for (int q = 0; q < c; q++) {
          hasSelf |= cols[q] == i;
        }
        if (!hasSelf) {
          cols[len++] = i;
        }
        Arrays.sort(cols, 0, len);
        for (int q = 0; q < len; q++) {
          int j = cols[q];
          cos[q] = Kernels.dot(x, i * dim, x, j * dim, dim) * invNorm[i] * invNorm[j];
        }
        topK(cos, 0, len, topIdx, topVal);
        for (int q = 0; q < k; q++) {
          outIdx[i * k + q] = cols[topIdx[q]];
          outVal[i * k + q] = topVal[q];
        }
      }
    });
  }

  // ------------------------------------------------------------------------------------------- recall

  /**
   * The fraction of the exact top-k neighbours of the given rows that graph g keeps (g built with this k
   * from f, by any method). The exact neighbours are found by brute force for these rows only.
   */
  public static double recall(FeatureTable f, CsrMatrix g, int k, int[] rows) {
    checkK(f, k);
    float[] invNorm = inverseNorms(f.data(), f.rows(), f.cols());
    int[] idx = new int[rows.length * k];
    exactTopK(f, invNorm, rows, k, Math.min(blockRows(f.rows()), 64), idx, new float[rows.length * k]);
    long hit = 0;
    for (int r = 0; r < rows.length; r++) {
      int i = rows[r];
      for (int q = 0; q < k; q++) {
        if (Arrays.binarySearch(g.colIdx, g.rowPtr[i], g.rowPtr[i + 1], idx[r * k + q]) >= 0) {
          hit++;
        }
      }
    }
    return (double) hit / ((long) rows.length * k);
  }

  /** Builds D^-½ A D^-½ from each row's k kept columns and similarities. */
  private static CsrMatrix normalizeKnn(int n, int k, int[] cols, float[] sims, boolean weighted, String name) {
    CsrMatrix adj = knnAdjacency(n, k, cols, sims, weighted);
    if (weighted) {
      float[] deg = adj.rowSums();
      for (int i = 0; i < n; i++) {
        if (!(deg[i] > 0f)) {
          throw new IllegalArgumentException(
              name + ": weighted kNN row " + i + " has similarity sum " + deg[i]
                  + " (<= 0), so D^-1/2 is undefined; use binary weights or non-negative features");
        }
      }
    }
    return InteractionGraph.symmetricNormalize(adj);
  }

  /** A from each row's k kept columns: A_ij = s_ij (weighted) or 1, rows in CSR order. */
  private static CsrMatrix knnAdjacency(int n, int k, int[] cols, float[] sims, boolean weighted) {
    int[] rowPtr = new int[n + 1];
    int[] ci = new int[n * k];
    float[] a = new float[n * k];
    long[] buf = new long[k];
    for (int i = 0; i < n; i++) {
      rowPtr[i + 1] = (i + 1) * k;
      // sort the row's columns ascending (CSR order), carrying the slot index
      for (int q = 0; q < k; q++) {
        buf[q] = ((long) cols[i * k + q] << 32) | q;
      }
      java.util.Arrays.sort(buf);
      for (int q = 0; q < k; q++) {
        int slot = (int) buf[q];
        ci[i * k + q] = (int) (buf[q] >>> 32);
        a[i * k + q] = weighted ? sims[i * k + slot] : 1f;
      }
    }
    return new CsrMatrix(n, n, rowPtr, ci, a);
  }

  /**
   * Σ_m w_m S_m over graphs of one shape (FREEDOM's {@code mm_image_weight · image_adj + (1 −
   * mm_image_weight) · text_adj}, for any number of modalities). The weights must sum to 1 (± 1e-6).
   */
  public static CsrMatrix fuse(List<CsrMatrix> graphs, double[] weights) {
    if (graphs.isEmpty()) {
      throw new IllegalArgumentException("fuse: no graphs");
    }
    if (weights.length != graphs.size()) {
      throw new IllegalArgumentException(
          "fuse: " + graphs.size() + " graphs but " + weights.length + " weights; give one weight per modality");
    }
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    if (Math.abs(total - 1.0) > 1e-6) {
      throw new IllegalArgumentException(
          "fuse: modality weights " + java.util.Arrays.toString(weights) + " sum to " + total + ", not 1");
    }
    CsrMatrix first = graphs.get(0);
    int nnz = 0;
    for (CsrMatrix g : graphs) {
      if (g.rows != first.rows || g.cols != first.cols) {
        throw new IllegalArgumentException(
            "fuse: shapes differ, " + first.rows + "x" + first.cols + " vs " + g.rows + "x" + g.cols);
      }
      nnz += g.nnz();
    }
    if (graphs.size() == 1) {
      return scaled(first, (float) weights[0]);
    }
    int[] r = new int[nnz];
    int[] c = new int[nnz];
    float[] v = new float[nnz];
    int p = 0;
    for (int m = 0; m < graphs.size(); m++) {
      CsrMatrix g = graphs.get(m);
      float w = (float) weights[m];
      for (int i = 0; i < g.rows; i++) {
        for (int q = g.rowPtr[i]; q < g.rowPtr[i + 1]; q++) {
          r[p] = i;
          c[p] = g.colIdx[q];
          v[p] = w * g.values[q];
          p++;
        }
      }
    }
    return CsrMatrix.fromCoo(first.rows, first.cols, r, c, v);
  }

  private static CsrMatrix scaled(CsrMatrix g, float w) {
    float[] v = new float[g.nnz()];
    for (int q = 0; q < v.length; q++) {
      v[q] = w * g.values[q];
    }
    return new CsrMatrix(g.rows, g.cols, g.rowPtr, g.colIdx, v);
  }
}
