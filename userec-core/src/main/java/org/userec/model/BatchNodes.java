package org.userec.model;

/**
 * The graph nodes a batch touches, for models that need the propagated embeddings only at those rows: {@code
 * nodes} holds the distinct node ids ascending (users are nodes 0..|U|−1, item i is node |U|+i, as in the
 * user–item adjacency), and {@code users}, {@code pos}, {@code neg} give each batch row's position in it.
 */
record BatchNodes(int[] nodes, int[] users, int[] pos, int[] neg) {

  /** The nodes of the given users and item lists, with each list's positions in {@code nodes}. */
  record Lists(int[] nodes, int[] users, int[][] items) {}

  static Lists of(int[] users, int[][] itemLists, int numUsers, int numItems) {
    int[] slot = new int[numUsers + numItems];
    mark(slot, users, 0);
    for (int[] list : itemLists) {
      mark(slot, list, numUsers);
    }
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
    int[][] items = new int[itemLists.length][];
    for (int l = 0; l < itemLists.length; l++) {
      items[l] = positions(slot, itemLists[l], numUsers);
    }
    return new Lists(nodes, positions(slot, users, 0), items);
  }

  static BatchNodes of(Batch batch, int numUsers, int numItems) {
    Lists l = of(batch.users(), new int[][] {batch.pos(), batch.neg()}, numUsers, numItems);
    return new BatchNodes(l.nodes(), l.users(), l.items()[0], l.items()[1]);
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
