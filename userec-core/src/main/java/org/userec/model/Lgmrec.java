package org.userec.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.eval.DotScorer;
import org.userec.graph.CsrMatrix;
import org.userec.graph.InteractionGraph;
import org.userec.nn.Init;
import org.userec.tensor.ConstantMatrix;
import org.userec.tensor.Param;
import org.userec.tensor.ProductLogSumExp;
import org.userec.tensor.RowNorms;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * LGMRec (Guo et al., "LGMRec: Local and Global Graph Learning for Multimodal Recommendation", AAAI 2024) as
 * MMRec's {@code models/lgmrec.py} behaves (enoche/MMRec@e775373). With Â the normalised user–item graph, A
 * the binary |U|×|I| interaction matrix, X_m modality m's frozen item features and σ_τ(z) = softmax((z + g)/τ)
 * by rows with standard Gumbel noise g (torch's {@code gumbel_softmax}, soft, τ = 0.2):
 *
 * <ul>
 *   <li>Collaborative graph embedding (CGE): E_c = mean(E⁰, ÂE⁰, …, Â^{n_ui_layers}E⁰) over E⁰ = [E_U; E_I],
 *       the ID embeddings ({@code cf_model: lightgcn}; {@code mf} takes E⁰ itself).
 *   <li>Modality graph embedding (MGE): items F_m = X_m W_m, users the mean of their items' rows
 *       (diag(1/d_u) A F_m), then {@code n_mm_layers} plain products E_m = Â^L [F_U; F_m]. Local embedding
 *       E_l = E_c + Σ_m norm(E_m), norm the row-wise L2 normalisation.
 *   <li>Global hypergraph embedding (GHE): hyperedge dependencies H_I^m = drop(σ_τ(X_m V_m)) (items ×
 *       {@code hyper_num}) and H_U^m = drop(σ_τ(A X_m V_m)), V_m learnable, drop an inverted dropout that keeps
 *       {@code keep_rate} of the values (training only; the Gumbel noise is drawn at inference too, as in the
 *       reference). Then {@code n_hyper_layer} times Λ = H_Iᵀ Ê_I, Ê_I ← H_I Λ, starting from CGE's item rows,
 *       and Ê_U = H_U Λ of the last layer. E_g = Σ_m [Ê_U^m; Ê_I^m].
 *   <li>E = E_l + {@code alpha} · norm(E_g); score ŷ_ui = e_u · e_i.
 *   <li>Loss = BPR(e_u, e_i, e_j) + {@code cl_weight} · L_hcl + {@code reg_weight} · (‖e_u‖ + ‖e_i‖ + ‖e_j‖)/B,
 *       Frobenius norms of the batch's final rows (MMRec's EmbLoss). L_hcl is the hypergraph contrast between
 *       the first two modalities a and b: Σ_u∈batch −log(exp(cos(Ê_u^a, Ê_u^b)/τ) / Σ_v∈U exp(cos(Ê_u^a, Ê_v^b)/τ))
 *       plus the same over the batch's positive items against all items, τ = 0.2 (sums, not means).
 * </ul>
 *
 * <p>Beyond the reference (which needs exactly an image and a text modality): one modality trains without
 * the contrastive term; three or more contrast each modality with the next. The contrastive denominators run
 * over every user and item without the batch×|U| matrix ({@link ProductLogSumExp}), through the hypergraph
 * embeddings' rank-{@code hyper_num} factors ({@link #contrast}). Each evaluation draws its Gumbel noise from a
 * seed taken at the start of the epoch, so a resumed run scores as the first one did.
 */
public final class Lgmrec implements Recommender {
  /** The reference's temperature of the Gumbel softmax and of the contrastive term. */
  static final float TAU = 0.2f;

  private final int numUsers;
  private final int numItems;
  private final int dim;
  private final boolean lightGcn;
  private final int uiLayers;
  private final int mmLayers;
  private final int hyperLayers;
  private final float keepRate;
  private final float alpha;
  private final float clWeight;
  private final float regWeight;
  private final Param users;
  private final Param items;
  private final List<Modality> modalities = new ArrayList<>();
  private final CsrMatrix adj; // Â, (|U|+|I|)², users first
  private final CsrMatrix interactions; // A, |U|×|I|, binary
  private final CsrMatrix userMean; // diag(1/(d_u + 1e-7)) A
  private long scoreSeed;
  private Draws replay; // parity tests: the reference's noise and masks instead of the loss's generator

