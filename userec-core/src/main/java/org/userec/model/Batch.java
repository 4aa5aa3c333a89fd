package org.userec.model;

/** One training batch: row r is the triple (users[r], pos[r], neg[r]). */
public record Batch(int[] users, int[] pos, int[] neg) {
  public Batch {
    if (users.length != pos.length || users.length != neg.length) {
      throw new IllegalArgumentException("batch arrays differ in length");
    }
  }

  public int size() {
    return users.length;
  }
}
