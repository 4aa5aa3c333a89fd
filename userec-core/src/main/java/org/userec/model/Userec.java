package org.userec.model;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.eval.DotScorer;
import org.userec.graph.CoInteractionGraph;
import org.userec.graph.CsrMatrix;
import org.userec.graph.DegreeSensitiveSampler;
import org.userec.model.userec.SampledAttention;
import org.userec.nn.Init;
import org.userec.nn.PositionalEncoding;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;
import org.userec.tensor.simd.Kernels;
import org.userec.util.Seeds;

/**
 * USERec, "Multimodal Recommendation with User Semantic Embedding Refinement", as
 * {@code ../shared/docs/USERec-spec.md} restores its equations (section numbers below are the spec's). With M
 * the dataset's modalities (any number) and D = |M|·d:
 *
 * <ol>
 *   <li>§4 items: h_i^m = W_m x_i^m + b_m (optionally L2-normalised), E_I = [h^1 ‖ … ‖ h^|M|] (+ a
 *       trainable item ID embedding with {@code item_id_embedding}, not in the spec) (+ PE(i) when
 *       {@code item_pe}); co-interaction graph Ŝ_u: E_I⁰ = E_I + Ŝ_uⁿ E_I ({@code use_ii_graph}).
 *   <li>§3 users: E_U⁰ = E_U + s·PE(u) ({@code user_pe}, s = {@code pe_scale}, 1 in the spec), E_U
 *       Xavier-uniform.
 *   <li>§2/§5 LightGCN over the degree-sensitively pruned graph Â_ρ (resampled every epoch; the full Â at
 *       inference): Ē = mean(E⁽⁰⁾ … E⁽ᴸ⁾).
 *   <li>§5 fused modality kNN graph S = Σ_m w_m S_m: e_i = Ē_i + Sⁿ E_I⁰.
 *   <li>§6 randomly sampled attention over C uniformly drawn items: e_u^f = ē_u + G̃_u[0] ({@code
 *       use_attention}); evaluation draws one sample from a generator seeded by the run seed.
 *   <li>§7 ŷ_ui = e_u^f·e_i; L = BPR + λ_cl·½(InfoNCE(u′,u″) + InfoNCE(i′,i″)) over dropout views (τ) +
 *       λ_reg·(‖E_U[b]‖² + ‖E_I[pos]‖² + ‖E_I[neg]‖²)/B + λ_reg·Σ‖W‖² over the projection and attention
 *       weights.
 * </ol>
 *
 * <p>Ablations are config switches: {@code prune_keep: 1.0} (w/o Prun), {@code user_pe: false} (w/o Pos),
 * {@code item_pe: true} (w/o Pos2), {@code use_ii_graph: false} (w/o ii), {@code use_attention: false} (w/o
 * Att); w/o MLLM is a different image feature file.
 */
public final class Userec implements Recommender {
  /** The keys this model reads ({@link Modalities} reads knn_k, mm_image_weight, modality_weights). */
  record Settings(
      int dim,
      double pruneKeep,
      boolean userPe,
      boolean itemPe,
      float peScale,
      boolean normalizeProjections,
      boolean trainFeatures,
      boolean standardizeFeatures,
      float featureScale,
      boolean itemIdEmbedding,
      boolean useIiGraph,
      int iiMinCommon,
      int iiTopK,
      boolean iiWeighted,
      int iiLayers,
      int uiLayers,
      int mmLayers,
      boolean useAttention,
      int attSamples,
      boolean attSamplePerUser,
      float attAlpha,
      float clDropout,
      float clWeight,
      float clTemperature,
      float regWeight,
      boolean regItemRows,
      long seed) {
    static Settings from(Config c) {
      return new Settings(
          c.getInt("embedding_size"),
          c.getDouble("prune_keep"),
          c.getBool("user_pe"),
          c.getBool("item_pe"),
          c.getFloat("pe_scale"),
          c.getBool("normalize_projections"),
          c.getBool("train_features"),
          c.getBool("standardize_features"),
          c.getFloat("feature_scale"),
          c.getBool("item_id_embedding"),
          c.getBool("use_ii_graph"),
          c.getInt("ii_min_common"),
          c.getInt("ii_topk"),
          c.getBool("ii_weighted"),
          c.getInt("n_ii_layers"),
          c.getInt("n_ui_layers"),
          c.getInt("n_mm_layers"),
          c.getBool("use_attention"),
          c.getInt("att_samples"),
          c.getBool("att_sample_per_user"),
          c.getFloat("att_alpha"),
          c.getFloat("cl_dropout"),
          c.getFloat("cl_weight"),
          c.getFloat("cl_temperature"),
          c.getFloat("reg_weight"),
          c.getBool("reg_item_rows"),
          c.getLong("seed"));
    }
  }

