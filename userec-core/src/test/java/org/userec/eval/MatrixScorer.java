package org.userec.eval;

import org.userec.model.Scorer;

/** A scorer backed by a full users × items matrix, for small tests. */
final class MatrixScorer implements Scorer {
  private final float[][] scores;

  MatrixScorer(float[][] scores) {
    this.scores = scores;
  }

  @Override
  public int numItems() {
    return scores[0].length;
  }

  @Override
  public void score(int[] users, float[] out) {
    int n = numItems();
    for (int r = 0; r < users.length; r++) {
      System.arraycopy(scores[users[r]], 0, out, r * n, n);
    }
  }
}
