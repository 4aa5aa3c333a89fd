package org.userec.graph;

import org.userec.data.Interactions;

/**
 * The user–item bipartite graph as one symmetric (|U|+|I|)² matrix: users first, items offset by |U|.
 * Duplicate pairs count once; no self-loops.
 */
public final class InteractionGraph {
  private InteractionGraph() {}

  /**
   * Â = D^-½ A D^-½ with D the row degrees of A plus 1e-7 (MMRec's LightGCN, FREEDOM, PGL: {@code
   * get_norm_adj_mat}); A[u, |U|+i] = A[|U|+i, u] = 1 for each training pair.
   */
  public static CsrMatrix normalizedAdjacency(int numUsers, int numItems, Interactions train) {
    return normalizedAdjacency(numUsers, numItems, train.users(), train.items(), train.size());
  }

  /** As above over the first n pairs of (users, items). */
  public static CsrMatrix normalizedAdjacency(int numUsers, int numItems, int[] users, int[] items, int n) {
    int nodes = numUsers + numItems;
    int[] r = new int[2 * n];
    int[] c = new int[2 * n];
    float[] v = new float[2 * n];
    for (int k = 0; k < n; k++) {
      r[2 * k] = users[k];
      c[2 * k] = numUsers + items[k];
      r[2 * k + 1] = numUsers + items[k];
      c[2 * k + 1] = users[k];
      v[2 * k] = 1f;
      v[2 * k + 1] = 1f;
    }
    CsrMatrix a = CsrMatrix.fromCoo(nodes, nodes, r, c, v);
    // duplicates were summed: binarise
    java.util.Arrays.fill(a.values, 1f);
    return symmetricNormalize(a).assumeSymmetric();
  }

  /** D^-½ A D^-½ with row sums of A (+1e-7) as degrees; a new matrix with the same pattern. */
  public static CsrMatrix symmetricNormalize(CsrMatrix a) {
    float[] deg = a.rowSums();
    double[] inv = new double[deg.length];
    for (int i = 0; i < deg.length; i++) {
      inv[i] = Math.pow(deg[i] + 1e-7, -0.5);
    }
    float[] vals = new float[a.nnz()];
    for (int i = 0; i < a.rows; i++) {
      for (int k = a.rowPtr[i]; k < a.rowPtr[i + 1]; k++) {
        vals[k] = (float) (a.values[k] * inv[i] * inv[a.colIdx[k]]);
      }
    }
    return new CsrMatrix(a.rows, a.cols, a.rowPtr, a.colIdx, vals);
  }
}
