package org.userec.eval;

/**
 * Selects the k best items of one score row without sorting the row: a bounded heap whose root is the worst
 * item kept, and a scan that touches the heap only when a score beats that root. For n scores in random
 * order that is about k·ln(n/k) heap updates, so the cost is one compare per item (n = 7,050, k = 50: ~250
 * updates against 7,000 compares).
 *
 * <p>Order (PROTOCOL.md): higher score first; equal scores by lower item id. {@code -0.0f} and {@code 0.0f}
 * are equal scores. −∞ is an ordinary value (it ranks last, by id among itself), so masked items still fill the
 * list when fewer than k items are unmasked, as {@code torch.topk} does. A NaN score is an error: it means the
 * model diverged, and no order of NaNs would be meaningful.
 *
 * <p>An instance holds scratch space: use one per thread.
 */
public final class TopK {
  private final int k;
  private final float[] heapScore;
  private final int[] heapItem;

  public TopK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.k = k;
    this.heapScore = new float[k];
    this.heapItem = new int[k];
  }

  public int k() {
    return k;
  }

  /**
   * Writes the ids (0-based, relative to {@code off}) of the min(k, n) best scores of {@code scores[off, off +
   * n)} to {@code out[outOff..]}, best first, and returns how many it wrote.
   *
   * @throws IllegalArgumentException if a score that could enter the list is NaN
   */
  public int select(float[] scores, int off, int n, int[] out, int outOff) {
    int m = Math.min(k, n);
    if (m <= 0) {
      return 0;
    }
    float[] hs = heapScore;
    int[] hi = heapItem;
    for (int i = 0; i < m; i++) {
      float s = scores[off + i];
      if (s != s) {
        throw nan(i);
      }
      hs[i] = s;
      hi[i] = i;
      siftUp(hs, hi, i);
    }
    // Items arrive in ascending id order, so an item that only ties the root has the higher id and loses:
    // it enters only when strictly better. !(s <= thr) is also true for NaN, which the slow path rejects.
    float thr = hs[0];
    int end = off + n;
    for (int p = off + m; p < end; p++) {
      float s = scores[p];
      if (!(s <= thr)) {
        if (s != s) {
          throw nan(p - off);
        }
        hs[0] = s;
        hi[0] = p - off;
        siftDown(hs, hi, m);
        thr = hs[0];
      }
    }
    // Pop the worst first, filling the output from its end.
    for (int size = m; size > 0; size--) {
      out[outOff + size - 1] = hi[0];
      hs[0] = hs[size - 1];
      hi[0] = hi[size - 1];
      siftDown(hs, hi, size - 1);
    }
    return m;
  }

  private static IllegalArgumentException nan(int item) {
    return new IllegalArgumentException(
        "score of item " + item + " is NaN; the model produced non-finite scores (check the loss and learning rate)");
  }

  /** True when entry a ranks below entry b: lower score, or equal score and higher id. */
  private static boolean worse(float sa, int ia, float sb, int ib) {
    return sa < sb || (sa == sb && ia > ib);
  }

  private static void siftUp(float[] hs, int[] hi, int pos) {
    float s = hs[pos];
    int id = hi[pos];
    while (pos > 0) {
      int parent = (pos - 1) >>> 1;
      if (!worse(s, id, hs[parent], hi[parent])) {
        break;
      }
      hs[pos] = hs[parent];
      hi[pos] = hi[parent];
      pos = parent;
    }
    hs[pos] = s;
    hi[pos] = id;
  }

  /** Restores the heap below the root, over entries [0, size). */
  private static void siftDown(float[] hs, int[] hi, int size) {
    if (size <= 1) {
      return;
    }
    float s = hs[0];
    int id = hi[0];
    int pos = 0;
    while (true) {
      int child = 2 * pos + 1;
      if (child >= size) {
        break;
      }
      int right = child + 1;
      if (right < size && worse(hs[right], hi[right], hs[child], hi[child])) {
        child = right;
      }
      if (!worse(hs[child], hi[child], s, id)) {
        break;
      }
      hs[pos] = hs[child];
      hi[pos] = hi[child];
      pos = child;
    }
    hs[pos] = s;
    hi[pos] = id;
  }
}