  /** One modality's frozen features X, projection W (features × d) and hyperedge weights V (features × H). */
  private record Modality(String name, ConstantMatrix features, Param trs, Param hyper) {}

  public Lgmrec(ModelContext ctx) {
    Config c = ctx.config();
    Dataset ds = ctx.dataset();
    this.numUsers = ds.numUsers();
    this.numItems = ds.numItems();
    this.dim = c.getInt("embedding_size");
    int featDim = c.getInt("feat_embed_dim");
    if (featDim != dim) {
      throw new BadInputException(
          c.source("feat_embed_dim") + ": LGMRec adds modality and ID embeddings, so feat_embed_dim (" + featDim
              + ") must equal embedding_size (" + dim + ")");
    }
    String cf = c.getString("cf_model");
    if (!cf.equals("lightgcn") && !cf.equals("mf")) {
      throw new BadInputException(c.source("cf_model") + ": cf_model must be lightgcn or mf, got '" + cf + "'");
    }
    this.lightGcn = cf.equals("lightgcn");
    this.uiLayers = atLeast(c, "n_ui_layers", 0);
    this.mmLayers = atLeast(c, "n_mm_layers", 0);
    this.hyperLayers = atLeast(c, "n_hyper_layer", 1);
    int hyperNum = atLeast(c, "hyper_num", 1);
    this.keepRate = c.getFloat("keep_rate");
    if (!(keepRate > 0f && keepRate <= 1f)) {
      throw new BadInputException(c.source("keep_rate") + ": keep_rate (fraction of hyperedge weights kept) must be in (0, 1], got " + keepRate);
    }
    this.alpha = c.getFloat("alpha");
    this.clWeight = c.getFloat("cl_weight");
    this.regWeight = c.getFloat("reg_weight");
    if (ds.features().isEmpty()) {
      throw new BadInputException("LGMRec needs at least one modality feature file; the dataset has none (set feature_files)");
    }
    RandomGenerator rng = ctx.initRng();
    this.users = Init.xavierUniform(new Param("user_emb", numUsers, dim), rng);
    this.items = Init.xavierUniform(new Param("item_emb", numItems, dim), rng);
    for (FeatureTable f : ds.features()) {
      Tensor x = new Tensor(f.rows(), f.cols(), f.data());
      Param trs = Init.xavierUniform(new Param("trs_" + f.name(), f.cols(), dim), rng);
      Param hyper = Init.xavierUniform(new Param("hyper_" + f.name(), f.cols(), hyperNum), rng);
      modalities.add(new Modality(f.name(), new ConstantMatrix(x), trs, hyper));
    }
    this.scoreSeed = rng.nextLong();
    this.adj = InteractionGraph.normalizedAdjacency(numUsers, numItems, ds.train());
    int n = ds.train().size();
    float[] ones = new float[n];
    Arrays.fill(ones, 1f);
    CsrMatrix a = CsrMatrix.fromCoo(numUsers, numItems, ds.train().users(), ds.train().items(), ones);
    Arrays.fill(a.values, 1f); // a pair listed twice counts once
    this.interactions = a;
    float[] mean = new float[a.nnz()];
    for (int u = 0; u < numUsers; u++) {
      float inv = (float) (1.0 / ((a.rowPtr[u + 1] - a.rowPtr[u]) + 1e-7));
      Arrays.fill(mean, a.rowPtr[u], a.rowPtr[u + 1], inv);
    }
    this.userMean = new CsrMatrix(numUsers, numItems, a.rowPtr, a.colIdx, mean);
  }

  private static int atLeast(Config c, String key, int min) {
    int v = c.getInt(key);
    if (v < min) {
      throw new BadInputException(c.source(key) + ": " + key + " must be >= " + min + ", got " + v);
    }
    return v;
  }

  @Override
  public List<Param> params() {
    List<Param> p = new ArrayList<>(List.of(users, items));
    for (Modality m : modalities) {
      p.add(m.trs());
      p.add(m.hyper());
    }
    return p;
  }

