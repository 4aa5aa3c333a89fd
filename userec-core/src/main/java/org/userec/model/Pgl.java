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
 * PGL, local mode (Yu et al., "Mind Individual Information! Principal Graph Learning for Multimedia
 * Recommendation", AAAI 2025) as MMRec's {@code models/pgl.py} behaves with {@code mode: local}:
 *
 * <ul>
 *   <li>Item representation E_I = [norm(X_1 W_1 + b_1) ‖ … ‖ norm(X_M W_M + b_M)]: each modality's raw
 *       features (fine-tuned, {@code train_features}) through a Linear, rows L2-normalised, concatenated.
 *       There are no item ID embeddings. Users: one Xavier-uniform table per modality, concatenated.
 *   <li>h = S^{n_mm_layers} E_I over FREEDOM's frozen fused kNN graph ({@link Modalities#fusedKnnGraph}).
 *   <li>Principal (local) subgraph: each epoch keeps ⌊{@code prune_keep}·|E|⌋ edges sampled without
 *       replacement ∝ (d_u d_i)^-½, re-normalised with the kept degrees (the reference hard-codes 0.3);
 *       LightGCN over [E_U; E_I] for {@code n_ui_layers}, layer mean; inference on the full graph.
 *   <li>Loss: BPR(ē_u, ē_i + h_i, ē_j + h_j) + {@code reg_weight} · ½ (InfoNCE(drop(u), drop(u)) +
 *       InfoNCE(drop(p), drop(p))), τ = 0.2, where u and p are the batch's final user and positive-item
 *       rows, each drop an independent dropout mask of rate {@code dropout}, InfoNCE with cosine
 *       similarity and in-batch negatives. MMRec's grid has reg_weight [0], which turns the contrastive
 *       term off.
 * </ul>
 */
public final class Pgl implements Recommender {
  /** The reference's InfoNCE temperature. */
  static final float TAU = 0.2f;

  private final int numUsers;
  private final int numItems;
  private final int width;
  private final int mmLayers;
  private final int uiLayers;
  private final float clWeight;
  private final float clDropout;
  private final double keep;
  private final List<Param> users = new ArrayList<>();
  private final List<Modalities.Projection> projections = new ArrayList<>();
  private final CsrMatrix itemGraph;
  private final DegreeSensitiveSampler sampler;
  private CsrMatrix trainGraph;

  public Pgl(ModelContext ctx) {
    Config c = ctx.config();
    Dataset ds = ctx.dataset();
    String mode = c.getString("mode");
    if (!mode.equals("local")) {
      throw new BadInputException(
          c.source("mode") + ": PGL mode '" + mode + "' is not implemented (the global SVD subgraph); use mode: local");
    }
    this.numUsers = ds.numUsers();
    this.numItems = ds.numItems();
    int dim = c.getInt("embedding_size");
    int featDim = c.getInt("feat_embed_dim");
    if (featDim != dim) {
      throw new BadInputException(
          "PGL concatenates per-modality user tables and item projections: feat_embed_dim (" + featDim
              + ") must equal embedding_size (" + dim + ")");
    }
    this.mmLayers = c.getInt("n_mm_layers");
    this.uiLayers = c.getInt("n_ui_layers");
    this.clWeight = c.getFloat("reg_weight");
    this.clDropout = c.getFloat("dropout");
    this.keep = c.getDouble("prune_keep");
    if (!(keep > 0 && keep <= 1)) {
      throw new BadInputException(c.source("prune_keep") + ": prune_keep must be in (0, 1], got " + keep);
    }
    RandomGenerator rng = ctx.initRng();
    if (ds.features().isEmpty()) {
      throw new BadInputException("PGL needs at least one modality feature file; the dataset has none");
    }
    for (FeatureTable f : ds.features()) {
      users.add(Init.xavierUniform(new Param("user_" + f.name(), numUsers, dim), rng));
    }
    boolean trainFeatures = c.getBool("train_features");
    for (FeatureTable f : ds.features()) {
      projections.add(new Modalities.Projection(f, dim, trainFeatures, rng));
    }
    this.width = dim * ds.features().size();
    this.itemGraph = Modalities.fusedKnnGraph(c, ds, "PGL");
    this.sampler = new DegreeSensitiveSampler(numUsers, numItems, ds.train());
    this.trainGraph = sampler.full();
  }

  @Override
  public List<Param> params() {
    List<Param> p = new ArrayList<>(users);
    for (Modalities.Projection m : projections) {
      p.addAll(m.params());
    }
    return p;
  }

  /** PGL's local pre_epoch_processing: keep ⌊|E|·prune_keep⌋ edges, degree-sensitively. */
  @Override
  public void beforeEpoch(int epoch, RandomGenerator rng) {
    trainGraph = sampler.sampleEdges((int) (sampler.edges() * keep), rng);
  }

  /** This epoch's subgraph from given kept edges instead of a sample (parity tests pass the reference's). */
  void keepEdges(int[] users, int[] items) {
    trainGraph = sampler.adjacencyOf(users, items);
  }

  /** [0] = E_U (the per-modality user tables side by side), [1] = E_I (normalised projections side by side). */
  private Tensor[] embeddings(Tape t) {
    Tensor[] parts = new Tensor[projections.size()];
    for (int m = 0; m < parts.length; m++) {
      parts[m] = t.l2NormalizeRows(projections.get(m).all(t));
    }
    Tensor itemEmb = parts.length == 1 ? parts[0] : t.concatCols(parts);
    Tensor userEmb = users.size() == 1 ? users.get(0) : t.concatCols(users.toArray(new Tensor[0]));
    return new Tensor[] {userEmb, itemEmb};
  }

  /** [0] = LightGCN layer mean over [E_U; E_I], [1] = h. */
  private Tensor[] forward(Tape t, CsrMatrix adj) {
    Tensor[] e = embeddings(t);
    Tensor h = GraphSteps.propagate(t, itemGraph, e[1], mmLayers);
    return new Tensor[] {t.propagateMean(adj, t.concatRows(e[0], e[1]), uiLayers), h};
  }

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    Tensor[] e = embeddings(t);
    Tensor h = GraphSteps.propagate(t, itemGraph, e[1], mmLayers);
    GraphSteps.Rows r = GraphSteps.batchRows(t, trainGraph, uiLayers, e[0], e[1], h, batch);
    Tensor u = r.users();
    Tensor p = r.pos();
    Tensor loss = Losses.bpr(t, t.rowDot(u, p), t.rowDot(u, r.neg()));
    if (clWeight != 0f) { // with weight 0 the term adds nothing and passes no gradient
      Tensor cu = t.infoNce(t.dropout(u, clDropout, rng), t.dropout(u, clDropout, rng), TAU);
      Tensor ci = t.infoNce(t.dropout(p, clDropout, rng), t.dropout(p, clDropout, rng), TAU);
      loss = t.add(loss, t.scale(t.add(cu, ci), 0.5f * clWeight));
    }
    return loss;
  }

  @Override
  public Scorer scorer() {
    Tensor[] f = forward(Tape.noGrad(), sampler.full());
    float[] all = f[0].data;
    float[] u = Arrays.copyOfRange(all, 0, numUsers * width);
    float[] i = Arrays.copyOfRange(all, numUsers * width, all.length);
    float[] h = f[1].data;
    for (int k = 0; k < i.length; k++) {
      i[k] += h[k];
    }
    return new DotScorer(u, i, width);
  }
}
