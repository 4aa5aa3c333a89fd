package org.userec.graph;

import org.userec.data.Interactions;
import org.userec.util.Parallel;

/**
 * The user-behaviour item–item graph (USERec spec §4; the co-interaction graph of DA-MRS): c_ij = the
 * number of training users who interacted with both i and j (i ≠ j). Pairs with c_ij ≥ minCommon are
 * candidates; each item keeps its topK candidates by c_ij (ties to the lower index). Optional self-loops;
 * values 1 (binary) or c_ij (weighted; a self-loop then weighs c_ii = the item's number of training
 * users); Ŝ = D^-½ S D^-½ with D the row sums of S (+1e-7). Rows are kept per item, so S need not be
 * symmetric.
 *
 * <p>Counts come from sparse accumulation over the user → items lists: for item i, every user of i adds 1
 * to each of that user's items, in a dense counter that is reset through its list of touched entries. Time
 * O(Σ_u |items(u)|²), memory O(|I|) per worker plus the graph; never an |I|² matrix.
 */
public final class CoInteractionGraph {
  private CoInteractionGraph() {}

  public static CsrMatrix build(
      int numUsers, int numItems, Interactions train, int minCommon, int topK, boolean weighted, boolean selfLoops) {
    if (minCommon < 1) {
      throw new IllegalArgumentException("ii_min_common must be >= 1, got " + minCommon);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("ii_topk must be >= 0, got " + topK);
    }
    int[][] itemsOf = train.itemsByUser(numUsers);
    int[][] usersOf = usersByItem(itemsOf, numItems);
    int[][] cols = new int[numItems][];
    float[][] vals = new float[numItems][];
    Parallel.forRange(numItems, 256, (s, e) -> {
      int[] count = new int[numItems];
      int[] touched = new int[numItems];
      int[] topIdx = new int[topK];
      int[] topCnt = new int[topK];
      for (int i = s; i < e; i++) {
        int nt = 0;
        for (int u : usersOf[i]) {
          for (int j : itemsOf[u]) {
            if (count[j]++ == 0) {
              touched[nt++] = j;
            }
          }
        }
        int filled = 0;
        for (int t = 0; t < nt; t++) {
          int j = touched[t];
          int c = count[j];
          count[j] = 0;
          if (j == i || c < minCommon || topK == 0) {
            continue;
          }
          filled = insert(j, c, topIdx, topCnt, filled);
        }
        int selfCount = usersOf[i].length;
        int len = filled + (selfLoops ? 1 : 0);
        int[] ci = new int[len];
        float[] cv = new float[len];
        for (int q = 0; q < filled; q++) {
          ci[q] = topIdx[q];
          cv[q] = weighted ? topCnt[q] : 1f;
        }
        if (selfLoops) {
          ci[filled] = i;
          cv[filled] = weighted ? selfCount : 1f;
        }
        sortByColumn(ci, cv);
        cols[i] = ci;
        vals[i] = cv;
      }
    });
    int[] rowPtr = new int[numItems + 1];
    for (int i = 0; i < numItems; i++) {
      rowPtr[i + 1] = rowPtr[i] + cols[i].length;
    }
    int[] ci = new int[rowPtr[numItems]];
    float[] cv = new float[rowPtr[numItems]];
    for (int i = 0; i < numItems; i++) {
      System.arraycopy(cols[i], 0, ci, rowPtr[i], cols[i].length);
      System.arraycopy(vals[i], 0, cv, rowPtr[i], vals[i].length);
    }
    return InteractionGraph.symmetricNormalize(new CsrMatrix(numItems, numItems, rowPtr, ci, cv));
  }

  /**
   * Inserts (j, c) into the top list ordered by count descending, then index ascending (a total order, so
   * the result does not depend on the order candidates arrive in). Returns the new fill.
   */
  private static int insert(int j, int c, int[] idx, int[] cnt, int filled) {
    int k = idx.length;
    if (filled == k && !before(c, j, cnt[k - 1], idx[k - 1])) {
      return filled;
    }
    int p = filled == k ? k - 1 : filled++;
    while (p > 0 && before(c, j, cnt[p - 1], idx[p - 1])) {
      cnt[p] = cnt[p - 1];
      idx[p] = idx[p - 1];
      p--;
    }
    cnt[p] = c;
    idx[p] = j;
    return filled;
  }

  private static boolean before(int c, int j, int c2, int j2) {
    return c > c2 || (c == c2 && j < j2);
  }

  private static void sortByColumn(int[] ci, float[] cv) {
    for (int a = 1; a < ci.length; a++) {
      int c = ci[a];
      float v = cv[a];
      int b = a - 1;
      while (b >= 0 && ci[b] > c) {
        ci[b + 1] = ci[b];
        cv[b + 1] = cv[b];
        b--;
      }
      ci[b + 1] = c;
      cv[b + 1] = v;
    }
  }

  private static int[][] usersByItem(int[][] itemsOf, int numItems) {
    int[] count = new int[numItems];
    for (int[] items : itemsOf) {
      for (int i : items) {
        if (i < 0 || i >= numItems) {
          throw new IllegalArgumentException("item " + i + " outside [0, " + numItems + ")");
        }
        count[i]++;
      }
    }
    int[][] out = new int[numItems][];
    for (int i = 0; i < numItems; i++) {
      out[i] = new int[count[i]];
    }
    int[] fill = new int[numItems];
    for (int u = 0; u < itemsOf.length; u++) {
      for (int i : itemsOf[u]) {
        out[i][fill[i]++] = u;
      }
    }
    return out;
  }
}