  /** The seed of the next evaluation's Gumbel noise, drawn with the epoch's generator. */
  @Override
  public void beforeEpoch(int epoch, RandomGenerator rng) {
    scoreSeed = rng.nextLong();
  }

  /**
   * The random values of one forward pass: Gumbel noise for each modality's item and user hyperedge logits, and
   * the dropout multipliers of their dependencies (0 or 1/keep_rate; null for none, as at inference).
   */
  interface Draws {
    float[] gumbel(String name, int n);

    float[] keep(String name, int n);
  }

  /** Draws from a generator: g = −log E with E ~ Exp(1), as torch; each value kept with probability keep. */
  private record Sampled(RandomGenerator rng, float keep) implements Draws {
    @Override
    public float[] gumbel(String name, int n) {
      float[] g = new float[n];
      for (int k = 0; k < n; k++) {
        double u = rng.nextDouble();
        g[k] = (float) -Math.log(-Math.log(u > 0 ? u : Double.MIN_VALUE));
      }
      return g;
    }

    @Override
    public float[] keep(String name, int n) {
      if (keep >= 1f) {
        return null;
      }
      float drop = 1f - keep;
      float scale = 1f / keep;
      float[] mask = new float[n];
      for (int k = 0; k < n; k++) {
        mask[k] = rng.nextFloat() < drop ? 0f : scale;
      }
      return mask;
    }
  }

  /**
   * Tests: the loss reads these draws (named as in {@link #forward}) instead of its generator, and the scorer
   * reads their Gumbel noise (without masks) instead of its seed's.
   */
  void replayDraws(Draws draws) {
    this.replay = draws;
  }

  /** Another source's Gumbel noise without dropout: what inference draws. */
  private record Inference(Draws of) implements Draws {
    @Override
    public float[] gumbel(String name, int n) {
      return of.gumbel(name, n);
    }

    @Override
    public float[] keep(String name, int n) {
      return null;
    }
  }

  /** E (all users, then all items) and each modality's hypergraph embeddings. */
  private record Embeddings(Tensor all, Hyper[] hyper) {}

  /**
   * One modality's hypergraph embeddings Ê_U = H_U Λ and Ê_I = H_I Λ with their factors: the (dropped)
   * dependencies H_U, H_I and Λ of the last layer (hyper_num × d).
   */
  private record Hyper(Tensor users, Tensor items, Tensor userDeps, Tensor itemDeps, Tensor lat) {}

  private Embeddings forward(Tape t, Draws draws) {
    int count = modalities.size();
    // hyperedge dependencies: σ_τ(X V) for items, σ_τ(A X V) for users (all Gumbel draws first, as the reference)
    Tensor[] itemHyper = new Tensor[count];
    Tensor[] userHyper = new Tensor[count];
    for (int m = 0; m < count; m++) {
      Modality mod = modalities.get(m);
      Tensor logits = t.linear(mod.features(), mod.hyper(), null);
      Tensor userLogits = t.spmm(interactions, logits);
      itemHyper[m] = gumbelSoftmax(t, logits, draws.gumbel("gumbel_items_" + mod.name(), logits.size()));
      userHyper[m] = gumbelSoftmax(t, userLogits, draws.gumbel("gumbel_users_" + mod.name(), userLogits.size()));
    }
    // CGE
    Tensor cge = lightGcn ? t.propagateMean(adj, uiLayers, users, items) : t.concatRows(users, items);
    Tensor cgeItems = t.sliceRows(cge, numUsers, numUsers + numItems);
    Tensor local = cge;
    Tensor global = null;
    Hyper[] hyper = new Hyper[count];
    for (int m = 0; m < count; m++) {
      Modality mod = modalities.get(m);
      // MGE: E_m = Â^L [diag(1/d_u) A F; F], F = X W
      Tensor f = t.linear(mod.features(), mod.trs(), null);
      Tensor e = GraphSteps.propagate(t, adj, t.concatRows(t.spmm(userMean, f), f), mmLayers);
      local = t.add(local, t.l2NormalizeRows(e));
      // GHE over the dropped dependencies
      Tensor hi = dropout(t, itemHyper[m], draws.keep("keep_items_" + mod.name(), itemHyper[m].size()));
      Tensor hu = dropout(t, userHyper[m], draws.keep("keep_users_" + mod.name(), userHyper[m].size()));
      Tensor ei = cgeItems;
      Tensor lat = null;
      for (int l = 0; l < hyperLayers; l++) {
        lat = t.matmulTN(hi, ei); // Λ = H_Iᵀ Ê_I, hyperedges × d
        ei = t.matmul(hi, lat);
      }
      Tensor eu = t.matmul(hu, lat);
      hyper[m] = new Hyper(eu, ei, hu, hi, lat);
      Tensor g = t.concatRows(eu, ei);
      global = global == null ? g : t.add(global, g);
    }
    Tensor all = t.add(local, t.scale(t.l2NormalizeRows(global), alpha));
    return new Embeddings(all, hyper);
  }

