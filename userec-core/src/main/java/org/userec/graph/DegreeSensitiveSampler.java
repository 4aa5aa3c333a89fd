package org.userec.graph;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.userec.data.Interactions;

/**
 * Degree-sensitive edge pruning of the user–item graph (FREEDOM, Zhou & Shen MM'23, §3.2; PGL's "local"
 * principal subgraph; USERec spec §2). MMRec: {@code pre_epoch_processing} in {@code freedom.py} and {@code
 * pgl.py}.
 *
 * <p>Each distinct training edge k = (u, i) has weight w_k = (d_u + 1e-7)^-½ (d_i + 1e-7)^-½ with the
 * degrees of the full training graph. A sample keeps n distinct edges drawn without replacement with
 * probability ∝ w (the distribution of {@code torch.multinomial(w, n, replacement=False)}: successive draws
 * ∝ w among the edges not yet drawn), and returns the symmetric (|U|+|I|)² adjacency of the kept edges,
 * normalised with the degrees of the sampled subgraph: Â_ρ = D_ρ^-½ A_ρ D_ρ^-½ (+1e-7), no self-loops.
 *
 * <p>Method (Efraimidis &amp; Spirakis 2006, "Weighted random sampling with a reservoir"): every edge gets
 * the key e_k = E_k / w_k with E_k ~ Exp(1); the n smallest keys are a sample with exactly that
 * distribution. The n-th smallest key is found by quickselect on a copy of the keys (expected O(|E|)),
 * then one pass keeps the edges below it. A sample costs O(|E|) time and memory, no sort of the edges.
 */
public final class DegreeSensitiveSampler {
  private final int numUsers;
  private final int numItems;
  /** Distinct training edges, sorted by user then item. */
  private final int[] edgeUser;
  private final int[] edgeItem;
  private final double[] weight;
  private final CsrMatrix full;

  public DegreeSensitiveSampler(int numUsers, int numItems, Interactions train) {
    if (numUsers < 0 || numItems < 0) {
      throw new IllegalArgumentException("negative graph size: " + numUsers + " users, " + numItems + " items");
    }
    this.numUsers = numUsers;
    this.numItems = numItems;
    int[][] byUser = train.itemsByUser(numUsers);
    int e = 0;
    for (int[] items : byUser) {
      e += items.length;
    }
    edgeUser = new int[e];
    edgeItem = new int[e];
    int p = 0;
    for (int u = 0; u < numUsers; u++) {
      for (int i : byUser[u]) {
        if (i < 0 || i >= numItems) {
          throw new IllegalArgumentException("item " + i + " of user " + u + " outside [0, " + numItems + ")");
        }
        edgeUser[p] = u;
        edgeItem[p] = i;
        p++;
      }
    }
    int[] du = new int[numUsers];
    int[] di = new int[numItems];
    for (int k = 0; k < e; k++) {
      du[edgeUser[k]]++;
      di[edgeItem[k]]++;
    }
    weight = new double[e];
    for (int k = 0; k < e; k++) {
      weight[k] = Math.pow(du[edgeUser[k]] + 1e-7, -0.5) * Math.pow(di[edgeItem[k]] + 1e-7, -0.5);
    }
    boolean[] all = new boolean[e];
    Arrays.fill(all, true);
    full = adjacency(all);
  }

  /** Number of distinct training edges |E|. */
  public int edges() {
    return edgeUser.length;
  }

  /** The sampling weight of each distinct edge, in (user, item) order (for tests and diagnostics). */
  public double[] weights() {
    return weight.clone();
  }

  /** The full normalised training graph Â (what inference uses); the same matrix on every call. */
  public CsrMatrix full() {
    return full;
  }

  /**
   * Keeps n = ⌈keepRatio·|E|⌉ distinct edges (the product is taken less 1e-9 before rounding up, so that a
   * ratio like 0.3 of 10 edges gives 3, not 4 from floating-point noise) and returns their re-normalised
   * adjacency. keepRatio 1.0 returns {@link #full()}.
   */
  public CsrMatrix sample(double keepRatio, RandomGenerator rng) {
    if (!(keepRatio > 0.0 && keepRatio <= 1.0)) {
      throw new IllegalArgumentException("keep ratio must be in (0, 1], got " + keepRatio);
    }
    int n = (int) Math.min(edges(), Math.ceil(keepRatio * edges() - 1e-9));
    return sampleEdges(n, rng);
  }

  /**
   * Keeps exactly n distinct edges (0 ≤ n ≤ |E|); for models that round as their reference does (FREEDOM:
   * {@code int(|E| · (1 − dropout))}).
   */
  public CsrMatrix sampleEdges(int n, RandomGenerator rng) {
    int e = edges();
    if (n < 0 || n > e) {
      throw new IllegalArgumentException("cannot keep " + n + " of " + e + " edges");
    }
    if (n == e) {
      return full;
    }
    return adjacency(keep(n, rng));
  }

