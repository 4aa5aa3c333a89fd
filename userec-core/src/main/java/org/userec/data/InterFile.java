package org.userec.data;

import java.nio.file.Path;

/**
 * The rows of an MMRec {@code .inter} file, in file order: user id, item id and split label (0 train, 1
 * validation, 2 test) per row. {@code numUsers} and {@code numItems} are max id + 1 over the whole file, as
 * MMRec counts them.
 */
public record InterFile(Path file, int numUsers, int numItems, int[] users, int[] items, byte[] labels) {
  public static final byte TRAIN = 0;
  public static final byte VALID = 1;
  public static final byte TEST = 2;

  public InterFile {
    if (users.length != items.length || users.length != labels.length) {
      throw new IllegalArgumentException("users, items and labels differ in length: " + users.length + ", " + items.length + ", " + labels.length);
    }
  }

  public int size() {
    return users.length;
  }

  /** Rows with each label: {train, valid, test}. */
  public int[] countsByLabel() {
    int[] c = new int[3];
    for (byte l : labels) {
      c[l]++;
    }
    return c;
  }

  /** The rows with one label, in file order. */
  public Interactions split(int label) {
    int n = 0;
    for (byte l : labels) {
      if (l == label) {
        n++;
      }
    }
    int[] u = new int[n];
    int[] i = new int[n];
    int w = 0;
    for (int k = 0; k < labels.length; k++) {
      if (labels[k] == label) {
        u[w] = users[k];
        i[w] = items[k];
        w++;
      }
    }
    return new Interactions(u, i);
  }
}
