package org.userec.eval;

import org.userec.model.Scorer;
import org.userec.tensor.simd.Kernels;

/**
 * Scores as the inner product of a user and an item embedding, score(u, i) = userEmb[u] · itemEmb[i]: what
 * BPR-MF, LightGCN, FREEDOM and most MMRec models return from {@code full_sort_predict}. A block of users is
 * gathered into a contiguous matrix and multiplied by the item matrix with {@link Kernels#gemmNT}.
 *
 * <p>The arrays are shared, not copied (Elec's user table is 49 MB): the caller must not change them while
 * this scorer is in use. Thread-safe otherwise: each call allocates its own gather buffer.
 */
public final class DotScorer implements Scorer {
  private final float[] userEmb;
  private final float[] itemEmb;
  private final int dim;
  private final int numUsers;
  private final int numItems;

  /**
   * @param userEmb numUsers × dim, row-major
   * @param itemEmb numItems × dim, row-major
   */
  public DotScorer(float[] userEmb, float[] itemEmb, int dim) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, got " + dim);
    }
    if (userEmb.length % dim != 0 || itemEmb.length % dim != 0) {
      throw new IllegalArgumentException(
          "embedding lengths (users " + userEmb.length + ", items " + itemEmb.length + ") are not multiples of dim "
              + dim);
    }
    this.userEmb = userEmb;
    this.itemEmb = itemEmb;
    this.dim = dim;
    this.numUsers = userEmb.length / dim;
    this.numItems = itemEmb.length / dim;
  }

  public int numUsers() {
    return numUsers;
  }

  @Override
  public int numItems() {
    return numItems;
  }

  public int dim() {
    return dim;
  }

  /** The user table, numUsers × dim row-major (shared, not copied: do not change it). */
  public float[] userEmbeddings() {
    return userEmb;
  }

  /** The item table, numItems × dim row-major (shared, not copied: do not change it). */
  public float[] itemEmbeddings() {
    return itemEmb;
  }

  @Override
  public void score(int[] users, float[] out) {
    int m = users.length;
    if (out.length < (long) m * numItems) {
      throw new IllegalArgumentException(
          "out holds " + out.length + " floats; " + m + " users × " + numItems + " items need " + (long) m * numItems);
    }
    float[] gathered = new float[m * dim];
    for (int r = 0; r < m; r++) {
      int u = users[r];
      if (u < 0 || u >= numUsers) {
        throw new IllegalArgumentException("user " + u + " out of range [0, " + numUsers + ")");
      }
      System.arraycopy(userEmb, u * dim, gathered, r * dim, dim);
    }
    Kernels.gemmNT(gathered, itemEmb, out, m, dim, numItems, false);
  }
}
