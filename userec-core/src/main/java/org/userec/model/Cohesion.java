package org.userec.model;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.eval.DotScorer;
import org.userec.graph.CsrMatrix;
import org.userec.graph.DegreeSensitiveSampler;
import org.userec.graph.UserGraph;
import org.userec.nn.Init;
import org.userec.tensor.ConstantMatrix;
import org.userec.tensor.PairOps;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * COHESION (Xu et al., "COHESION: Composite Graph Convolutional Network with Dual-Stage Fusion for
 * Multimodal Recommendation", SIGIR 2025) as its authors' {@code src/models/cohesion.py} (Jinfeng-Xu/COHESION
 * @ 3fccdaf) behaves. With d = {@code embedding_size}, branches b ∈ {ID, modality 1, …, modality M}:
 *
 * <ul>
 *   <li><b>Early fusion.</b> Item features of branch b through a two-layer MLP, t_b = W₂ᵇ
 *       leaky_relu(W₁ᵇ x_b + c₁ᵇ) + c₂ᵇ (widths 4d then d; the ID branch reads the ID embeddings E themselves),
 *       refined by the behaviour modality: f_b = √((E² + t_b²)/2 + 10⁻⁸) elementwise ({@link
 *       PairOps#quadraticMean}).
 *   <li><b>Composite GCN, user–item part</b> ({@code GCNLayer}). Ego rows x_b = normalize([P_b; f_b]) over
 *       users then items (P_b: the branch's user preferences); for l = 1 … {@code num_layer}: h⁽ˡ⁾ = ω ⊙ (Â
 *       h⁽ˡ⁻¹⁾) with ω_r = cos((Â h⁽ˡ⁻¹⁾)_r, x_r) per row ({@link PairOps#rowCosine}); r_b = x_b + Σ_l h⁽ˡ⁾.
 *       Â is the normalised user–item graph, edge-pruned each epoch when {@code dropout} &gt; 0 (FREEDOM's
 *       degree-sensitive sampling, {@link DegreeSensitiveSampler}). The ID branch's r is detached ({@code
 *       id_rep.data}): its MLP and preferences never receive a gradient, and E learns only through the
 *       modalities' fusion.
 *   <li><b>Late fusion and homogeneous graphs.</b> Users u = [r_ID ‖ r_1 ‖ … ‖ r_M]_u + Σ_v W_uv [·]_v over
 *       the user–user graph ({@link UserGraph}: {@code user_neighbours} co-interaction neighbours, softmax
 *       weights, resampled each epoch); items i = [·]_i + (S^{n_mm_layers} [·])_i over FREEDOM's frozen kNN
 *       item graph S = Σ_m w_m S_m ({@link Modalities#fusedKnnGraph}: {@code knn_k}, {@code
 *       mm_image_weight}).
 *   <li><b>Adaptive optimisation.</b> Per training row and branch, s_b = ⟨u_b, i_b⟩; the weights α = 1 −
 *       softmax_b(s_b(pos) − s_b(neg)) (no gradient) give ŷ = Σ_b α_b s_b. Loss = −mean log₂ σ(ŷ_pos − ŷ_neg)
 *       + {@code reg_weight}·(Σ_m mean(P_m[users]²) + mean(ω_U²)), ω_U a |U|×2 table (softmax of a
 *       Xavier-normal draw) that only this penalty reads, as in the reference.
 * </ul>
 *
 * <p>Scores are plain dot products of the concatenated rows, ŷ_ui = u·i (no α). The reference ranks with the
 * rows its last training batch computed, before that batch's step (and on that batch's pruned graph when
 * dropout &gt; 0); so do we with {@code score_last_batch: true} (the default). A model restored from saved
 * parameters, or one not trained yet, computes them from its parameters on the full user–item graph (what
 * {@code score_last_batch: false} always does), so {@code eval} of a saved run can differ from the figures of
 * its training by the last step.
 *
 * <p>Initialisation as the reference: E, P_b Xavier-normal; MLPs torch.nn.Linear's U(±1/√fan_in); ω_U
 * Xavier-normal of shape |U|×2 (fans 2 and |U|), then softmax per row. The reference fixes the latent width
 * at 64 (its {@code embedding_size}); here it is {@code embedding_size}. The reference's {@code n_layers} and
 * {@code feat_embed_dim} keys are read by nothing; its 40 user neighbours are hard-coded ({@code
 * user_neighbours} here).
 *
 * <p>Devices differ in the reference: {@code id_feat} and each {@code GCNLayer.preference} are made as {@code
 * nn.Parameter(...).to(device)}. On a CPU that returns the Parameter, which trains; on a GPU it returns a plain
 * copy that the module does not register, so Adam never updates E or any P_b (they keep their initial draws,
 * gradients still flow through them). The default trains them, as the CPU runs (REFERENCE.md's among them) do;
 * {@code frozen_id_and_preferences: true} holds them constant, as the authors' GPU runs did.
 *
 * <p>Memory: every graph is sparse (kNN item graph O(|I|·k), user graph O(|U|·k)); the reference's user graph
 * preprocessing and the kNN step build |U|² and |I|² dense matrices.
 */
public final class Cohesion implements Recommender {
  /** torch.nn.functional.leaky_relu's default slope. */
  static final float LEAKY_SLOPE = 0.01f;
  /** The ε inside the early fusion's square root. */
  static final float FUSION_EPS = 1e-8f;
  /** torch.nn.functional.cosine_similarity's default ε. */
  static final float COSINE_EPS = 1e-8f;

  private final int numUsers;
  private final int numItems;
  private final int dim;
  private final int gcnLayers;
  private final int mmLayers;
  private final float regWeight;
  private final double dropout;
  private final boolean frozenTables;
  private final boolean scoreLastBatch;
  /** Each branch's r from the latest training batch (copies; null until the first batch). */
  private float[][] lastRows;
  private final Tensor idFeat;
  private final Param weightU;
  private final Branch idBranch;
  private final List<Branch> modalities = new ArrayList<>();
  private final CsrMatrix itemGraph;
  /** S with its columns shifted to the item rows of a node table: |I|×(|U|+|I|). */
  private final CsrMatrix itemGraphOnNodes;
  private final UserGraph userGraph;
  private final DegreeSensitiveSampler sampler;
  private CsrMatrix trainGraph;
  /** The epoch's user graph W as |U|×(|U|+|I|) (columns are the user rows of a node table). */
  private CsrMatrix userWeights;

  /**
   * One branch of the composite GCN: user preferences P (|U|×d) and the MLP x·W₁ + c₁ → leaky_relu → ·W₂ + c₂
   * (weights stored in×out); its item input is a feature table, or null for the ID branch (which reads E).
   */
  private record Branch(String name, ConstantMatrix features, Tensor pref, Param w1, Param b1, Param w2, Param b2) {
    List<Param> params() {
      List<Param> p = new ArrayList<>();
      if (pref instanceof Param trained) {
        p.add(trained);
      }
      p.addAll(List.of(w1, b1, w2, b2));
      return p;
    }
  }

  public Cohesion(ModelContext ctx) {
    Config c = ctx.config();
    Dataset ds = ctx.dataset();
    this.numUsers = ds.numUsers();
    this.numItems = ds.numItems();
    this.dim = c.getInt("embedding_size");
    this.gcnLayers = c.getInt("num_layer");
    this.mmLayers = c.getInt("n_mm_layers");
    this.regWeight = c.getFloat("reg_weight");
    this.dropout = c.getDouble("dropout");
    int neighbours = c.getInt("user_neighbours");
    if (dim < 1 || gcnLayers < 0 || mmLayers < 0 || neighbours < 1) {
      throw new BadInputException(
          c.source("num_layer") + ": COHESION needs embedding_size >= 1, num_layer >= 0, n_mm_layers >= 0 and "
              + "user_neighbours >= 1; got " + dim + ", " + gcnLayers + ", " + mmLayers + ", " + neighbours);
    }
    if (!(dropout >= 0.0 && dropout < 1.0)) {
      throw new BadInputException(c.source("dropout") + ": dropout (fraction of edges pruned) must be in [0, 1), got " + dropout);
    }
    if (ds.features().isEmpty()) {
      throw new BadInputException("COHESION needs at least one modality feature file; the dataset has none");
    }
    this.frozenTables = c.getBool("frozen_id_and_preferences");
    this.scoreLastBatch = c.getBool("score_last_batch");
    RandomGenerator rng = ctx.initRng();
    this.idFeat = table(Init.xavierNormal(new Param("id_feat", numItems, dim), rng));
    this.weightU = softmaxRows(Init.xavierNormal(new Param("weight_u", numUsers, 2), rng));
    this.idBranch = branch("id", null, dim, rng);
    for (FeatureTable f : ds.features()) {
      ConstantMatrix x = new ConstantMatrix(new Tensor(f.rows(), f.cols(), f.data()));
      modalities.add(branch(f.name(), x, f.cols(), rng));
    }
    this.itemGraph = Modalities.fusedKnnGraph(c, ds, "COHESION");
    this.itemGraphOnNodes = shiftColumns(itemGraph, numUsers, numUsers + numItems);
    this.userGraph = UserGraph.build(numUsers, numItems, ds.train(), neighbours, rng.nextLong());
    this.sampler = new DegreeSensitiveSampler(numUsers, numItems, ds.train());
    this.trainGraph = sampler.full();
    useUserGraph(userGraph.sample(rng));
  }

  private Branch branch(String name, ConstantMatrix features, int in, RandomGenerator rng) {
    int hidden = 4 * dim;
    return new Branch(
        name,
        features,
        table(Init.xavierNormal(new Param("pref_" + name, numUsers, dim), rng)),
        torchLinear(new Param("mlp_" + name + "_w", in, hidden), in, rng),
        torchLinear(new Param("mlp_" + name + "_b", 1, hidden), in, rng),
        torchLinear(new Param("mlp1_" + name + "_w", hidden, dim), hidden, rng),
        torchLinear(new Param("mlp1_" + name + "_b", 1, dim), hidden, rng));
  }

  /** E or a P_b: trained, or held constant with {@code frozen_id_and_preferences}. */
  private Tensor table(Param p) {
    return frozenTables ? new Tensor(p.rows, p.cols, p.data) : p;
  }

  /** torch.nn.Linear's default initialisation of its weight and bias: U(−1/√fan_in, 1/√fan_in). */
  private static Param torchLinear(Param p, int fanIn, RandomGenerator rng) {
    double bound = 1.0 / Math.sqrt(fanIn);
    for (int k = 0; k < p.data.length; k++) {
      p.data[k] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return p;
  }

  private static Param softmaxRows(Param p) {
    for (int r = 0; r < p.rows; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < p.cols; j++) {
        max = Math.max(max, p.data[r * p.cols + j]);
      }
      double sum = 0;
      for (int j = 0; j < p.cols; j++) {
        sum += Math.exp(p.data[r * p.cols + j] - max);
      }
      for (int j = 0; j < p.cols; j++) {
        p.data[r * p.cols + j] = (float) (Math.exp(p.data[r * p.cols + j] - max) / sum);
      }
    }
    return p;
  }

  /** g with its column j moved to j + shift and its column count set to cols. */
  private static CsrMatrix shiftColumns(CsrMatrix g, int shift, int cols) {
    int[] ci = new int[g.nnz()];
    for (int q = 0; q < ci.length; q++) {
      ci[q] = g.colIdx[q] + shift;
    }
    return new CsrMatrix(g.rows, cols, g.rowPtr, ci, g.values);
  }

  /** Sets the user graph W (|U|×|U|, row-stochastic) used until the next epoch; package-private for the parity test. */
  void useUserGraph(CsrMatrix w) {
    if (w.rows != numUsers || w.cols != numUsers) {
      throw new IllegalArgumentException("user graph is " + w.rows + "x" + w.cols + ", not " + numUsers + "x" + numUsers);
    }
    this.userWeights = new CsrMatrix(numUsers, numUsers + numItems, w.rowPtr, w.colIdx, w.values);
  }

  UserGraph userGraph() {
    return userGraph;
  }

  @Override
  public List<Param> params() {
    List<Param> p = new ArrayList<>();
    if (idFeat instanceof Param trained) {
      p.add(trained);
    }
    p.add(weightU);
    p.addAll(idBranch.params());
    for (Branch b : modalities) {
      p.addAll(b.params());
    }
    return p;
  }

  /** COHESION's pre_epoch_processing: a fresh user-graph sample, and the pruned user–item graph when dropout &gt; 0. */
  @Override
  public void beforeEpoch(int epoch, RandomGenerator rng) {
    useUserGraph(userGraph.sample(rng));
    trainGraph = dropout <= 0.0 ? sampler.full() : sampler.sampleEdges((int) (sampler.edges() * (1.0 - dropout)), rng);
  }

  /** One branch's r = x + Σ_l h⁽ˡ⁾ over all nodes (users first), (|U|+|I|)×d. */
  private Tensor composite(Tape t, Branch b, CsrMatrix adj) {
    Tensor in = b.features() == null ? t.linear(idFeat, b.w1(), b.b1()) : t.linear(b.features(), b.w1(), b.b1());
    Tensor refined = t.linear(t.leakyRelu(in, LEAKY_SLOPE), b.w2(), b.b2());
    Tensor fused = PairOps.quadraticMean(t, idFeat, refined, FUSION_EPS);
    Tensor ego = t.l2NormalizeRows(t.concatRows(b.pref(), fused));
    Tensor h = ego;
    Tensor r = ego;
    for (int l = 0; l < gcnLayers; l++) {
      h = t.spmm(adj, h);
      h = t.scaleRows(h, PairOps.rowCosine(t, h, ego, COSINE_EPS));
      r = t.add(r, h);
    }
    return r;
  }

  /** r for every branch, the ID branch first and detached (computed without a gradient, as {@code id_rep.data}). */
  private Tensor[] branches(Tape t, CsrMatrix adj) {
    Tensor[] r = new Tensor[1 + modalities.size()];
    r[0] = composite(Tape.noGrad(), idBranch, adj);
    for (int m = 0; m < modalities.size(); m++) {
      r[m + 1] = composite(t, modalities.get(m), adj);
    }
    return r;
  }

  /** (S^{n_mm_layers} r_items) at the given items, from a branch's node table r. */
  private Tensor itemView(Tape t, Tensor r, int[] items, int[] nodes) {
    if (mmLayers == 0) {
      return t.gatherRows(r, nodes);
    }
    if (mmLayers == 1) {
      return t.spmmRows(itemGraphOnNodes, items, r);
    }
    Tensor h = GraphSteps.propagate(t, itemGraph, t.sliceRows(r, numUsers, numUsers + numItems), mmLayers - 1);
    return t.spmmRows(itemGraph, items, h);
  }

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    int[] users = batch.users();
    int[] posNodes = LightGcn.offset(batch.pos(), numUsers);
    int[] negNodes = LightGcn.offset(batch.neg(), numUsers);
    Tensor[] r = branches(t, trainGraph);
    if (scoreLastBatch) {
      keepRows(r);
    }
    Tensor[] pos = new Tensor[r.length];
    Tensor[] neg = new Tensor[r.length];
    for (int b = 0; b < r.length; b++) {
      Tensor u = t.add(t.gatherRows(r[b], users), t.spmmRows(userWeights, users, r[b]));
      Tensor p = t.add(t.gatherRows(r[b], posNodes), itemView(t, r[b], batch.pos(), posNodes));
      Tensor n = t.add(t.gatherRows(r[b], negNodes), itemView(t, r[b], batch.neg(), negNodes));
      pos[b] = t.rowDot(u, p);
      neg[b] = t.rowDot(u, n);
    }
    Tensor sPos = t.concatCols(pos);
    Tensor sNeg = t.concatCols(neg);
    Tensor alpha = modalityWeights(sPos, sNeg);
    Tensor margin = t.sub(t.rowDot(sPos, alpha), t.rowDot(sNeg, alpha));
    Tensor loss = t.scale(t.mean(t.logSigmoid(margin)), (float) (-1.0 / Math.log(2.0))); // −mean log₂ σ
    Tensor reg = null;
    float perRow = 1f / ((float) users.length * dim);
    for (Branch b : modalities) {
      Tensor term = t.scale(t.sumSquares(t.gatherRows(b.pref(), users)), perRow);
      reg = reg == null ? term : t.add(reg, term);
    }
    reg = t.add(reg, t.scale(t.sumSquares(weightU), 1f / weightU.size()));
    return t.add(loss, t.scale(reg, regWeight));
  }

  /** α = 1 − softmax over branches of (s_pos − s_neg), per row, as a constant (the reference detaches it). */
  private static Tensor modalityWeights(Tensor sPos, Tensor sNeg) {
    int rows = sPos.rows;
    int c = sPos.cols;
    float[] a = new float[rows * c];
    for (int r = 0; r < rows; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int b = 0; b < c; b++) {
        max = Math.max(max, sPos.data[r * c + b] - sNeg.data[r * c + b]);
      }
      double sum = 0;
      for (int b = 0; b < c; b++) {
        sum += Math.exp(sPos.data[r * c + b] - sNeg.data[r * c + b] - max);
      }
      for (int b = 0; b < c; b++) {
        a[r * c + b] = (float) (1.0 - Math.exp(sPos.data[r * c + b] - sNeg.data[r * c + b] - max) / sum);
      }
    }
    return new Tensor(rows, c, a);
  }

  private void keepRows(Tensor[] r) {
    if (lastRows == null) {
      lastRows = new float[r.length][];
    }
    for (int b = 0; b < r.length; b++) {
      if (lastRows[b] == null || lastRows[b].length != r[b].data.length) {
        lastRows[b] = new float[r[b].data.length];
      }
      System.arraycopy(r[b].data, 0, lastRows[b], 0, r[b].data.length);
    }
  }

  /**
   * Ranks with u·i. With {@code score_last_batch} (and after a training batch) the rows r come from the latest
   * training batch, before its step, as the reference's full_sort_predict reads them; otherwise they are
   * computed from the current parameters on the full user–item graph. Either way the user rows add the
   * epoch's user graph and the item rows S^{n_mm_layers}.
   */
  @Override
  public Scorer scorer() {
    Tape t = Tape.noGrad();
    Tensor[] r;
    if (scoreLastBatch && lastRows != null) {
      r = new Tensor[lastRows.length];
      for (int b = 0; b < r.length; b++) {
        r[b] = new Tensor(numUsers + numItems, dim, lastRows[b]);
      }
    } else {
      r = branches(t, sampler.full());
    }
    int width = r.length * dim;
    float[] u = new float[numUsers * width];
    float[] i = new float[numItems * width];
    for (int b = 0; b < r.length; b++) {
      Tensor users = t.spmm(userWeights, r[b]);
      Tensor items = GraphSteps.propagate(t, itemGraph, t.sliceRows(r[b], numUsers, numUsers + numItems), mmLayers);
      float[] x = r[b].data;
      for (int row = 0; row < numUsers; row++) {
        for (int j = 0; j < dim; j++) {
          u[row * width + b * dim + j] = x[row * dim + j] + users.data[row * dim + j];
        }
      }
      for (int row = 0; row < numItems; row++) {
        for (int j = 0; j < dim; j++) {
          i[row * width + b * dim + j] = x[(numUsers + row) * dim + j] + items.data[row * dim + j];
        }
      }
    }
    return new DotScorer(u, i, width);
  }
}
