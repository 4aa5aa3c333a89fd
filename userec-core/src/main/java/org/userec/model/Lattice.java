package org.userec.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.data.Interactions;
import org.userec.eval.DotScorer;
import org.userec.graph.CsrMatrix;
import org.userec.graph.KnnGraph;
import org.userec.nn.Init;
import org.userec.tensor.Param;
import org.userec.tensor.PatternOps;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * LATTICE (Zhang et al., "Mining Latent Structures for Multimedia Recommendation", ACM MM 2021) as MMRec's
 * {@code models/lattice.py} behaves:
 *
 * <ul>
 *   <li>Modality m's item features x^m (fine-tuned: nn.Embedding.from_pretrained(freeze=False)) through a
 *       Linear, f^m = x^m W_m + b_m, rows normalised, n^m = f^m/‖f^m‖ (eq. 1's cosine).
 *   <li>Learned graph (eq. 1–2): S^m = top-{@code knn_k} per row of n^m n^mᵀ (the kept similarities, zero
 *       elsewhere); with two or more modalities and w = softmax(α), α = {@code modal_weight} starting at 0.5
 *       each (eq. 5), S = Σ_m w_m S^m and the original graph O = Σ_m w_m O^m, else S = S¹, O = O¹. O^m is the
 *       same top-k graph of the raw initial features, D^-½ O D^-½ per modality, built once.
 *   <li>Item graph (eq. 3–4): A = (1 − λ)·D^-½ S D^-½ + λ·O, λ = {@code lambda_coeff}, D = diag(S's row sums).
 *       It is rebuilt, with gradients into W_m, b_m, x^m and α through S's kept values, at the first training
 *       batch of every epoch; later batches of the epoch use it detached (the reference's {@code
 *       build_item_graph} flag); evaluation rebuilds it from the current parameters. Only the top-k of each
 *       row is ever held: rows × all items in blocks ({@link KnnGraph}), never |I|×|I|.
 *   <li>h = A^{@code n_layers} E_I (item ID embeddings over the item graph, eq. 6).
 *   <li>CF backbone {@code cf_model}: {@code lightgcn}, the mean of [E_U; E_I] and len({@code weight_size})
 *       propagations over D^-1 (R + I), R the user–item graph with self-loops added, row-normalised; or {@code
 *       mf}, ID embeddings as they are. Item i's embedding is the backbone's ē_i + h_i/‖h_i‖ (eq. 7).
 *   <li>Loss: BPR(ē_u, ē_i, ē_j) + {@code reg_weight}·(½‖ē_u‖² + ½‖ē_i‖² + ½‖ē_j‖²) summed over the batch and
 *       divided by {@code train_batch_size} (not by the batch's length: the last batch, shorter, as the
 *       reference).
 * </ul>
 *
 * <p>User and item ID embeddings are Xavier-uniform; W_m, b_m torch.nn.Linear's U(±1/√dim). {@code
 * cf_model: ngcf} is not implemented; {@code mess_dropout} is read only by it.
 */
public final class Lattice implements Recommender {
  /** The downstream collaborative-filtering model. */
  enum Backbone {
    LIGHTGCN,
    MF
  }

  private final int numUsers;
  private final int numItems;
  private final int dim;
  private final int knnK;
  private final float lambda;
  private final int itemLayers;
  private final int uiLayers;
  private final float regWeight;
  private final int batchSize;
  private final Backbone backbone;
  private final Param users;
  private final Param items;
  private final List<Modalities.Projection> projections = new ArrayList<>();
  private final Param modalWeight; // α, one per modality; read only with two or more
  private final List<CsrMatrix> original = new ArrayList<>(); // O^m, D^-½ O D^-½ each
  private final CsrMatrix uiGraph;
  /** True until the first batch of an epoch has rebuilt the item graph. */
  private boolean rebuild = true;
  /** The item graph of the epoch's first batch, detached. */
  private CsrMatrix itemGraph;

