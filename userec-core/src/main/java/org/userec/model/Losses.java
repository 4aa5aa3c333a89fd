package org.userec.model;

import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/** Losses shared by the models. */
public final class Losses {
  private Losses() {}

  /** BPR: −mean log σ(pos − neg) over the batch (MMRec's BPRLoss, computed stably). */
  public static Tensor bpr(Tape t, Tensor pos, Tensor neg) {
    return t.scale(t.mean(t.logSigmoid(t.sub(pos, neg))), -1f);
  }

  /** MMRec's EmbLoss: (Σ_k ‖X_k‖₂) / batch, Frobenius norms not squared. */
  public static Tensor embNorm(Tape t, int batch, Tensor... xs) {
    Tensor acc = null;
    for (Tensor x : xs) {
      Tensor n = t.norm(x);
      acc = acc == null ? n : t.add(acc, n);
    }
    return t.scale(acc, 1f / batch);
  }

  /**
   * {@link #embNorm} of gathered rows, read in place: the terms ‖tables[k][rows[k]]‖ ({@link Tape#normOfRows}),
   * the same value and gradients as gathering them first.
   */
  public static Tensor embNormOfRows(Tape t, int batch, Tensor[] tables, int[][] rows) {
    if (tables.length != rows.length || tables.length == 0) {
      throw new IllegalArgumentException("embNormOfRows: " + tables.length + " tables for " + rows.length + " row lists");
    }
    Tensor acc = null;
    for (int k = 0; k < tables.length; k++) {
      Tensor n = t.normOfRows(tables[k], rows[k]);
      acc = acc == null ? n : t.add(acc, n);
    }
    return t.scale(acc, 1f / batch);
  }
}
