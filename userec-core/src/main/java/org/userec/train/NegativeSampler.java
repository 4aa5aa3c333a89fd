package org.userec.train;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.userec.data.Interactions;

/**
 * MMRec's negative sampling: a negative is drawn uniformly from the items that occur in training and redrawn
 * while the user has it in training. A user who has every training item cannot get a negative; that is an
 * error naming the user.
 */
public final class NegativeSampler {
  private final int[] candidates;
  private final int[][] trainItems;

  public NegativeSampler(Interactions train, int numUsers, int numItems) {
    this.trainItems = train.itemsByUser(numUsers);
    boolean[] seen = new boolean[numItems];
    int count = 0;
    for (int i : train.items()) {
      if (!seen[i]) {
        seen[i] = true;
        count++;
      }
    }
    this.candidates = new int[count];
    int w = 0;
    for (int i = 0; i < numItems; i++) {
      if (seen[i]) {
        candidates[w++] = i;
      }
    }
  }

  /**
   * Reads the first value of each user's training items, one independent load per user, so that their cache
   * misses overlap instead of coming one at a time inside {@link #sample}'s searches (a batch's users are
   * scattered over the table). Returns their sum, for the caller to keep (a load whose value nobody uses may
   * be dropped by the compiler).
   */
  public int touch(int[] users) {
    int sum = 0;
    for (int u : users) {
      int[] its = trainItems[u];
      sum += its.length == 0 ? 0 : its[0];
    }
    return sum;
  }

  /** Whether user u has item i in training. */
  public boolean isPositive(int u, int i) {
    return Arrays.binarySearch(trainItems[u], i) >= 0;
  }

  public int sample(int user, RandomGenerator rng) {
    if (trainItems[user].length >= candidates.length) {
      throw new IllegalStateException("user " + user + " has interacted with every training item; no negative exists");
    }
    while (true) {
      int j = candidates[rng.nextInt(candidates.length)];
      if (!isPositive(user, j)) {
        return j;
      }
    }
  }

  public int[] trainItemsOf(int user) {
    return trainItems[user];
  }
}