  public Lattice(ModelContext ctx) {
    Config c = ctx.config();
    Dataset ds = ctx.dataset();
    this.numUsers = ds.numUsers();
    this.numItems = ds.numItems();
    this.dim = c.getInt("embedding_size");
    int featDim = c.getInt("feat_embed_dim");
    this.knnK = c.getInt("knn_k");
    if (knnK < 1) {
      throw new BadInputException(c.source("knn_k") + ": knn_k must be >= 1, got " + knnK);
    }
    this.lambda = c.getFloat("lambda_coeff");
    this.itemLayers = c.getInt("n_layers");
    this.uiLayers = c.getIntList("weight_size").length;
    this.regWeight = c.getFloat("reg_weight");
    this.batchSize = c.getInt("train_batch_size");
    this.backbone = switch (c.getString("cf_model")) {
      case "lightgcn" -> Backbone.LIGHTGCN;
      case "mf" -> Backbone.MF;
      default -> throw new BadInputException(
          c.source("cf_model") + ": cf_model '" + c.getString("cf_model") + "' is not implemented; use lightgcn or mf");
    };
    if (ds.features().isEmpty()) {
      throw new BadInputException("LATTICE needs at least one modality feature file; the dataset has none");
    }
    RandomGenerator rng = ctx.initRng();
    this.users = Init.xavierUniform(new Param("user_emb", numUsers, dim), rng);
    this.items = Init.xavierUniform(new Param("item_emb", numItems, dim), rng);
    KnnGraph.Options knn = Modalities.knnOptions(c);
    for (FeatureTable f : ds.features()) {
      projections.add(new Modalities.Projection(f, featDim, true, rng));
      original.add(KnnGraph.cosineTopK(f, Math.min(knnK, numItems), true, knn));
    }
    float[] half = new float[ds.features().size()];
    Arrays.fill(half, 0.5f);
    this.modalWeight = new Param("modal_weight", new Tensor(half.length, 1, half));
    this.uiGraph = selfLoopRowNormalized(numUsers, numItems, ds.train());
  }

  @Override
  public List<Param> params() {
    List<Param> p = new ArrayList<>(List.of(users, items));
    for (Modalities.Projection m : projections) {
      p.addAll(m.params());
    }
    p.add(modalWeight);
    return p;
  }

  /** The reference's pre_epoch_processing: the next batch rebuilds the item graph. */
  @Override
  public void beforeEpoch(int epoch, RandomGenerator rng) {
    rebuild = true;
  }

  /** The item graph A over a sparse pattern, its values recorded on t. */
  private record ItemGraph(CsrMatrix pattern, Tensor values) {
    CsrMatrix detached() {
      return PatternOps.withValues(pattern, values.data.clone());
    }
  }

  /** A = (1 − λ)·D^-½ (Σ_m w_m S^m) D^-½ + λ·Σ_m w_m O^m from the current parameters (eq. 1–5). */
  private ItemGraph learnItemGraph(Tape t) {
    int modalities = projections.size();
    CsrMatrix[] parts = new CsrMatrix[2 * modalities];
    Tensor[] unit = new Tensor[modalities];
    for (int m = 0; m < modalities; m++) {
      Tensor f = projections.get(m).all(t);
      unit[m] = t.l2NormalizeRows(f);
      // which k columns each row keeps: blockwise over rows, the cosine of f (= n·nᵀ); no gradient, as topk's indices
      parts[m] = KnnGraph.cosineTopK(new FeatureTable("learned", f.rows, f.cols, f.data), Math.min(knnK, numItems), false);
      parts[modalities + m] = original.get(m);
    }
    PatternOps.Union u = PatternOps.union(parts);
    int nnz = u.pattern().nnz();
    Tensor[] learned = new Tensor[modalities];
    Tensor[] fixed = new Tensor[modalities];
    for (int m = 0; m < modalities; m++) {
      learned[m] = PatternOps.place(t, PatternOps.dotsAt(t, parts[m], unit[m], unit[m]), u.slots()[m], nnz);
      float[] o = new float[nnz];
      int[] slots = u.slots()[modalities + m];
      for (int e = 0; e < slots.length; e++) {
        o[slots[e]] = original.get(m).values[e];
      }
      fixed[m] = new Tensor(nnz, 1, o);
    }
    Tensor s = learned[0];
    Tensor o = fixed[0];
    if (modalities > 1) {
      Tensor[] w = softmax(t, modalWeight);
      s = t.mulScalar(learned[0], w[0]);
      o = t.mulScalar(fixed[0], w[0]);
      for (int m = 1; m < modalities; m++) {
        s = t.add(s, t.mulScalar(learned[m], w[m]));
        o = t.add(o, t.mulScalar(fixed[m], w[m]));
      }
    }
    Tensor laplacian = PatternOps.symmetricNormalize(t, u.pattern(), s);
    Tensor a = t.add(t.scale(laplacian, 1f - lambda), t.scale(o, lambda));
    return new ItemGraph(u.pattern(), a);
  }

