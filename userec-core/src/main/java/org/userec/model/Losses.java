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
}
