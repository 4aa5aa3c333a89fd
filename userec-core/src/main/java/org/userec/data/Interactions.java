package org.userec.data;

import java.util.Arrays;

/** Parallel arrays of (user, item) pairs: one split of a dataset. */
public record Interactions(int[] users, int[] items) {
  public Interactions {
    if (users.length != items.length) {
      throw new IllegalArgumentException("users (" + users.length + ") and items (" + items.length + ") differ in length");
    }
  }

  public int size() {
    return users.length;
  }

  /**
   * Items of each user, sorted ascending and without duplicates: result[u] is user u's item list (empty
   * when the user has none).
   */
  public int[][] itemsByUser(int numUsers) {
    int[] count = new int[numUsers];
    for (int u : users) {
      count[u]++;
    }
    int[][] out = new int[numUsers][];
    for (int u = 0; u < numUsers; u++) {
      out[u] = new int[count[u]];
    }
    int[] fill = new int[numUsers];
    for (int k = 0; k < users.length; k++) {
      out[users[k]][fill[users[k]]++] = items[k];
    }
    for (int u = 0; u < numUsers; u++) {
      int[] a = out[u];
      Arrays.sort(a);
      int w = 0;
      for (int k = 0; k < a.length; k++) {
        if (k == 0 || a[k] != a[k - 1]) {
          a[w++] = a[k];
        }
      }
      if (w != a.length) {
        out[u] = Arrays.copyOf(a, w);
      }
    }
    return out;
  }
}