  /** softmax((z + g)/τ) by rows for given Gumbel noise g (torch.nn.functional.gumbel_softmax, hard=False). */
  private static Tensor gumbelSoftmax(Tape t, Tensor z, float[] noise) {
    return t.softmaxRows(t.scale(t.add(z, new Tensor(z.rows, z.cols, noise)), 1f / TAU));
  }

  /** x ⊙ mask for dropout multipliers (0 or 1/keep), or x itself without a mask. */
  private static Tensor dropout(Tape t, Tensor x, float[] mask) {
    return mask == null ? x : t.mul(x, new Tensor(x.rows, x.cols, mask));
  }

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    Embeddings f = forward(t, replay != null ? replay : new Sampled(rng, keepRate));
    Tensor u = t.gatherRows(f.all(), batch.users());
    Tensor p = t.gatherRows(f.all(), LightGcn.offset(batch.pos(), numUsers));
    Tensor n = t.gatherRows(f.all(), LightGcn.offset(batch.neg(), numUsers));
    Tensor loss = Losses.bpr(t, t.rowDot(u, p), t.rowDot(u, n));
    if (clWeight != 0f && modalities.size() > 1) { // with weight 0 the term adds nothing and passes no gradient
      Tensor hcl = null;
      for (int m = 0; m + 1 < modalities.size(); m++) {
        Hyper a = f.hyper()[m];
        Hyper b = f.hyper()[m + 1];
        Tensor pair =
            t.add(
                contrast(t, a.users(), b.users(), b.userDeps(), b.lat(), batch.users()),
                contrast(t, a.items(), b.items(), b.itemDeps(), b.lat(), batch.pos()));
        hcl = hcl == null ? pair : t.add(hcl, pair);
      }
      loss = t.add(loss, t.scale(hcl, clWeight));
    }
    return t.add(loss, t.scale(Losses.embNorm(t, batch.size(), u, p, n), regWeight));
  }

  /**
   * Σ_r −log(exp(cos(a_r, b_r)/τ) / Σ_v exp(cos(a_r, b_v)/τ)) over rows r = {@code rows} of the tables a and b,
   * v over every row of b (the reference's {@code ssl_triple_loss}). b = H Λ (its dependencies and the last
   * Λ) has rank at most hyper_num, so the denominators score x = norm(a_r) as (x Λᵀ)·(H_v / ‖b_v‖): hyper_num
   * products per pair instead of d, the same values up to rounding.
   */
  private static Tensor contrast(Tape t, Tensor a, Tensor b, Tensor deps, Tensor lat, int[] rows) {
    Tensor x = t.l2NormalizeRows(t.gatherRows(a, rows));
    Tensor y = t.l2NormalizeRows(t.gatherRows(b, rows));
    Tensor keys = t.scaleRows(deps, RowNorms.inverse(t, b)); // H_v / ‖b_v‖, so that b̂ = keys · Λ
    Tensor denominators = ProductLogSumExp.logSumExpNT(t, t.matmulNT(x, lat), keys, 1f / TAU);
    return t.sum(t.sub(denominators, t.scale(t.rowDot(x, y), 1f / TAU)));
  }

  @Override
  public Scorer scorer() {
    Draws draws = new Inference(replay != null ? replay : new Sampled(new SplittableRandom(scoreSeed), keepRate));
    Tensor all = forward(Tape.noGrad(), draws).all();
    float[] u = Arrays.copyOfRange(all.data, 0, numUsers * dim);
    float[] i = Arrays.copyOfRange(all.data, numUsers * dim, all.data.length);
    return new DotScorer(u, i, dim);
  }
}