  /** softmax over the entries of an n×1 vector, each as a 1×1 tensor: w_m = exp(α_m − log Σ_j exp α_j). */
  private static Tensor[] softmax(Tape t, Tensor alpha) {
    Tensor[] a = new Tensor[alpha.rows];
    Tensor sum = null;
    for (int m = 0; m < a.length; m++) {
      a[m] = t.sliceRows(alpha, m, m + 1);
      Tensor e = t.exp(a[m]);
      sum = sum == null ? e : t.add(sum, e);
    }
    Tensor logSum = t.log(sum);
    Tensor[] w = new Tensor[a.length];
    for (int m = 0; m < a.length; m++) {
      w[m] = t.exp(t.sub(a[m], logSum));
    }
    return w;
  }

  /** h/‖h‖ row-wise with h = A^{n_layers} E_I, A's values on the tape. */
  private Tensor itemView(Tape t, ItemGraph g) {
    Tensor h = items;
    for (int l = 0; l < itemLayers; l++) {
      h = PatternOps.spmm(t, g.pattern(), g.values(), h);
    }
    return t.l2NormalizeRows(h);
  }

  /** h/‖h‖ row-wise with h = A^{n_layers} E_I over a detached A. */
  private Tensor itemView(Tape t, CsrMatrix a) {
    return t.l2NormalizeRows(GraphSteps.propagate(t, a, items, itemLayers));
  }

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    Tensor h;
    if (rebuild) {
      ItemGraph g = learnItemGraph(t);
      h = itemView(t, g);
      itemGraph = g.detached();
      rebuild = false;
    } else {
      h = itemView(t, itemGraph);
    }
    GraphSteps.Rows r =
        switch (backbone) {
          case LIGHTGCN -> GraphSteps.batchRows(t, uiGraph, uiLayers, users, items, h, batch);
          case MF -> new GraphSteps.Rows(
              t.gatherRows(users, batch.users()),
              t.add(t.gatherRows(items, batch.pos()), t.gatherRows(h, batch.pos())),
              t.add(t.gatherRows(items, batch.neg()), t.gatherRows(h, batch.neg())));
        };
    Tensor loss = Losses.bpr(t, t.rowDot(r.users(), r.pos()), t.rowDot(r.users(), r.neg()));
    if (regWeight != 0f) { // with weight 0 the term adds nothing and passes no gradient
      Tensor squares = t.add(t.add(t.sumSquares(r.users()), t.sumSquares(r.pos())), t.sumSquares(r.neg()));
      loss = t.add(loss, t.scale(squares, 0.5f * regWeight / batchSize));
    }
    return loss;
  }

  @Override
  public Scorer scorer() {
    Tape t = Tape.noGrad();
    Tensor h = itemView(t, learnItemGraph(t).detached()); // the reference's full_sort_predict rebuilds it
    float[] u;
    float[] i;
    if (backbone == Backbone.LIGHTGCN) {
      float[] all = t.propagateMean(uiGraph, uiLayers, users, items).data;
      u = Arrays.copyOfRange(all, 0, numUsers * dim);
      i = Arrays.copyOfRange(all, numUsers * dim, all.length);
    } else {
      u = users.data.clone();
      i = items.data.clone();
    }
    for (int k = 0; k < i.length; k++) {
      i[k] += h.data[k];
    }
    return new DotScorer(u, i, dim);
  }

  /**
   * D^-1 (R + I) over [users; items] (LATTICE's {@code get_adj_mat}): R[u, |U|+i] = R[|U|+i, u] = 1 per training
   * pair (a repeated pair counts twice), a self-loop on every node, each row divided by its sum. Not symmetric.
   */
  static CsrMatrix selfLoopRowNormalized(int numUsers, int numItems, Interactions train) {
    int n = train.size();
    int nodes = numUsers + numItems;
    int[] r = new int[2 * n + nodes];
    int[] c = new int[2 * n + nodes];
    int p = 0;
    for (int k = 0; k < n; k++) {
      r[p] = train.users()[k];
      c[p++] = numUsers + train.items()[k];
      r[p] = numUsers + train.items()[k];
      c[p++] = train.users()[k];
    }
    for (int v = 0; v < nodes; v++) {
      r[p] = v;
      c[p++] = v;
    }
    float[] ones = new float[r.length];
    Arrays.fill(ones, 1f);
    CsrMatrix a = CsrMatrix.fromCoo(nodes, nodes, r, c, ones); // a repeated pair sums, as scipy's coo → lil does
    float[] sums = a.rowSums();
    for (int i = 0; i < nodes; i++) {
      for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
        a.values[q] /= sums[i];
      }
    }
    return a;
  }
}