  private final Settings s;
  private final int numUsers;
  private final int numItems;
  private final int dim; // D = |M|·d

  private final Param userEmb;
  private final Param itemEmb; // null unless item_id_embedding
  private final List<Modalities.Projection> projections = new ArrayList<>();
  private final SampledAttention attention;
  private final Tensor userPe;
  private final Tensor itemPe;

  private final DegreeSensitiveSampler sampler;
  private CsrMatrix trainGraph;
  private final CsrMatrix iiGraph; // null without use_ii_graph
  private final CsrMatrix mmGraph;

  public Userec(ModelContext ctx) {
    Config c = ctx.config();
    Dataset ds = ctx.dataset();
    this.s = Settings.from(c);
    validate(c, ds);
    this.numUsers = ds.numUsers();
    this.numItems = ds.numItems();
    List<FeatureTable> mods = ds.features();
    this.dim = mods.size() * s.dim;
    RandomGenerator init = ctx.initRng();

    this.userEmb = Init.xavierUniform(new Param("user_emb", numUsers, dim), init);
    this.itemEmb = s.itemIdEmbedding ? Init.xavierUniform(new Param("item_emb", numItems, dim), init) : null;
    for (FeatureTable f : mods) {
      projections.add(new Modalities.Projection(f, s.dim, s.trainFeatures, s.standardizeFeatures, s.featureScale, init));
    }
    this.attention = s.useAttention ? new SampledAttention(dim, s.attAlpha, init) : null;
    this.userPe = s.userPe ? scaled(PositionalEncoding.sinusoidal(numUsers, dim), s.peScale) : null;
    this.itemPe = s.itemPe ? scaled(PositionalEncoding.sinusoidal(numItems, dim), s.peScale) : null;

    this.sampler = new DegreeSensitiveSampler(numUsers, numItems, ds.train());
    this.iiGraph =
        s.useIiGraph
            ? CoInteractionGraph.build(numUsers, numItems, ds.train(), s.iiMinCommon, s.iiTopK, s.iiWeighted, true)
            : null;
    this.mmGraph = Modalities.fusedKnnGraph(c, ds, "USERec");
  }

  private static Tensor scaled(Tensor pe, float scale) {
    if (scale != 1f) {
      Kernels.scale(pe.data, scale);
    }
    return pe;
  }

  private static void validate(Config c, Dataset ds) {
    if (ds.features().isEmpty()) {
      throw new BadInputException(
          "USERec needs at least one item modality; dataset " + ds.name() + " brings none (set feature_files)");
    }
    double keep = c.getDouble("prune_keep");
    if (!(keep > 0 && keep <= 1)) {
      throw new BadInputException(c.source("prune_keep") + ": prune_keep must be in (0, 1], got " + keep);
    }
    int samples = c.getInt("att_samples");
    if (c.getBool("use_attention") && (samples < 1 || samples > ds.numItems())) {
      throw new BadInputException(
          c.source("att_samples") + ": att_samples must be in [1, " + ds.numItems() + "], got " + samples);
    }
    float peScale = c.getFloat("pe_scale");
    if (!(peScale > 0 && Float.isFinite(peScale))) {
      throw new BadInputException(c.source("pe_scale") + ": pe_scale must be a positive number, got " + peScale);
    }
    float featureScale = c.getFloat("feature_scale");
    if (!(featureScale > 0 && Float.isFinite(featureScale))) {
      throw new BadInputException(
          c.source("feature_scale") + ": feature_scale must be a positive number, got " + featureScale);
    }
    float drop = c.getFloat("cl_dropout");
    if (!(drop >= 0 && drop < 1)) {
      throw new BadInputException(c.source("cl_dropout") + ": cl_dropout must be in [0, 1), got " + drop);
    }
  }

