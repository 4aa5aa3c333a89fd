package org.userec.model;

import org.userec.graph.CsrMatrix;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/** Steps that FREEDOM and PGL (and their relatives) share: item–item propagation and the two-view item rows. */
final class GraphSteps {
  private GraphSteps() {}

  /** Sˡ·x: {@code layers} plain propagations over a frozen item–item graph (FREEDOM/PGL's h, no layer mean). */
  static Tensor propagate(Tape t, CsrMatrix graph, Tensor x, int layers) {
    Tensor h = x;
    for (int l = 0; l < layers; l++) {
      h = t.spmm(graph, h);
    }
    return h;
  }

  /** A batch's final rows: users ē_u, positives and negatives ē_i + h_i. */
  record Rows(Tensor users, Tensor pos, Tensor neg) {}

  /**
   * {@link Rows} of a batch from the LightGCN layer mean over [users; items], computed only where the batch needs
   * it ({@link Tape#propagateMeanRows}: the same values and gradients as gathering from the full mean).
   */
  static Rows batchRows(Tape t, CsrMatrix adj, int layers, Tensor users, Tensor items, Tensor h, Batch batch) {
    BatchNodes b = BatchNodes.of(batch, users.rows, items.rows);
    Tensor mean = t.propagateMeanRows(adj, layers, b.nodes(), users, items);
    return new Rows(t.gatherRows(mean, b.users()), itemRows(t, mean, h, batch.pos(), b.pos()), itemRows(t, mean, h, batch.neg(), b.neg()));
  }

  /**
   * e_i = ē_i + h_i for the given items, ē_i read at their {@code positions} in the batch's mean rows ({@link
   * Tape#propagateMeanRows}) and h_i, the item–item view, at the items themselves.
   */
  static Tensor itemRows(Tape t, Tensor mean, Tensor h, int[] items, int[] positions) {
    return t.add(t.gatherRows(mean, positions), t.gatherRows(h, items));
  }
}
