package org.userec.model;

import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.eval.DotScorer;
import org.userec.nn.Init;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * BPR-MF (Rendle et al., UAI 2009) with MMRec's training semantics ({@code models/bpr.py}): Xavier-normal
 * user and item embeddings; score ŷ_ui = e_u·e_i; loss = −mean log σ(ŷ_ui − ŷ_uj) + λ·(‖E_u‖ + ‖E_i‖ +
 * ‖E_j‖)/B with non-squared Frobenius norms over the batch rows (MMRec's EmbLoss).
 *
 * <p>Keys: {@code embedding_size}, {@code reg_weight}.
 */
public final class BprMf implements Recommender {
  private final Param users;
  private final Param items;
  private final float regWeight;

  public BprMf(ModelContext ctx) {
    int d = ctx.config().getInt("embedding_size");
    this.regWeight = ctx.config().getFloat("reg_weight");
    this.users = Init.xavierNormal(new Param("user_embedding", ctx.dataset().numUsers(), d), ctx.initRng());
    this.items = Init.xavierNormal(new Param("item_embedding", ctx.dataset().numItems(), d), ctx.initRng());
  }

  @Override
  public List<Param> params() {
    return List.of(users, items);
  }

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    Tensor u = t.gatherRows(users, batch.users());
    Tensor p = t.gatherRows(items, batch.pos());
    Tensor n = t.gatherRows(items, batch.neg());
    Tensor bpr = Losses.bpr(t, t.rowDot(u, p), t.rowDot(u, n));
    Tensor reg = Losses.embNorm(t, batch.size(), u, p, n);
    return t.add(bpr, t.scale(reg, regWeight));
  }

  @Override
  public Scorer scorer() {
    return new DotScorer(users.data.clone(), items.data.clone(), users.cols);
  }
}
