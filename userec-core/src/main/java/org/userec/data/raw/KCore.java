package org.userec.data.raw;

/**
 * k-core filtering of a bipartite interaction list: drops interactions of users or items with fewer than k
 * interactions, recounts, and repeats until nothing changes (the fixed point every row of which has a user
 * and an item of degree at least k). Works on int arrays, O(rows) per round.
 */
public final class KCore {
  private KCore() {}

  /**
   * Clears {@code alive[r]} for the rows outside the k-core; rows already dead stay dead.
   *
   * @return the number of rounds until the fixed point (the last round removes nothing)
   */
  public static int filter(int[] users, int[] items, boolean[] alive, int rows, int nUsers, int nItems, int k) {
    if (k <= 1) {
      return 0;
    }
    int[] du = new int[nUsers];
    int[] di = new int[nItems];
    int rounds = 0;
    boolean changed = true;
    while (changed) {
      rounds++;
      java.util.Arrays.fill(du, 0);
      java.util.Arrays.fill(di, 0);
      for (int r = 0; r < rows; r++) {
        if (alive[r]) {
          du[users[r]]++;
          di[items[r]]++;
        }
      }
      changed = false;
      for (int r = 0; r < rows; r++) {
        if (alive[r] && (du[users[r]] < k || di[items[r]] < k)) {
          alive[r] = false;
          changed = true;
        }
      }
    }
    return rounds;
  }
}
