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
import org.userec.graph.InteractionGraph;
import org.userec.graph.KnnGraph;
import org.userec.nn.Init;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * MGCN (Yu, Tan, Lu &amp; Bao, "Multi-View Graph Convolutional Network for Multimedia Recommendation", ACM MM
 * 2023) as MMRec's {@code models/mgcn.py} behaves. Per modality m with raw features X_m (fine-tuned, as
 * nn.Embedding.from_pretrained(freeze=False)):
 *
 * <ul>
 *   <li>Behaviour-guided purifier (paper eq. 1): Ẽ_m = E_I ⊙ σ(W_g,m (X_m W_m + b_m) + b_g,m), the item ID
 *       embeddings gated by the projected features.
 *   <li>Item–item view (eq. 2–3): S_m, the top-{@code knn_k} cosine graph of X_m with the cosines as weights
 *       (self included), D^-½ S D^-½ ({@link KnnGraph#cosineTopK}, weighted; built once, blockwise, from the
 *       initial features); items h_m = S_m^{n_layers} Ẽ_m, users R h_m with R = D_u^-½ R D_i^-½ the user–item
 *       block of the normalised adjacency; e_m = [R h_m; h_m].
 *   <li>User–item view (eq. 4): the LightGCN layer mean ē over [E_U; E_I] for {@code n_ui_layers} layers.
 *   <li>Behaviour-aware fuser (eq. 5–8): α = softmax_m(tanh(e_m W_q + b_q) w_q) per node; common c = Σ_m α_m
 *       e_m; specific s_m = (e_m − c) ⊙ σ(ē W_p,m + b_p,m); side e_s = (Σ_m s_m + c) / (M + 1); final e = ē +
 *       e_s. With two modalities this is the reference's (s_v + s_t + c) / 3.
 *   <li>Loss (eq. 9–11): BPR(e_u, e_i, e_j) + {@code reg_weight} · ½(‖e_u‖² + ‖e_i‖² + ‖e_j‖²) / {@code
 *       train_batch_size} (the final embeddings of the batch rows, divided by the configured batch size as
 *       the reference does, also for a short last batch) + {@code cl_loss} · (InfoNCE(e_s, ē) over the batch's
 *       positive items + InfoNCE(e_s, ē) over its users), τ = 0.2, cosine similarity, in-batch negatives.
 * </ul>
 *
 * <p>Initialisation as the reference: E_U, E_I Xavier-uniform; every Linear torch's default, weight and bias
 * U(−1/√in, 1/√in). Training computes the final rows only at the batch's nodes (the same values and
 * gradients as the reference's full forward, which the loss reads only there); the item-side views are
 * computed for every item, since the kNN graph mixes them. Any number of modalities: one projection, gate,
 * preference gate and kNN graph each.
 *
 * <p>Checked against the reference beyond the committed tiny fixture: on the TikTok files (one 2,048-row batch,
 * the reference's initial parameters) the loss and all gradients agree within 3.3e-5 relative once both use the
 * same kNN graphs. Our graphs differ from torch.topk's only where cosines tie: ties go to the lower item id here,
 * while torch leaves their order unspecified; TikTok's duplicated feature rows (104 items share an audio row with
 * another item, 6 an image row) make 50 of 6,710 audio rows and 3 image rows keep a different one of their ten
 * neighbours.
 */
public final class Mgcn implements Recommender {
  /** The InfoNCE temperature the reference hard-codes in {@code calculate_loss}. */
  static final float TAU = 0.2f;

  private final int numUsers;
  private final int numItems;
  private final int dim;
  private final int uiLayers;
  private final int itemLayers;
  private final float regWeight;
  private final float clWeight;
  private final int batchSize;
  private final Param users;
  private final Param items;
  private final List<Modality> modalities = new ArrayList<>();
  private final Dense query;
  private final Param queryOut;
  private final CsrMatrix adj;
  private final CsrMatrix userItem;

  /** One modality's pieces: its feature projection, purifier gate, preference gate and frozen kNN graph. */
  private record Modality(Modalities.Projection projection, Dense gate, Dense prefer, CsrMatrix graph) {}

  /** x·W + b, a torch.nn.Linear(in, out) with its default initialisation; W stored in×out. */
  private record Dense(Param w, Param b) {
    static Dense of(String name, int in, int out, RandomGenerator rng) {
      double bound = 1.0 / Math.sqrt(in);
      return new Dense(
          uniform(new Param(name + "_w", in, out), bound, rng), uniform(new Param(name + "_b", 1, out), bound, rng));
    }

    Tensor apply(Tape t, Tensor x) {
      return t.linear(x, w, b);
    }
  }

  public Mgcn(ModelContext ctx) {
    Config c = ctx.config();
    Dataset ds = ctx.dataset();
    if (ds.features().isEmpty()) {
      throw new BadInputException("MGCN needs at least one modality feature file; the dataset has none");
    }
    this.numUsers = ds.numUsers();
    this.numItems = ds.numItems();
    this.dim = c.getInt("embedding_size");
    this.uiLayers = c.getInt("n_ui_layers");
    this.itemLayers = c.getInt("n_layers");
    this.regWeight = c.getFloat("reg_weight");
    this.clWeight = c.getFloat("cl_loss");
    this.batchSize = c.getInt("train_batch_size");
    int k = c.getInt("knn_k");
    if (uiLayers < 0 || itemLayers < 0) {
      throw new BadInputException(
          c.source("n_layers") + ": n_ui_layers and n_layers must be >= 0, got " + uiLayers + " and " + itemLayers);
    }
    if (k < 1) {
      throw new BadInputException(c.source("knn_k") + ": knn_k must be >= 1, got " + k);
    }
    if (batchSize < 1) {
      throw new BadInputException(c.source("train_batch_size") + ": train_batch_size must be >= 1, got " + batchSize);
    }
    RandomGenerator rng = ctx.initRng();
    this.users = Init.xavierUniform(new Param("user_emb", numUsers, dim), rng);
    this.items = Init.xavierUniform(new Param("item_emb", numItems, dim), rng);
    boolean trainFeatures = c.getBool("train_features");
    KnnGraph.Options knn = Modalities.knnOptions(c);
    for (FeatureTable f : ds.features()) {
      Modalities.Projection projection = new Modalities.Projection(f, dim, trainFeatures, rng);
      Dense gate = Dense.of("gate_" + f.name(), dim, dim, rng);
      Dense prefer = Dense.of("prefer_" + f.name(), dim, dim, rng);
      CsrMatrix graph = KnnGraph.cosineTopK(f, Math.min(k, f.rows()), true, knn);
      modalities.add(new Modality(projection, gate, prefer, graph));
    }
    this.query = Dense.of("query", dim, dim, rng);
    this.queryOut = uniform(new Param("query_out_w", dim, 1), 1.0 / Math.sqrt(dim), rng);
    this.adj = InteractionGraph.normalizedAdjacency(numUsers, numItems, ds.train());
    this.userItem = userItemBlock(adj, numUsers, numItems);
  }

  @Override
  public List<Param> params() {
    List<Param> p = new ArrayList<>(List.of(users, items));
    for (Modality m : modalities) {
      p.addAll(m.projection().params());
      p.addAll(List.of(m.gate().w(), m.gate().b(), m.prefer().w(), m.prefer().b()));
    }
    p.addAll(List.of(query.w(), query.b(), queryOut));
    return p;
  }

  /** h_m = S_m^L (E_I ⊙ σ(gate_m(X_m W_m + b_m))): every item's purified, propagated modality embedding. */
  private Tensor itemView(Tape t, Modality m) {
    Tensor purified = t.mul(items, t.sigmoid(m.gate().apply(t, m.projection().all(t))));
    return GraphSteps.propagate(t, m.graph(), purified, itemLayers);
  }

  /** The behaviour-aware fuser: e_s = (Σ_m (e_m − c) ⊙ σ(prefer_m(ē)) + c) / (M + 1), c = Σ_m α_m e_m. */
  private Tensor side(Tape t, Tensor content, Tensor[] views) {
    Tensor[] scores = new Tensor[views.length];
    for (int m = 0; m < views.length; m++) {
      scores[m] = t.matmul(t.tanh(query.apply(t, views[m])), queryOut);
    }
    Tensor alpha = t.softmaxRows(views.length == 1 ? scores[0] : t.concatCols(scores));
    Tensor common = null;
    for (int m = 0; m < views.length; m++) {
      Tensor term = t.scaleRows(views[m], t.sliceCols(alpha, m, m + 1));
      common = common == null ? term : t.add(common, term);
    }
    Tensor sum = null;
    for (int m = 0; m < views.length; m++) {
      Tensor prefer = t.sigmoid(modalities.get(m).prefer().apply(t, content));
      Tensor specific = t.mul(prefer, t.sub(views[m], common));
      sum = sum == null ? specific : t.add(sum, specific);
    }
    return t.scale(t.add(sum, common), 1f / (views.length + 1));
  }

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    // every later step is row-wise, so the nodes the batch touches are all the loss needs
    BatchNodes b = BatchNodes.of(batch, numUsers, numItems);
    int[] nodes = b.nodes(); // users ascending, then |U| + items ascending
    int split = 0;
    while (split < nodes.length && nodes[split] < numUsers) {
      split++;
    }
    int[] userNodes = Arrays.copyOfRange(nodes, 0, split);
    int[] itemNodes = LightGcn.offset(Arrays.copyOfRange(nodes, split, nodes.length), -numUsers);
    Tensor content = t.propagateMeanRows(adj, uiLayers, nodes, users, items);
    Tensor[] views = new Tensor[modalities.size()];
    for (int m = 0; m < views.length; m++) {
      Tensor h = itemView(t, modalities.get(m));
      views[m] = t.concatRows(t.spmmRows(userItem, userNodes, h), t.gatherRows(h, itemNodes));
    }
    Tensor side = side(t, content, views);
    Tensor all = t.add(content, side);
    Tensor u = t.gatherRows(all, b.users());
    Tensor p = t.gatherRows(all, b.pos());
    Tensor n = t.gatherRows(all, b.neg());
    Tensor bpr = Losses.bpr(t, t.rowDot(u, p), t.rowDot(u, n));
    Tensor squares = t.add(t.add(t.sumSquares(u), t.sumSquares(p)), t.sumSquares(n));
    Tensor loss = t.add(bpr, t.scale(squares, 0.5f * regWeight / batchSize));
    if (clWeight != 0f) { // with weight 0 the term adds nothing and passes no gradient
      Tensor ci = t.infoNce(t.gatherRows(side, b.pos()), t.gatherRows(content, b.pos()), TAU);
      Tensor cu = t.infoNce(t.gatherRows(side, b.users()), t.gatherRows(content, b.users()), TAU);
      loss = t.add(loss, t.scale(t.add(ci, cu), clWeight));
    }
    return loss;
  }

  @Override
  public Scorer scorer() {
    Tape t = Tape.noGrad();
    Tensor content = t.propagateMean(adj, uiLayers, users, items);
    Tensor[] views = new Tensor[modalities.size()];
    for (int m = 0; m < views.length; m++) {
      Tensor h = itemView(t, modalities.get(m));
      views[m] = t.concatRows(t.spmm(userItem, h), h);
    }
    float[] all = t.add(content, side(t, content, views)).data;
    float[] u = Arrays.copyOfRange(all, 0, numUsers * dim);
    float[] i = Arrays.copyOfRange(all, numUsers * dim, all.length);
    return new DotScorer(u, i, dim);
  }

  /** Rows 0..|U|−1, columns |U|.. of the normalised adjacency: the normalised user–item matrix, |U|×|I|. */
  static CsrMatrix userItemBlock(CsrMatrix adj, int numUsers, int numItems) {
    int nnz = adj.rowPtr[numUsers];
    int[] rowPtr = Arrays.copyOf(adj.rowPtr, numUsers + 1);
    int[] cols = new int[nnz];
    for (int q = 0; q < nnz; q++) {
      cols[q] = adj.colIdx[q] - numUsers; // users link to items only
      if (cols[q] < 0) {
        throw new IllegalStateException("user-item adjacency has a user-user entry at position " + q);
      }
    }
    return new CsrMatrix(numUsers, numItems, rowPtr, cols, Arrays.copyOf(adj.values, nnz));
  }

  private static Param uniform(Param p, double bound, RandomGenerator rng) {
    for (int i = 0; i < p.data.length; i++) {
      p.data[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return p;
  }
}
