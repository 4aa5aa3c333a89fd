package org.userec.model;

import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.data.Dataset;
import org.userec.eval.DotScorer;
import org.userec.graph.CsrMatrix;
import org.userec.graph.InteractionGraph;
import org.userec.nn.Init;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * LightGCN (He et al., SIGIR 2020, eq. 3–4) as MMRec trains it ({@code models/lightgcn.py}):
 * E⁽ˡ⁺¹⁾ = Â E⁽ˡ⁾ with Â = D^-½ A D^-½ over the training user–item graph (no self-loops), final
 * embedding Ē = mean(E⁽⁰⁾ … E⁽ᴸ⁾), score ŷ_ui = ē_u·ē_i, loss = BPR + λ·EmbLoss on the batch's ego
 * (layer-0) rows. Xavier-uniform ego embeddings.
 *
 * <p>Keys: {@code embedding_size}, {@code n_layers}, {@code reg_weight}.
 */
public final class LightGcn implements Recommender {
  private final int numUsers;
  private final int layers;
  private final float regWeight;
  private final Param users;
  private final Param items;
  private final CsrMatrix adj;

  public LightGcn(ModelContext ctx) {
    Dataset ds = ctx.dataset();
    int d = ctx.config().getInt("embedding_size");
    this.numUsers = ds.numUsers();
    this.layers = ctx.config().getInt("n_layers");
    this.regWeight = ctx.config().getFloat("reg_weight");
    this.users = Init.xavierUniform(new Param("user_emb", ds.numUsers(), d), ctx.initRng());
    this.items = Init.xavierUniform(new Param("item_emb", ds.numItems(), d), ctx.initRng());
    this.adj = InteractionGraph.normalizedAdjacency(ds.numUsers(), ds.numItems(), ds.train());
  }

  @Override
  public List<Param> params() {
    return List.of(users, items);
  }

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    // Ē only at the batch's nodes (the loss reads nothing else): the same values and gradients as gathering
    // from the full propagation, without computing the last layer everywhere
    BatchNodes b = BatchNodes.of(batch, numUsers, items.rows);
    Tensor mean = t.propagateMeanRows(adj, layers, b.nodes(), users, items);
    Tensor bpr = t.bprOfRows(mean, b.users(), b.pos(), b.neg()); // Losses.bpr on the gathered rows, fused
    Tensor reg =
        Losses.embNormOfRows(
            t, batch.size(), new Tensor[] {users, items, items}, new int[][] {batch.users(), batch.pos(), batch.neg()});
    return t.add(bpr, t.scale(reg, regWeight));
  }

  static int[] offset(int[] ids, int by) {
    int[] out = new int[ids.length];
    for (int k = 0; k < ids.length; k++) {
      out[k] = ids[k] + by;
    }
    return out;
  }

  @Override
  public Scorer scorer() {
    Tensor all = Tape.noGrad().propagateMean(adj, layers, users, items); // Ē = mean over layers 0..L of Âˡ E⁽⁰⁾
    int d = users.cols;
    float[] u = java.util.Arrays.copyOfRange(all.data, 0, numUsers * d);
    float[] i = java.util.Arrays.copyOfRange(all.data, numUsers * d, all.data.length);
    return new DotScorer(u, i, d);
  }
}
