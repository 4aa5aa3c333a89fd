package org.userec.graph;

import java.util.List;
import org.userec.data.FeatureTable;
import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

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
 * <p>Memory: O(|I|·k) for the graph plus, per worker, one block of rows × all items of similarities and the
 * block's feature rows. The feature table itself is read in place (norms are applied after the product),
 * so no normalised copy of it is made.
 */
public final class KnnGraph {
  /** Similarity values held per worker (block rows × items) are capped at this many floats (64 MiB). */
  private static final long BLOCK_FLOATS = 1L << 24;
  /** Rows per block are capped at this many. */
  private static final int MAX_BLOCK_ROWS = 512;

  private KnnGraph() {}

  /**
   * The symmetric-normalised top-k cosine graph of one modality's features.
   *
   * @param f items × dim features (rows in item id order)
   * @param k neighbours kept per row, self included (1 ≤ k ≤ items)
   * @param weighted false: A_ij = 1 (FREEDOM); true: A_ij = cosine similarity (LATTICE-style)
   */
  public static CsrMatrix cosineTopK(FeatureTable f, int k, boolean weighted) {
    return cosineTopK(f, k, weighted, blockRows(f.rows()));
  }

  /** As above with a given number of rows per block (tests use small blocks to cover the seams). */
  static CsrMatrix cosineTopK(FeatureTable f, int k, boolean weighted, int block) {
    int n = f.rows();
    int dim = f.cols();
    if (k < 1 || k > n) {
      throw new IllegalArgumentException(
          "knn_k must be in [1, " + n + "] for " + f.name() + " (" + n + " items), got " + k);
    }
    float[] x = f.data();
    if (block < 1) {
      throw new IllegalArgumentException("block rows must be >= 1, got " + block);
    }
    float[] invNorm = inverseNorms(x, n, dim);
    int blocks = (n + block - 1) / block;
    int[] colIdx = new int[n * k];
    float[] sims = new float[n * k];
    // each worker owns its buffers; rows are independent, so the result does not depend on threads
    Parallel.forRange(blocks, 1, (b0, b1) -> {
      float[] rowsBuf = new float[block * dim];
      float[] simBuf = new float[block * n];
      int[] topIdx = new int[k];
      float[] topVal = new float[k];
      for (int b = b0; b < b1; b++) {
        int r0 = b * block;
        int m = Math.min(block, n - r0);
        System.arraycopy(x, r0 * dim, rowsBuf, 0, m * dim);
        Kernels.gemmNT(rowsBuf, x, simBuf, m, dim, n, false);
        for (int r = 0; r < m; r++) {
          int i = r0 + r;
          topK(simBuf, r * n, n, invNorm, invNorm[i], topIdx, topVal);
          System.arraycopy(topIdx, 0, colIdx, i * k, k);
          System.arraycopy(topVal, 0, sims, i * k, k);
        }
      }
    });
    return normalizeKnn(n, k, colIdx, sims, weighted, f.name());
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
   * The k largest cosines of one row (raw dots times both inverse norms), in descending order; equal values
   * keep the lower column first. A sorted insertion into k slots: O(n) compares plus rare O(k) shifts.
   */
  private static void topK(float[] dots, int off, int n, float[] invNorm, float invRow, int[] idx, float[] val) {
    int k = idx.length;
    int filled = 0;
    for (int j = 0; j < n; j++) {
      float s = dots[off + j] * invRow * invNorm[j];
      if (filled == k && !(s > val[k - 1])) {
        continue; // not larger than the current k-th: a later (higher) index loses the tie
      }
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

  /** Builds D^-½ A D^-½ from each row's k kept columns and similarities. */
  private static CsrMatrix normalizeKnn(int n, int k, int[] cols, float[] sims, boolean weighted, String name) {
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
    CsrMatrix adj = new CsrMatrix(n, n, rowPtr, ci, a);
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