  @Override
  public List<Param> params() {
    List<Param> ps = new ArrayList<>();
    ps.add(userEmb);
    if (itemEmb != null) {
      ps.add(itemEmb);
    }
    for (Modalities.Projection p : projections) {
      ps.addAll(p.params());
    }
    if (attention != null) {
      ps.addAll(attention.params());
    }
    return ps;
  }

  /** §2: a fresh pruned graph every epoch (ρ_p = 1 keeps the full graph). */
  @Override
  public void beforeEpoch(int epoch, RandomGenerator rng) {
    trainGraph = sampler.sample(s.pruneKeep, rng);
  }

  /** The graph training propagates over this epoch (drawn for epoch 0 if no epoch has started yet). */
  CsrMatrix trainingGraph() {
    if (trainGraph == null) {
      beforeEpoch(0, Seeds.rng(s.seed, "pre-epoch", 0));
    }
    return trainGraph;
  }

  CsrMatrix fullGraph() {
    return sampler.full();
  }

  /** Final user and item representations before attention. */
  record Forward(Tensor egoItems, Tensor users, Tensor items) {}

  /** The layer-0 representations: E_I (projections [+ IDs]), E_U⁰ and E_I⁰. */
  record Ego(Tensor egoItems, Tensor users, Tensor items) {}

  /** §3–§4 over all users and items. */
  Ego ego(Tape t) {
    // §4: per-modality projections, concatenated
    Tensor[] h = new Tensor[projections.size()];
    for (int m = 0; m < h.length; m++) {
      h[m] = projections.get(m).all(t);
      if (s.normalizeProjections) {
        h[m] = t.l2NormalizeRows(h[m]);
      }
    }
    Tensor egoItems = h.length == 1 ? h[0] : t.concatCols(h);
    if (itemEmb != null) {
      egoItems = t.add(egoItems, itemEmb);
    }
    Tensor items = itemPe != null ? t.add(egoItems, itemPe) : egoItems;
    if (iiGraph != null) {
      items = t.add(items, GraphSteps.propagate(t, iiGraph, items, s.iiLayers));
    }
    // §3
    Tensor users = userPe != null ? t.add(userEmb, userPe) : userEmb;
    return new Ego(egoItems, users, items);
  }

  /** §3–§5 over all users and items with the given user–item graph. */
  Forward forward(Tape t, CsrMatrix uiGraph) {
    Ego e = ego(t);
    // §5: LightGCN, layer mean including layer 0
    Tensor mean = t.propagateMean(uiGraph, t.concatRows(e.users(), e.items()), s.uiLayers);
    Tensor userOut = t.sliceRows(mean, 0, numUsers);
    Tensor itemOut = t.add(t.sliceRows(mean, numUsers, numUsers + numItems), GraphSteps.propagate(t, mmGraph, e.items(), s.mmLayers));
    return new Forward(e.egoItems(), userOut, itemOut);
  }

  /** C distinct items drawn uniformly (partial Fisher–Yates over a sparse swap map). */
  static int[] drawItems(int numItems, int c, RandomGenerator rng) {
    int[] out = new int[c];
    java.util.HashMap<Integer, Integer> swapped = new java.util.HashMap<>();
    for (int k = 0; k < c; k++) {
      int j = k + rng.nextInt(numItems - k);
      int vj = swapped.getOrDefault(j, j);
      int vk = swapped.getOrDefault(k, k);
      out[k] = vj;
      swapped.put(j, vk);
    }
    return out;
  }

  /** The items evaluation and serving attend to: one draw from a generator seeded by the run seed. */
  int[] evalSample() {
    return drawItems(numItems, s.attSamples, Seeds.rng(s.seed, "attention-eval"));
  }

  /**
   * The items §6 attends to in a training batch of {@code users} users: C per user (att_sample_per_user) or C
   * shared by the batch; null without attention.
   */
  private int[] trainingSample(int users, RandomGenerator rng) {
    if (attention == null) {
      return null;
    }
    int c = s.attSamples;
    if (!s.attSamplePerUser) {
      return drawItems(numItems, c, rng);
    }
    int[] idx = new int[users * c];
    for (int r = 0; r < users; r++) {
      System.arraycopy(drawItems(numItems, c, rng), 0, idx, r * c, c);
    }
    return idx;
  }