  /**
   * The normalised graph of the listed training edges, as a sample that kept exactly them would give: a sample
   * drawn elsewhere (a reference implementation's, in parity tests). A pair that is no training edge is an error.
   */
  public CsrMatrix adjacencyOf(int[] users, int[] items) {
    if (users.length != items.length) {
      throw new IllegalArgumentException(users.length + " users for " + items.length + " items");
    }
    boolean[] kept = new boolean[edges()];
    for (int k = 0; k < users.length; k++) {
      int lo = 0;
      int hi = edges() - 1;
      int found = -1;
      while (lo <= hi && found < 0) { // edges are sorted by (user, item)
        int mid = (lo + hi) >>> 1;
        int c = edgeUser[mid] != users[k] ? Integer.compare(edgeUser[mid], users[k]) : Integer.compare(edgeItem[mid], items[k]);
        if (c == 0) {
          found = mid;
        } else if (c < 0) {
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      if (found < 0) {
        throw new IllegalArgumentException("(" + users[k] + ", " + items[k] + ") is not a training edge");
      }
      kept[found] = true;
    }
    return adjacency(kept);
  }

  /** Which edges a sample of n keeps (exposed for tests of the sampling distribution). */
  boolean[] keep(int n, RandomGenerator rng) {
    return keepProportional(weight, n, rng);
  }

  /**
   * Which of the weighted items a sample of n without replacement keeps, drawn as {@code torch.multinomial(w, n,
   * replacement=False)} does (successive draws ∝ w among the items not yet drawn), by the keys of the class
   * comment: one {@code rng.nextDouble()} per item, in order. Items of weight 0 are kept only when fewer than n
   * have a positive weight. 0 ≤ n ≤ w.length.
   */
  public static boolean[] keepProportional(double[] weight, int n, RandomGenerator rng) {
    int e = weight.length;
    if (n < 0 || n > e) {
      throw new IllegalArgumentException("cannot keep " + n + " of " + e + " weighted items");
    }
    boolean[] kept = new boolean[e];
    if (n == 0) {
      return kept;
    }
    double[] key = new double[e];
    for (int k = 0; k < e; k++) {
      double u = 1.0 - rng.nextDouble(); // (0, 1]
      key[k] = -Math.log(u) / weight[k];
    }
    double threshold = nthSmallest(key.clone(), n - 1);
    int taken = 0;
    for (int k = 0; k < e; k++) {
      if (key[k] < threshold) {
        kept[k] = true;
        taken++;
      }
    }
    for (int k = 0; k < e && taken < n; k++) { // equal keys (measure zero): lower edge index first
      if (key[k] == threshold) {
        kept[k] = true;
        taken++;
      }
    }
    return kept;
  }

  /** The value of rank r (0-based) in ascending order; reorders a. Hoare quickselect, middle pivot. */
  static double nthSmallest(double[] a, int r) {
    int lo = 0;
    int hi = a.length - 1;
    while (lo < hi) {
      double pivot = a[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          double t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (r <= j) {
        hi = j;
      } else if (r >= i) {
        lo = i;
      } else {
        return a[r];
      }
    }
    return a[r];
  }

  /** D^-½ A D^-½ of the kept edges with the kept subgraph's degrees (+1e-7); users first, items after. */
  private CsrMatrix adjacency(boolean[] kept) {
    int nodes = numUsers + numItems;
    int[] deg = new int[nodes];
    int nnz = 0;
    for (int k = 0; k < kept.length; k++) {
      if (kept[k]) {
        deg[edgeUser[k]]++;
        deg[numUsers + edgeItem[k]]++;
        nnz += 2;
      }
    }
    double[] inv = new double[nodes];
    int[] rowPtr = new int[nodes + 1];
    for (int v = 0; v < nodes; v++) {
      inv[v] = Math.pow(deg[v] + 1e-7, -0.5);
      rowPtr[v + 1] = rowPtr[v] + deg[v];
    }
    int[] fill = Arrays.copyOf(rowPtr, nodes);
    int[] col = new int[nnz];
    float[] val = new float[nnz];
    // edges are sorted by (user, item): user rows fill in item order, item rows in user order
    for (int k = 0; k < kept.length; k++) {
      if (kept[k]) {
        int u = edgeUser[k];
        int i = numUsers + edgeItem[k];
        float v = (float) (inv[u] * inv[i]);
        col[fill[u]] = i;
        val[fill[u]++] = v;
        col[fill[i]] = u;
        val[fill[i]++] = (float) (inv[i] * inv[u]);
      }
    }
    return new CsrMatrix(nodes, nodes, rowPtr, col, val).assumeSymmetric();
  }
}
