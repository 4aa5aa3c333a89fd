package org.userec.graph;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.userec.data.Interactions;
import org.userec.util.Parallel;

/**
 * The user–user graph of DualGNN (Wang et al., "DualGNN: Dual Graph Neural Network for Multimedia
 * Recommendation", IEEE TMM 2021) as COHESION uses it: built by its preprocessing
 * ({@code preprocessing/dualgnn-gen-u-u-matrix.py}) and sampled each epoch ({@code topk_sample} in {@code
 * models/cohesion.py}).
 *
 * <ul>
 *   <li>c_uv = |items(u) ∩ items(v)|, the number of items both users have in training (u ≠ v; repeated
 *       interactions count once). User u's neighbours are the users with c_uv &gt; 0, by descending c_uv,
 *       the first k kept. Equal counts are ordered by a seeded hash of the pair (u, v): the reference's
 *       torch.topk leaves their order unspecified, and in practice scrambles it row by row. The order matters:
 *       on TikTok 6,738 of 9,308 users have a tie at the 40th place, and the tied group carries 77% of such a
 *       user's softmax weight on average. Keeping the lower ids instead would send most users to the same
 *       few low-id neighbours.
 *   <li>Each epoch ({@link #sample}): a user with n ≥ k neighbours takes its k; a user with 0 &lt; n &lt; k
 *       is padded to k by drawing, k − n times, a uniform position of its list as it grows so far (so an
 *       appended repeat can be drawn again), the drawn neighbour and count appended; a user with none has an
 *       empty row. Row u holds softmax(c) over its k entries, repeats summed: h_u = Σ_v W_uv x_v.
 * </ul>
 *
 * <p>Counts come from sparse accumulation, as {@link CoInteractionGraph}'s: for user u, each of u's items
 * adds 1 to each of its other users, in a dense counter reset through its list of touched entries. Time
 * O(Σ_i |users(i)|²), memory O(|U|) per worker plus O(|U|·k) for the lists; never a |U|² matrix (the
 * reference preprocessing builds one densely).
 */
public final class UserGraph {
  private final int numUsers;
  private final int k;
  private final int[][] neighbours;
  private final int[][] counts;
  private final int[] degree;

  private UserGraph(int numUsers, int k, int[][] neighbours, int[][] counts, int[] degree) {
    this.numUsers = numUsers;
    this.k = k;
    this.neighbours = neighbours;
    this.counts = counts;
    this.degree = degree;
  }

  /**
   * The graph of the training interactions, keeping each user's top {@code k} neighbours (k ≥ 1); {@code salt}
   * seeds the order among equal counts ({@link #tieKey}).
   */
  public static UserGraph build(int numUsers, int numItems, Interactions train, int k, long salt) {
    if (k < 1) {
      throw new IllegalArgumentException("user neighbours must be >= 1, got " + k);
    }
    int[][] itemsOf = train.itemsByUser(numUsers);
    int[][] usersOf = new Interactions(train.items(), train.users()).itemsByUser(numItems);
    int[][] nb = new int[numUsers][];
    int[][] cn = new int[numUsers][];
    int[] deg = new int[numUsers];
    Parallel.forRange(numUsers, 256, (s, e) -> {
      int[] count = new int[numUsers];
      int[] touched = new int[numUsers];
      int[] topIdx = new int[k];
      int[] topCnt = new int[k];
      long[] topKey = new long[k];
      for (int u = s; u < e; u++) {
        int nt = 0;
        for (int i : itemsOf[u]) {
          for (int v : usersOf[i]) {
            if (v != u && count[v]++ == 0) {
              touched[nt++] = v;
            }
          }
        }
        int filled = 0;
        for (int t = 0; t < nt; t++) {
          int v = touched[t];
          filled = insert(v, count[v], tieKey(salt, u, v), topIdx, topCnt, topKey, filled);
          count[v] = 0;
        }
        deg[u] = nt;
        nb[u] = Arrays.copyOf(topIdx, filled);
        cn[u] = Arrays.copyOf(topCnt, filled);
      }
    });
    return new UserGraph(numUsers, k, nb, cn, deg);
  }

