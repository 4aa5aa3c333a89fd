package org.userec.model;

/**
 * The graph nodes a batch touches, for models that need the propagated embeddings only at those rows: {@code
 * nodes} holds the distinct node ids ascending (users are nodes 0..|U|−1, item i is node |U|+i, as in the
 * user–item adjacency), and {@code users}, {@code pos}, {@code neg} give each batch row's position in it.
 */
record BatchNodes(int[] nodes, int[] users, int[] pos, int[] neg) {

  static BatchNodes of(Batch batch, int numUsers, int numItems) {
    int[] slot = new int[numUsers + numItems];
    mark(slot, batch.users(), 0);
    mark(slot, batch.pos(), numUsers);
    mark(slot, batch.neg(), numUsers);
    int count = 0;
    for (int v : slot) {
      count += v;
    }
    int[] nodes = new int[count];
    int k = 0;
    for (int i = 0; i < slot.length; i++) {
      if (slot[i] != 0) {
        nodes[k] = i;
        slot[i] = k++;
      }
    }
    return new BatchNodes(
        nodes, positions(slot, batch.users(), 0), positions(slot, batch.pos(), numUsers), positions(slot, batch.neg(), numUsers));
  }

  private static void mark(int[] slot, int[] ids, int offset) {
    for (int id : ids) {
      slot[id + offset] = 1;
    }
  }

  private static int[] positions(int[] slot, int[] ids, int offset) {
    int[] out = new int[ids.length];
    for (int r = 0; r < ids.length; r++) {
      out[r] = slot[ids[r] + offset];
    }
    return out;
  }
}