  /**
   * §6 for a block of users given the sampled items' final rows (C shared by the block, or C per user): e_u^f,
   * or ē_u without attention.
   */
  private Tensor attend(Tape t, Tensor users, Tensor sampled, boolean perUser) {
    if (attention == null) {
      return users;
    }
    return perUser ? attention.perUser(t, users, sampled, s.attSamples) : attention.shared(t, users, sampled);
  }

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    int[] sample = trainingSample(batch.size(), rng);
    Ego e = ego(t);
    // §5 at the batch's nodes only (users, positives, negatives, sampled items): the same values and gradients
    // as gathering them from the full layer mean, without computing the last layer everywhere
    int[][] itemLists = sample == null ? new int[][] {batch.pos(), batch.neg()} : new int[][] {sample, batch.pos(), batch.neg()};
    BatchNodes.Lists b = BatchNodes.of(batch.users(), itemLists, numUsers, numItems);
    Tensor mean = t.propagateMeanRows(trainingGraph(), s.uiLayers, b.nodes(), e.users(), e.items());
    Tensor mm = GraphSteps.propagate(t, mmGraph, e.items(), s.mmLayers);
    Tensor userRows = t.gatherRows(mean, b.users());
    Tensor u = sample == null ? userRows : attend(t, userRows, GraphSteps.itemRows(t, mean, mm, sample, b.items()[0]), s.attSamplePerUser);
    Tensor pos = GraphSteps.itemRows(t, mean, mm, batch.pos(), b.items()[itemLists.length - 2]);
    Tensor neg = GraphSteps.itemRows(t, mean, mm, batch.neg(), b.items()[itemLists.length - 1]);
    Tensor loss = Losses.bpr(t, t.rowDot(u, pos), t.rowDot(u, neg));
    if (s.clWeight != 0f) {
      Tensor users = t.infoNce(t.dropout(u, s.clDropout, rng), t.dropout(u, s.clDropout, rng), s.clTemperature);
      Tensor items = t.infoNce(t.dropout(pos, s.clDropout, rng), t.dropout(pos, s.clDropout, rng), s.clTemperature);
      loss = t.add(loss, t.scale(t.add(users, items), 0.5f * s.clWeight));
    }
    if (s.regWeight != 0f) {
      loss = t.add(loss, t.scale(regularizer(t, batch, e.egoItems()), s.regWeight));
    }
    return loss;
  }

  /**
   * (‖E_U[b]‖² + ‖E_I[pos]‖² + ‖E_I[neg]‖²)/B + Σ‖W‖² over projection and attention weights; without {@code
   * reg_item_rows} the item rows (projections, functions of W rather than parameters) are left out.
   */
  private Tensor regularizer(Tape t, Batch batch, Tensor egoItems) {
    Tensor ego = t.sumSquares(t.gatherRows(userEmb, batch.users()));
    if (s.regItemRows) {
      ego =
          t.add(ego, t.add(t.sumSquares(t.gatherRows(egoItems, batch.pos())), t.sumSquares(t.gatherRows(egoItems, batch.neg()))));
    }
    Tensor reg = t.scale(ego, 1f / batch.size());
    List<Param> weights = new ArrayList<>();
    for (Modalities.Projection p : projections) {
      List<Param> ps = p.params(); // [feature table when trained,] W, b
      weights.add(ps.get(ps.size() - 2));
    }
    if (attention != null) {
      weights.addAll(attention.params());
    }
    for (Param w : weights) {
      reg = t.add(reg, t.sumSquares(w));
    }
    return reg;
  }

  /** Final representations with the full graph and the evaluation attention sample. */
  Forward inference() {
    Tape t = Tape.noGrad();
    Forward f = forward(t, sampler.full());
    Tensor users = attention == null ? f.users() : attend(t, f.users(), t.gatherRows(f.items(), evalSample()), false);
    return new Forward(f.egoItems(), users, f.items());
  }

  @Override
  public Scorer scorer() {
    Forward f = inference();
    return new DotScorer(f.users().data, f.items().data, dim);
  }
}
