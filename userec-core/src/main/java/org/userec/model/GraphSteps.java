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

  /**
   * Item rows of the final representation: the user–item layer mean (items offset by numUsers in {@code all})
   * plus the item–item view h, e_i = ē_i + h_i.
   */
  static Tensor itemRows(Tape t, Tensor all, Tensor h, int[] items, int numUsers) {
    return t.add(t.gatherRows(all, LightGcn.offset(items, numUsers)), t.gatherRows(h, items));
  }
}
