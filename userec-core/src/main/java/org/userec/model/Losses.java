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
    Tensor[] norms = new Tensor[xs.length];
    for (int k = 0; k < xs.length; k++) {
      norms[k] = t.norm(xs[k]);
    }
    return sumOverBatch(t, batch, norms);
  }

  /**
   * {@link #embNorm} of gathered rows, read in place: the terms ‖tables[k][rows[k]]‖ ({@link Tape#normOfRows}),
   * the same value and gradients as gathering them first.
   */
  public static Tensor embNormOfRows(Tape t, int batch, Tensor[] tables, int[][] rows) {
    if (tables.length != rows.length || tables.length == 0) {
      throw new IllegalArgumentException("embNormOfRows: " + tables.length + " tables for " + rows.length + " row lists");
    }
    Tensor[] norms = new Tensor[tables.length];
    for (int k = 0; k < tables.length; k++) {
      norms[k] = t.normOfRows(tables[k], rows[k]);
    }
    return sumOverBatch(t, batch, norms);
  }

  /** (n₀ + n₁ + …) / batch, added left to right. */
  private static Tensor sumOverBatch(Tape t, int batch, Tensor[] norms) {
    Tensor acc = norms[0];
    for (int k = 1; k < norms.length; k++) {
      acc = t.add(acc, norms[k]);
    }
    return t.scale(acc, 1f / batch);
  }
}
