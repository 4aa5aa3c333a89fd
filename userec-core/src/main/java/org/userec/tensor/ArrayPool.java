package org.userec.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reuses the float arrays a training step needs, batch after batch. A step of a graph model allocates several
 * arrays of |nodes|×d floats; fresh ones every batch stream through main memory, while reused ones stay in
 * the last-level cache (measured: a sparse product writing into a fresh 6.8 MB array took 4.7 ms against 2.0 ms
 * into a reused one). Arrays are handed out zero-filled. Not thread-safe: one pool per training loop.
 */
public final class ArrayPool {
  private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();

  /** A zero-filled array of length n. */
  public float[] take(int n) {
    ArrayDeque<float[]> q = free.get(n);
    float[] a = q == null ? null : q.pollFirst();
    if (a == null) {
      return new float[n];
    }
    Arrays.fill(a, 0f);
    return a;
  }

  /** Returns an array for reuse; the caller must not touch it afterwards. */
  public void give(float[] a) {
    free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addFirst(a);
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
