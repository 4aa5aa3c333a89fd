package org.userec.model.userec;

import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.nn.Init;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * USERec's randomly sampled attention (USERec-spec §6): for user u and C sampled items,
 * G_u = [ē_u; e_j1; …; e_jC], Q = G W_Q, K = G W_K, V = K, A = softmax(Q Kᵀ / √D),
 * G̃_u = (1 − α)·G_u + α·A V, and the final user e_u^f = ē_u + G̃_u[0].
 *
 * <p>Only row 0 of G̃_u reaches the output, so {@link #shared} computes exactly that row: with one sample
 * shared by the batch, the items' keys are computed once (C rows, not B·C) and each user needs C + 1 scores.
 * {@link #perUser} is the literal grouped form (one (C+1)-row group per user), used when every user draws its
 * own items; the two agree when the draws coincide (tested).
 */
public final class SampledAttention {
  private final int dim;
  private final float alpha;
  private final Param wq;
  private final Param wk;

  /** Square D×D query and key weights, Xavier-uniform (spec §6). */
  public SampledAttention(int dim, float alpha, RandomGenerator rng) {
    if (!(alpha >= 0f && alpha <= 1f)) {
      throw new IllegalArgumentException("att_alpha must be in [0, 1], got " + alpha);
    }
    this.dim = dim;
    this.alpha = alpha;
    this.wq = Init.xavierUniform(new Param("att_w_q", dim, dim), rng);
    this.wk = Init.xavierUniform(new Param("att_w_k", dim, dim), rng);
  }

  public List<Param> params() {
    return List.of(wq, wk);
  }

  public Param queryWeight() {
    return wq;
  }

  public Param keyWeight() {
    return wk;
  }

  /**
   * e^f for a block of users (B×D) against one sample of C items (C×D) shared by all of them.
   *
   * <p>Row 0 of A_u: scores [q_u·k_u, q_u·k_j1, …, q_u·k_jC] / √D with q_u = ē_u W_Q, k_u = ē_u W_K,
   * k_j = e_j W_K; (A V)[0] = a_0 k_u + Σ_c a_c k_jc.
   */
  public Tensor shared(Tape t, Tensor users, Tensor sampled) {
    checkDims(users, sampled);
    int c = sampled.rows;
    Tensor q = t.matmul(users, wq);
    Tensor kSelf = t.matmul(users, wk);
    Tensor kItems = t.matmul(sampled, wk);
    Tensor scores = t.concatCols(t.rowDot(q, kSelf), t.matmulNT(q, kItems));
    Tensor a = t.softmaxRows(t.scale(scores, (float) (1.0 / Math.sqrt(dim))));
    Tensor context = t.add(t.scaleRows(kSelf, t.sliceCols(a, 0, 1)), t.matmul(t.sliceCols(a, 1, c + 1), kItems));
    return finish(t, users, context);
  }

  /**
   * e^f for B users, each with its own C items: {@code sampled} is (B·C)×D, rows [r·C, (r+1)·C) belonging to
   * user r. Computed literally over (C+1)-row groups (torch.bmm), then row 0 of each group is kept.
   */
  public Tensor perUser(Tape t, Tensor users, Tensor sampled, int c) {
    checkDims(users, sampled);
    int b = users.rows;
    if (c < 1 || sampled.rows != b * c) {
      throw new IllegalArgumentException(
          "perUser: " + sampled.rows + " sampled rows are not " + c + " per user for " + b + " users");
    }
    int g = c + 1;
    int[] groupRows = new int[b * g];
    int[] firstRows = new int[b];
    for (int r = 0; r < b; r++) {
      groupRows[r * g] = r;
      for (int j = 0; j < c; j++) {
        groupRows[r * g + 1 + j] = b + r * c + j;
      }
      firstRows[r] = r * g;
    }
    Tensor groups = t.gatherRows(t.concatRows(users, sampled), groupRows);
    Tensor q = t.matmul(groups, wq);
    Tensor k = t.matmul(groups, wk);
    Tensor a = t.softmaxRows(t.scale(t.groupedMatmulNT(q, k, g), (float) (1.0 / Math.sqrt(dim))));
    Tensor mixed = t.weightedSum(new float[] {1f - alpha, alpha}, groups, t.groupedMatmul(a, k, g));
    return t.add(users, t.gatherRows(mixed, firstRows));
  }

  /** ē_u + G̃_u[0] with G̃_u[0] = (1 − α) ē_u + α (A V)[0]. */
  private Tensor finish(Tape t, Tensor users, Tensor context) {
    Tensor row0 = t.weightedSum(new float[] {1f - alpha, alpha}, users, context);
    return t.add(users, row0);
  }

  private void checkDims(Tensor users, Tensor sampled) {
    if (users.cols != dim || sampled.cols != dim) {
      throw new IllegalArgumentException(
          "attention over " + dim + "-d vectors got users " + users.shape() + " and items " + sampled.shape());
    }
  }
}
