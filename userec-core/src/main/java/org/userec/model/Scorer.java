package org.userec.model;

/** A frozen inference snapshot of a model: scores every item for a block of users. Thread-safe. */
public interface Scorer {
  int numItems();

  /** Writes users.length × numItems() scores into out (row-major); out.length ≥ users.length·numItems(). */
  void score(int[] users, float[] out);
}
