package org.userec.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.eval.DotScorer;
import org.userec.graph.CsrMatrix;
import org.userec.graph.DegreeSensitiveSampler;
import org.userec.nn.Init;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * FREEDOM (Zhou &amp; Shen, "A Tale of Two Graphs: Freezing and Denoising Graph Structures for Multimodal
 * Recommendation", ACM MM 2023) as MMRec's {@code models/freedom.py} behaves:
 *
 * <ul>
 *   <li>Frozen item–item graph S = Σ_m w_m S_m, S_m the binary top-{@code knn_k} cosine graph of modality
 *       m's raw features, symmetric-normalised ({@link Modalities#fusedKnnGraph}); w = [{@code
 *       mm_image_weight}, 1 − it] for two modalities.
 *   <li>Denoised user–item graph: each epoch keeps ⌊|E|·(1 − {@code dropout})⌋ edges sampled without
 *       replacement ∝ (d_u d_i)^-½ and re-normalises with the kept degrees ({@link
 *       DegreeSensitiveSampler}); inference uses the full normalised graph. {@code dropout} ≤ 0 trains on
 *       the full graph.
 *   <li>h = S^{n_mm_layers} E_I (item ID embeddings over the frozen graph); LightGCN over [E_U; E_I] for
 *       {@code n_ui_layers}, layer mean including layer 0; user ē_u, item ē_i + h_i.
 *   <li>Loss: BPR(ē_u, ē_i + h_i, ē_j + h_j) + {@code reg_weight} · Σ_m BPR(ē_u, x_i^m W_m + b_m, x_j^m W_m +
 *       b_m), the modality terms scoring users against each modality's projected raw features. No L2
 *       penalty on embeddings (the reference has none). Raw features are fine-tuned ({@code
 *       train_features}: nn.Embedding.from_pretrained(freeze=False)); their kNN graph is built once from
 *       the initial values.
 * </ul>
 *
 * <p>ID embeddings are Xavier-uniform. Any number of modalities: one projection and one modality BPR term
 * each.
 */
public final class Freedom implements Recommender {
  private final int numUsers;
  private final int numItems;
  private final int dim;
  private final int mmLayers;
  private final int uiLayers;
  private final float regWeight;
  private final double dropout;
  private final Param users;
  private final Param items;
  private final List<Modalities.Projection> projections = new ArrayList<>();
  private final CsrMatrix itemGraph;
  private final DegreeSensitiveSampler sampler;
  private CsrMatrix trainGraph;

  public Freedom(ModelContext ctx) {
    Config c = ctx.config();
    Dataset ds = ctx.dataset();
    this.numUsers = ds.numUsers();
    this.numItems = ds.numItems();
    this.dim = c.getInt("embedding_size");
    int featDim = c.getInt("feat_embed_dim");
    if (featDim != dim) {
      throw new BadInputException(
          "FREEDOM scores users against projected features: feat_embed_dim (" + featDim + ") must equal embedding_size ("
              + dim + ")");
    }
    this.mmLayers = c.getInt("n_mm_layers");
    this.uiLayers = c.getInt("n_ui_layers");
    this.regWeight = c.getFloat("reg_weight");
    this.dropout = c.getDouble("dropout");
    if (!(dropout < 1.0)) {
      throw new BadInputException(c.source("dropout") + ": dropout (fraction of edges pruned) must be < 1, got " + dropout);
    }
    RandomGenerator rng = ctx.initRng();
    this.users = Init.xavierUniform(new Param("user_emb", numUsers, dim), rng);
    this.items = Init.xavierUniform(new Param("item_emb", numItems, dim), rng);
    boolean trainFeatures = c.getBool("train_features");
    for (FeatureTable f : ds.features()) {
      projections.add(new Modalities.Projection(f, dim, trainFeatures, rng));
    }
    this.itemGraph = Modalities.fusedKnnGraph(c, ds, "FREEDOM");
    this.sampler = new DegreeSensitiveSampler(numUsers, numItems, ds.train());
    this.trainGraph = sampler.full();
  }

  @Override
  public List<Param> params() {
    List<Param> p = new ArrayList<>(List.of(users, items));
    for (Modalities.Projection m : projections) {
      p.addAll(m.params());
    }
    return p;
  }

  /** FREEDOM's pre_epoch_processing: keep ⌊|E|·(1 − dropout)⌋ edges, degree-sensitively. */
  @Override
  public void beforeEpoch(int epoch, RandomGenerator rng) {
    if (dropout <= 0.0) {
      trainGraph = sampler.full();
      return;
    }
    int keep = (int) (sampler.edges() * (1.0 - dropout));
    trainGraph = sampler.sampleEdges(keep, rng);
  }

  /** The graph-side embeddings: [0] = LightGCN layer mean over [E_U; E_I] (users first), [1] = h. */
  private Tensor[] forward(Tape t, CsrMatrix adj) {
    Tensor h = GraphSteps.propagate(t, itemGraph, items, mmLayers);
    return new Tensor[] {t.propagateMean(adj, t.concatRows(users, items), uiLayers), h};
  }

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    Tensor h = GraphSteps.propagate(t, itemGraph, items, mmLayers);
    GraphSteps.Rows r = GraphSteps.batchRows(t, trainGraph, uiLayers, users, items, h, batch);
    Tensor u = r.users();
    Tensor loss = Losses.bpr(t, t.rowDot(u, r.pos()), t.rowDot(u, r.neg()));
    if (regWeight != 0f) { // with weight 0 the terms add nothing and pass no gradient
      Tensor mm = null;
      for (Modalities.Projection m : projections) {
        Tensor fp = m.rows(t, batch.pos());
        Tensor fn = m.rows(t, batch.neg());
        Tensor term = Losses.bpr(t, t.rowDot(u, fp), t.rowDot(u, fn));
        mm = mm == null ? term : t.add(mm, term);
      }
      if (mm != null) {
        loss = t.add(loss, t.scale(mm, regWeight));
      }
    }
    return loss;
  }

  @Override
  public Scorer scorer() {
    Tape t = Tape.noGrad();
    Tensor[] f = forward(t, sampler.full());
    float[] all = f[0].data;
    float[] u = Arrays.copyOfRange(all, 0, numUsers * dim);
    float[] i = Arrays.copyOfRange(all, numUsers * dim, all.length);
    float[] h = f[1].data;
    for (int k = 0; k < i.length; k++) {
      i[k] += h[k];
    }
    return new DotScorer(u, i, dim);
  }
}