  /**
   * The order of v among u's neighbours with the same count: a 64-bit mix (SplitMix64's finaliser) of the salt
   * and the pair, so each row orders its ties differently; ties of the key itself go to the lower id.
   */
  static long tieKey(long salt, int u, int v) {
    long z = salt + 0x9E3779B97F4A7C15L * (((long) u << 32) | (v & 0xffffffffL)) + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Inserts (v, c) into the list ordered by count descending, then tie key, then id (a total order, so the
   * result does not depend on the order candidates arrive in). Returns the new fill.
   */
  private static int insert(int v, int c, long key, int[] idx, int[] cnt, long[] keys, int filled) {
    int cap = idx.length;
    if (filled == cap && !before(c, key, v, cnt[cap - 1], keys[cap - 1], idx[cap - 1])) {
      return filled;
    }
    int p = filled == cap ? cap - 1 : filled++;
    while (p > 0 && before(c, key, v, cnt[p - 1], keys[p - 1], idx[p - 1])) {
      cnt[p] = cnt[p - 1];
      keys[p] = keys[p - 1];
      idx[p] = idx[p - 1];
      p--;
    }
    cnt[p] = c;
    keys[p] = key;
    idx[p] = v;
    return filled;
  }

  private static boolean before(int c, long key, int v, int c2, long key2, int v2) {
    return c > c2 || (c == c2 && (key < key2 || (key == key2 && v < v2)));
  }

  public int numUsers() {
    return numUsers;
  }

  /** Neighbours kept per user. */
  public int k() {
    return k;
  }

  /** User u's kept neighbours, by descending count then tie key (a copy). */
  public int[] neighbours(int u) {
    return neighbours[u].clone();
  }

  /** The co-interaction counts of {@link #neighbours}, in the same order (a copy). */
  public int[] counts(int u) {
    return counts[u].clone();
  }

  /** The number of users u shares at least one training item with (before keeping k). */
  public int degree(int u) {
    return degree[u];
  }

  /** One epoch's weighted graph, |U|×|U|, row u = softmax over u's k (padded) neighbours' counts. */
  public CsrMatrix sample(RandomGenerator rng) {
    int[][] idx = new int[numUsers][];
    float[][] cnt = new float[numUsers][];
    for (int u = 0; u < numUsers; u++) {
      int n = neighbours[u].length;
      if (n == 0) {
        idx[u] = new int[0];
        cnt[u] = new float[0];
        continue;
      }
      int[] row = Arrays.copyOf(neighbours[u], k);
      float[] c = new float[k];
      for (int q = 0; q < n; q++) {
        c[q] = counts[u][q];
      }
      for (int len = n; len < k; len++) {
        int pick = rng.nextInt(len);
        row[len] = row[pick];
        c[len] = c[pick];
      }
      idx[u] = row;
      cnt[u] = c;
    }
    return softmaxRows(numUsers, idx, cnt);
  }

  /**
   * The |U|×|U| matrix whose row u puts softmax(counts[u]) on the columns idx[u] (repeated columns summed);
   * an empty row stays empty. Used by {@link #sample} and to replay a given epoch's sample.
   */
  public static CsrMatrix softmaxRows(int numUsers, int[][] idx, float[][] counts) {
    if (idx.length != numUsers || counts.length != numUsers) {
      throw new IllegalArgumentException("softmaxRows: " + idx.length + " and " + counts.length + " rows for " + numUsers + " users");
    }
    int nnz = 0;
    for (int u = 0; u < numUsers; u++) {
      if (idx[u].length != counts[u].length) {
        throw new IllegalArgumentException("softmaxRows: user " + u + " has " + idx[u].length + " neighbours and " + counts[u].length + " counts");
      }
      nnz += idx[u].length;
    }
    int[] r = new int[nnz];
    int[] c = new int[nnz];
    float[] v = new float[nnz];
    int p = 0;
    for (int u = 0; u < numUsers; u++) {
      float[] x = counts[u];
      double max = Double.NEGATIVE_INFINITY;
      for (float a : x) {
        max = Math.max(max, a);
      }
      double sum = 0;
      for (float a : x) {
        sum += Math.exp(a - max);
      }
      for (int q = 0; q < x.length; q++) {
        r[p] = u;
        c[p] = idx[u][q];
        v[p] = (float) (Math.exp(x[q] - max) / sum);
        p++;
      }
    }
    return CsrMatrix.fromCoo(numUsers, numUsers, r, c, v);
  }
}
