package org.userec.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.userec.util.Parallel;

/**
 * Reuses the float arrays a training step needs, batch after batch. A step of a graph model allocates several
 * arrays of |nodes|×d floats; fresh ones every batch stream through main memory, while reused ones stay in
 * the last-level cache (measured: a sparse product writing into a fresh 6.8 MB array took 4.7 ms against 2.0 ms
 * into a reused one). Arrays are handed out zero-filled. Not thread-safe: one pool per training loop.
 *
 * <p>Only lengths that recur are kept: an array given back is kept when its length was also taken in the
 * previous step ({@link #endStep}), and lengths a step did not take are dropped. Arrays whose length changes
 * from batch to batch (over the distinct nodes a batch touches) are thus left to the young generation, where
 * they die cheaply, instead of being held, aged into the old generation and dropped later.
 */
public final class ArrayPool {
  private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
  private Set<Integer> takenBefore = new HashSet<>();
  private Set<Integer> takenNow = new HashSet<>();

  /**
   * The map key of length n: lengths are mostly multiples of 64 (rows × embedding size), which Integer's hash
   * code piles into a few buckets of a HashMap; multiplying by an odd constant is one-to-one and spreads them.
   */
  private static Integer key(int n) {
    return n * 0x9E3779B9;
  }

  /** A zero-filled array of length n. */
  public float[] take(int n) {
    float[] a = poll(n);
    if (a == null) {
      return new float[n];
    }
    if (n >= PARALLEL_FILL) { // a memset of megabytes: split across the cores rather than leave them idle
      Parallel.forRange(n, PARALLEL_FILL / 2, (from, to) -> Arrays.fill(a, from, to, 0f));
    } else {
      Arrays.fill(a, 0f);
    }
    return a;
  }

  /** Arrays at least this long are zero-filled across threads. */
  static final int PARALLEL_FILL = 1 << 18;

  /**
   * An array of length n with unspecified contents (what its last user left), for a caller that overwrites
   * every value before reading any: saves the zero fill of {@link #take}, a full pass over the array.
   */
  public float[] takeForOverwrite(int n) {
    float[] a = poll(n);
    return a == null ? new float[n] : a;
  }

  private float[] poll(int n) {
    Integer k = key(n);
    takenNow.add(k);
    ArrayDeque<float[]> q = free.get(k);
    return q == null ? null : q.pollFirst();
  }

  /** Returns an array for reuse; the caller must not touch it afterwards. */
  public void give(float[] a) {
    Integer k = key(a.length);
    ArrayDeque<float[]> q = free.get(k);
    if (q == null && takenBefore.contains(k)) {
      q = new ArrayDeque<>();
      free.put(k, q);
    }
    if (q != null) {
      q.addFirst(a);
    }
  }

  /** Ends a step (a tape's release): forgets the lengths this step did not take. */
  public void endStep() {
    free.keySet().retainAll(takenNow);
    takenBefore = takenNow;
    takenNow = new HashSet<>();
  }

  /** Number of arrays of the given length held (for tests). */
  public int held(int length) {
    ArrayDeque<float[]> q = free.get(key(length));
    return q == null ? 0 : q.size();
  }

  /** Number of arrays held (for tests). */
  public int held() {
    int n = 0;
    for (ArrayDeque<float[]> q : free.values()) {
      n += q.size();
    }
    return n;
  }
}
