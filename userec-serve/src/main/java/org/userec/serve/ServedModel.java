package org.userec.serve;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.userec.eval.DotScorer;
import org.userec.eval.TopK;
import org.userec.export.ExportedModel;
import org.userec.tensor.simd.Kernels;

/**
 * One immutable snapshot of what the service ranks: an exported model plus the items added since it was loaded.
 * Adding an item makes a new snapshot (the item table is copied once per addition); requests read whichever
 * snapshot was current when they started, so a swap never changes a request half-way.
 */
final class ServedModel {
  final ExportedModel base;
  final int numItems;
  final int dim;
  /** numItems × dim: the export's items, then the added ones. */
  final float[] items;
  /** Raw item ids (the export's, or decimal internal ids), then the added ones. */
  final String[] itemIds;
  final String[] titles;
  private final float[] itemNorms;
  private final Map<String, Integer> userIndex;
  private final Map<String, Integer> itemIndex;
  private final DotScorer scorer;

  private ServedModel(ExportedModel base, float[] items, String[] itemIds, String[] titles, Map<String, Integer> userIndex) {
    this.base = base;
    this.dim = base.dim();
    this.items = items;
    this.numItems = items.length / dim;
    this.itemIds = itemIds;
    this.titles = titles;
    this.userIndex = userIndex;
    this.itemIndex = new HashMap<>();
    for (int i = 0; i < numItems; i++) {
      itemIndex.put(itemIds[i], i);
    }
    this.itemNorms = new float[numItems];
    for (int i = 0; i < numItems; i++) {
      double s = 0;
      for (int c = 0; c < dim; c++) {
        s += (double) items[i * dim + c] * items[i * dim + c];
      }
      itemNorms[i] = (float) Math.sqrt(s);
    }
    this.scorer = new DotScorer(base.users(), items, dim);
  }

  static ServedModel of(ExportedModel m) {
    String[] ids = m.itemIds() != null ? m.itemIds().clone() : decimal(m.numItems());
    String[] titles = m.titles() != null ? m.titles().clone() : new String[m.numItems()];
    Map<String, Integer> users = new HashMap<>();
    String[] uids = m.userIds() != null ? m.userIds() : decimal(m.numUsers());
    for (int u = 0; u < uids.length; u++) {
      users.put(uids[u], u);
    }
    return new ServedModel(m, m.items(), ids, titles, users);
  }

  private static String[] decimal(int n) {
    String[] s = new String[n];
    for (int k = 0; k < n; k++) {
      s[k] = Integer.toString(k);
    }
    return s;
  }

  int numUsers() {
    return base.numUsers();
  }

  String userId(int u) {
    return base.userIds() != null ? base.userIds()[u] : Integer.toString(u);
  }

  /** The internal id of a raw id, else of a decimal internal id in range, else −1. */
  int user(String id) {
    Integer u = userIndex.get(id);
    return u != null ? u : internal(id, numUsers());
  }

  int item(String id) {
    Integer i = itemIndex.get(id);
    return i != null ? i : internal(id, numItems);
  }

  boolean hasItemId(String id) {
    return itemIndex.containsKey(id);
  }

  private static int internal(String id, int n) {
    if (id.isEmpty() || id.length() > 10 || !id.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    long v = Long.parseLong(id);
    return v < n ? (int) v : -1;
  }

  /** The export's item encoder, or null when the model cannot embed new items. */
  org.userec.export.ItemEncoder encoderOrNull() {
    return base.encoder();
  }

  /**
   * A new item's final embedding. The encoder's catalogue is the export's; items added since are not among a
   * later new item's kNN neighbours (their rows are not in the trained graph either).
   */
  float[] embedNew(java.util.List<float[]> features) {
    return base.encoder().embed(features);
  }

  /** A new snapshot with one more item. */
  ServedModel withItem(String id, String title, float[] embedding) {
    float[] it = Arrays.copyOf(items, items.length + dim);
    System.arraycopy(embedding, 0, it, items.length, dim);
    String[] ids = Arrays.copyOf(itemIds, numItems + 1);
    ids[numItems] = id;
    String[] t = Arrays.copyOf(titles, numItems + 1);
    t[numItems] = title;
    return new ServedModel(base, it, ids, t, userIndex);
  }

  record Ranked(int[] items, float[] scores) {}

  /** A known user's list: their trained vector, their training items masked, as {@code recommend} ranks. */
  Ranked forUser(int u, int k) {
    float[] s = new float[numItems];
    scorer.score(new int[] {u}, s);
    return top(s, base.trainItems()[u], k);
  }

  /** Fold-in: the mean of the history's final item embeddings, the history masked (docs/model-format.md). */
  Ranked forHistory(int[] history, int k) {
    float[] v = new float[dim];
    for (int i : history) {
      for (int c = 0; c < dim; c++) {
        v[c] += items[i * dim + c];
      }
    }
    float inv = 1f / history.length;
    for (int c = 0; c < dim; c++) {
      v[c] *= inv;
    }
    float[] s = new float[numItems];
    Kernels.gemmNT(v, items, s, 1, dim, numItems, false);
    return top(s, history, k);
  }

  /** Items by cosine similarity of final embeddings to the given one, itself excluded. */
  Ranked similar(int item, int k) {
    float[] s = new float[numItems];
    Kernels.gemmNT(Arrays.copyOfRange(items, item * dim, (item + 1) * dim), items, s, 1, dim, numItems, false);
    float self = Math.max(itemNorms[item], 1e-12f);
    for (int j = 0; j < numItems; j++) {
      s[j] = s[j] / (self * Math.max(itemNorms[j], 1e-12f));
    }
    Ranked r = top(s, new int[] {item}, Math.min(k, numItems - 1));
    return r;
  }

  private Ranked top(float[] s, int[] mask, int k) {
    for (int i : mask) {
      s[i] = Float.NEGATIVE_INFINITY;
    }
    int len = Math.min(k, numItems);
    if (len <= 0) {
      return new Ranked(new int[0], new float[0]);
    }
    int[] out = new int[len];
    new TopK(len).select(s, 0, numItems, out, 0);
    float[] sc = new float[len];
    for (int q = 0; q < len; q++) {
      sc[q] = s[out[q]];
    }
    return new Ranked(out, sc);
  }
}
