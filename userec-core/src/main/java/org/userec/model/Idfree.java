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
import org.userec.graph.DegreeSensitiveSampler;
import org.userec.graph.KnnGraph;
import org.userec.nn.Init;
import org.userec.nn.PositionalEncoding;
import org.userec.tensor.ConstantMatrix;
import org.userec.tensor.LogSumExp;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;
import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/**
 * IDFREE (Li et al., "From ID-based to ID-free: Rethinking ID Effectiveness in Multimodal Collaborative Filtering
 * Recommendation", ACM MM 2025) as its authors' code behaves (G-H-Li/IDFREE @ 2d167be, {@code src/models/idfree.py}).
 * Two modality slots, v (image, the dataset's first modality) and t (text, its second; TikTok's audio):
 *
 * <ol>
 *   <li>ID-free embeddings: φ_m(x) = LayerNorm(tanh(x W_m + b_m)), one encoder per modality shared by users and
 *       items. Items: h_i^m = φ_m(x_i^m) + PE(i), the item features fine-tuned (nn.Embedding.from_pretrained,
 *       freeze=False). Users: h_u^m = φ_m(x̄_u^m) + PE(u), x̄_u^m the mean of the initial features of the user's
 *       training items (constant). PE is the sinusoidal code of the row index ({@code pe}; {@link
 *       PositionalEncoding}: the same construction, computed in double where torch computes the angle in float32,
 *       a difference below 1e-3 at indices near 10⁵).
 *   <li>Fusion e⁰ = α h^t + (1 − α) h^v, α = {@code m_alpha}; with {@code use_id} a Xavier-uniform ID embedding
 *       is added.
 *   <li>Augmented user–item graph ({@code auige}): A = [[S_U, R], [Rᵀ, S_I]], R the training interactions (counts),
 *       S_U and S_I user–user and item–item similarity graphs. The frozen S_I⁰ = Σ_m top-{@code knn_k} cosine
 *       graph of the raw features x^m (weights = cosines, self included); S_U⁰ the same over the user means x̄.
 *       With {@code asg} (adaptive similarity graph) training reweights their edges, S_ij = S⁰_ij · σ(relu(h_i^t W₁
 *       + c₁) · relu(h_j^v W₂ + c₂)), one such predictor for items and one for users, and inference uses
 *       top-{@code knn_k} cosine graphs of the fused e⁰ instead. Without {@code asg}, S⁰ throughout; without
 *       {@code auige}, A = [[0, R], [Rᵀ, 0]].
 *   <li>Training keeps ⌊nnz(A)·(1 − {@code dropout})⌋ edges drawn without replacement ∝ their weight (torch.
 *       multinomial), every batch. Â = D^-½ A D^-½ with D the row sums, D^-½ clamped to [0, 10].
 *       Ē = mean(e⁰, Âe⁰, …, Â^L e⁰), L = {@code gcn_layers}.
 *   <li>Loss over a batch of B rows (u_r, p_r, n_r): every user against every negative of the batch,
 *       L_rec = mean_r log Σ_s exp((cos(ē_u_r, ē_n_s) − cos(ē_u_r, ē_p_r)) / τ), plus λ·(InfoNCE(h_u^t, h_u^v) +
 *       InfoNCE(h_p^t, h_p^v)) over the batch's users and positives (cosine, temperature τ, in-batch
 *       negatives); τ = {@code tau}, λ = {@code lamda}. Scores at inference: ē_u · ē_i.
 * </ol>
 *
 * <p>What the reference does that the paper does not say, kept here: the graph weights are read through
 * {@code _values()}, which autograd does not track, so no gradient reaches the edge predictor (W₁, c₁, W₂, c₂ stay
 * at their initial values) nor flows through A's weights or D; each batch's Â is a constant of that step. The
 * edge predictor's inputs carry the positional code. Users without training rows make the frozen user–user
 * graph's top-k NaN-weighted ({@link #userKnn}): on TikTok (10 such users, k = 5) S_U carries no weight in
 * training, though those entries still count towards the number of edges a step keeps.
 *
 * <p>Memory: every item–item and user–user structure is a sparse top-k graph built blockwise ({@link KnnGraph});
 * the users' mean features enter training as x̄_u W = Σ_i M_ui (x_i⁰ W) through the sparse mean matrix M, so no
 * users × features table is kept.
 *
 * <p>Keys: {@code embedding_size}, {@code gcn_layers}, {@code knn_k}, {@code tau}, {@code lamda}, {@code dropout},
 * {@code m_alpha}, {@code asg}, {@code auige}, {@code pe}, {@code use_id}, {@code use_image}, {@code use_text}
 * ({@code knn_method}, {@code knn_rank}, {@code knn_candidates} choose how the top-k are found).
 */
public final class Idfree implements Recommender {
  /** torch.nn.LayerNorm's default ε. */
  private static final float LAYER_NORM_EPS = 1e-5f;
  /** The reference clamps D^-½ to [0, 10] (so a node without edges gets 10, its row and column still empty). */
  private static final double MAX_INV_SQRT_DEGREE = 10.0;

  record Settings(
      int dim,
      int layers,
      int knnK,
      float tau,
      float lamda,
      double dropout,
      float alpha,
      boolean asg,
      boolean auige,
      boolean pe,
      boolean useId,
      boolean useImage,
      boolean useText) {
    static Settings from(Config c) {
      Settings s = new Settings(
          c.getInt("embedding_size"),
          c.getInt("gcn_layers"),
          c.getInt("knn_k"),
          c.getFloat("tau"),
          c.getFloat("lamda"),
          c.getDouble("dropout"),
          c.getFloat("m_alpha"),
          c.getBool("asg"),
          c.getBool("auige"),
          c.getBool("pe"),
          c.getBool("use_id"),
          c.getBool("use_image"),
          c.getBool("use_text"));
      check(c, "embedding_size", s.dim >= 1, "must be >= 1");
      check(c, "gcn_layers", s.layers >= 0, "must be >= 0");
      check(c, "knn_k", s.knnK >= 1, "must be >= 1");
      check(c, "tau", s.tau > 0f, "(the temperature) must be > 0");
      check(c, "dropout", s.dropout >= 0 && s.dropout < 1, "(the fraction of graph edges dropped) must be in [0, 1)");
      check(c, "m_alpha", s.alpha >= 0f && s.alpha <= 1f, "(the text weight of the fusion) must be in [0, 1]");
      if (c.getBool("save_intermediate")) {
        throw new BadInputException(
            c.source("save_intermediate") + ": save_intermediate (the reference's dump of embeddings to files every"
                + " evaluation) is not supported: a userec model writes no files; set it to false");
      }
      return s;
    }

    private static void check(Config c, String key, boolean ok, String rule) {
      if (!ok) {
        throw new BadInputException(c.source(key) + ": " + key + " " + rule + ", got " + c.raw(key));
      }
    }
  }

  /**
   * One modality: its item features x (fine-tuned), their initial values x⁰, and the reference's {@code MLP} with
   * one layer, φ(x) = LayerNorm(tanh(x W + b)) (W stored in×out; torch.nn.Linear's default initialisation, the
   * LayerNorm's gain 1 and shift 0).
   */
  private static final class Modality {
    final String name;
    final Param features;
    final ConstantMatrix initial;
    final Param weight;
    final Param bias;
    final Param gain;
    final Param shift;

    Modality(FeatureTable f, int dim, RandomGenerator rng) {
      this.name = f.name();
      Tensor x = new Tensor(f.rows(), f.cols(), f.data());
      this.features = new Param("feat_" + name, x);
      this.initial = new ConstantMatrix(x);
      double bound = 1.0 / Math.sqrt(f.cols());
      this.weight = uniform(new Param("mlp_" + name + "_w", f.cols(), dim), bound, rng);
      this.bias = uniform(new Param("mlp_" + name + "_b", 1, dim), bound, rng);
      this.gain = new Param("mlp_" + name + "_ln_w", 1, dim);
      Arrays.fill(gain.data, 1f);
      this.shift = new Param("mlp_" + name + "_ln_b", 1, dim);
    }

    List<Param> params() {
      return List.of(features, weight, bias, gain, shift);
    }

    /** φ(x_i) for every item. */
    Tensor items(Tape t) {
      return t.layerNorm(t.tanh(t.linear(features, weight, bias)), gain, shift, LAYER_NORM_EPS);
    }

    /** φ(x̄_u) for every user, x̄_u W = Σ_i M_ui (x_i⁰ W) with M the users' mean over their training items. */
    Tensor users(Tape t, CsrMatrix mean) {
      Tensor pre = t.add(t.spmm(mean, t.linear(initial, weight, null)), bias);
      return t.layerNorm(t.tanh(pre), gain, shift, LAYER_NORM_EPS);
    }

    /** x̄ = M x⁰, users × features (built once, for the frozen user–user graph). */
    FeatureTable userMeans(CsrMatrix mean) {
      Tensor x = initial.value();
      float[] out = new float[Math.multiplyExact(mean.rows, x.cols)];
      Kernels.spmm(mean, x.data, x.cols, out, false);
      return new FeatureTable(name + " (user means)", mean.rows, x.cols, out);
    }
  }

  /**
   * The adaptive similarity graph's edge weights (the reference's {@code MLP_view}) over a frozen kNN graph S⁰:
   * S_ij = S⁰_ij · σ(relu(a_i W₁ + c₁) · relu(b_j W₂ + c₂)). Computed outside the tape: the reference's
   * weights reach its graph through {@code _values()}, which passes no gradient.
   */
  private static final class EdgeWeights {
    final CsrMatrix frozen;
    final Param w1;
    final Param c1;
    final Param w2;
    final Param c2;

    EdgeWeights(String side, CsrMatrix frozen, int dim, RandomGenerator rng) {
      this.frozen = frozen;
      double bound = 1.0 / Math.sqrt(dim);
      this.w1 = uniform(new Param("asg_" + side + "_fc1_w", dim, dim), bound, rng);
      this.c1 = uniform(new Param("asg_" + side + "_fc1_b", 1, dim), bound, rng);
      this.w2 = uniform(new Param("asg_" + side + "_fc2_w", dim, dim), bound, rng);
      this.c2 = uniform(new Param("asg_" + side + "_fc2_b", 1, dim), bound, rng);
    }

    List<Param> params() {
      return List.of(w1, c1, w2, c2);
    }

    /** S with S⁰'s pattern, row i read from a (text), column j from b (image). */
    CsrMatrix weighted(Tensor a, Tensor b) {
      Tape c = Tape.noGrad();
      Tensor xa = c.relu(c.linear(a, w1, c1));
      Tensor xb = c.relu(c.linear(b, w2, c2));
      int d = xa.cols;
      float[] v = new float[frozen.nnz()];
      Parallel.forRange(frozen.rows, 256, (s, e) -> {
        for (int i = s; i < e; i++) {
          for (int q = frozen.rowPtr[i]; q < frozen.rowPtr[i + 1]; q++) {
            float logit = Kernels.dot(xa.data, i * d, xb.data, frozen.colIdx[q] * d, d);
            v[q] = frozen.values[q] * (float) (1.0 / (1.0 + Math.exp(-logit)));
          }
        }
      });
      return new CsrMatrix(frozen.rows, frozen.cols, frozen.rowPtr, frozen.colIdx, v);
    }
  }

  /** This step's encodings: each modality's h (null for an absent slot) and the fused e⁰. */
  private record Views(Tensor userImage, Tensor itemImage, Tensor userText, Tensor itemText, Tensor users, Tensor items) {}

  private final Settings s;
  private final int numUsers;
  private final int numItems;
  private final KnnGraph.Options knnOptions;
  private final Param userId; // null unless use_id
  private final Param itemId;
  private final Modality image; // null when the slot is empty or switched off
  private final Modality text;
  private final Tensor userPe; // null unless pe
  private final Tensor itemPe;
  private final CsrMatrix interactions; // R, users × items, counts
  private final CsrMatrix userMean; // M = diag(1/|N_u|) R
  private final EdgeWeights userEdges; // null unless auige and asg
  private final EdgeWeights itemEdges;
  private final CsrMatrix frozenGraph; // A without asg: [[S_U⁰, R], [Rᵀ, S_I⁰]] (auige) or [[0, R], [Rᵀ, 0]]
  private CsrMatrix frozenNormalized;
  private long nanUserEdges; // set while the frozen user graphs are built (see userKnn)

  public Idfree(ModelContext ctx) {
    Config c = ctx.config();
    Dataset ds = ctx.dataset();
    this.s = Settings.from(c);
    this.numUsers = ds.numUsers();
    this.numItems = ds.numItems();
    this.knnOptions = Modalities.knnOptions(c);
    RandomGenerator rng = ctx.initRng();
    this.userId = s.useId ? Init.xavierUniform(new Param("user_id_emb", numUsers, s.dim), rng) : null;
    this.itemId = s.useId ? Init.xavierUniform(new Param("item_id_emb", numItems, s.dim), rng) : null;
    FeatureTable[] slots = slots(ds.features());
    FeatureTable v = s.useImage ? slots[0] : null;
    FeatureTable t = s.useText ? slots[1] : null;
    if (v == null && t == null) {
      throw new BadInputException(
          "IDFREE needs at least one modality: the dataset brings " + names(ds.features())
              + " and use_image is " + s.useImage + ", use_text is " + s.useText + "; switch one on");
    }
    this.userPe = s.pe ? PositionalEncoding.sinusoidal(numUsers, s.dim) : null;
    this.itemPe = s.pe ? PositionalEncoding.sinusoidal(numItems, s.dim) : null;
    this.interactions = interactionCounts(ds.train(), numUsers, numItems);
    this.userMean = rowMeans(interactions);
    int kItems = Math.min(s.knnK, numItems);
    int kUsers = Math.min(s.knnK, numUsers);
    CsrMatrix frozenItems = null;
    CsrMatrix frozenUsers = null;
    if (s.auige) {
      List<CsrMatrix> items = new ArrayList<>();
      List<CsrMatrix> users = new ArrayList<>();
      for (FeatureTable f : v == null ? List.of(t) : t == null ? List.of(v) : List.of(v, t)) {
        items.add(KnnGraph.cosineTopKValues(f, kItems, knnOptions));
      }
      this.image = v == null ? null : new Modality(v, s.dim, rng);
      this.text = t == null ? null : new Modality(t, s.dim, rng);
      for (Modality m : present()) {
        users.add(userKnn(m.userMeans(userMean), kUsers));
      }
      frozenItems = sum(items);
      frozenUsers = sum(users);
    } else {
      this.image = v == null ? null : new Modality(v, s.dim, rng);
      this.text = t == null ? null : new Modality(t, s.dim, rng);
    }
    if (s.auige && s.asg) {
      this.itemEdges = new EdgeWeights("item", frozenItems, s.dim, rng);
      this.userEdges = new EdgeWeights("user", frozenUsers, s.dim, rng);
      this.frozenGraph = null;
    } else {
      this.itemEdges = null;
      this.userEdges = null;
      this.frozenGraph = augmented(frozenUsers, frozenItems);
    }
  }

  /**
   * One modality's frozen user–user graph S_U⁰ as the reference's top-k behaves on it. A user without training rows
   * has mean features 0, which the reference normalises to NaN; NaN outranks every cosine in torch.topk, so every
   * row's k neighbours begin with (up to k of) those c users, at weight NaN, which its edge sampling reads as 0
   * (never drawn while positive edges remain). What carries weight is each user's top-(k − c) among the users with
   * training rows: with c ≥ k (TikTok: 10 such users) S_U⁰ is empty. (Where the reference's NaN weights reach its
   * normalisation unsampled, dropout 0 or asg off, its scores are NaN; here those edges are absent.)
   */
  private CsrMatrix userKnn(FeatureTable means, int k) {
    int[] warm = new int[numUsers];
    int n = 0;
    for (int u = 0; u < numUsers; u++) {
      if (userMean.rowPtr[u + 1] > userMean.rowPtr[u]) {
        warm[n++] = u;
      }
    }
    int cold = numUsers - n;
    // the reference's NaN entries (the same columns in every modality's graph, so counted once): min(c, k) in a
    // warm user's row, k in a cold user's
    nanUserEdges = (long) n * Math.min(cold, k) + (long) cold * k;
    if (cold == 0) {
      return KnnGraph.cosineTopKValues(means, k, knnOptions);
    }
    int kept = Math.min(k - Math.min(cold, k), n);
    if (kept == 0) {
      return new CsrMatrix(numUsers, numUsers, new int[numUsers + 1], new int[0], new float[0]);
    }
    int d = means.cols();
    float[] x = new float[Math.multiplyExact(n, d)];
    for (int r = 0; r < n; r++) {
      System.arraycopy(means.data(), warm[r] * d, x, r * d, d);
    }
    CsrMatrix g = KnnGraph.cosineTopKValues(new FeatureTable(means.name(), n, d, x), kept, knnOptions);
    int[] rows = new int[g.nnz()];
    int[] cols = new int[g.nnz()];
    for (int r = 0; r < n; r++) {
      for (int q = g.rowPtr[r]; q < g.rowPtr[r + 1]; q++) {
        rows[q] = warm[r];
        cols[q] = warm[g.colIdx[q]];
      }
    }
    return CsrMatrix.fromCoo(numUsers, numUsers, rows, cols, g.values);
  }

  /** [image slot, text slot]: two modalities fill both in order; one fills the image slot when so named. */
  private static FeatureTable[] slots(List<FeatureTable> features) {
    if (features.size() == 2) {
      return new FeatureTable[] {features.get(0), features.get(1)};
    }
    if (features.size() == 1) {
      FeatureTable f = features.get(0);
      boolean isImage = switch (f.name().toLowerCase(java.util.Locale.ROOT)) {
        case "image", "vision", "v" -> true;
        default -> false;
      };
      return isImage ? new FeatureTable[] {f, null} : new FeatureTable[] {null, f};
    }
    throw new BadInputException(
        "IDFREE fuses one or two modalities (image, then text), the dataset brings " + features.size() + " "
            + names(features) + "; choose them with feature_files");
  }

  private static List<String> names(List<FeatureTable> features) {
    return features.stream().map(FeatureTable::name).toList();
  }

  private List<Modality> present() {
    List<Modality> m = new ArrayList<>(2);
    if (image != null) {
      m.add(image);
    }
    if (text != null) {
      m.add(text);
    }
    return m;
  }

  @Override
  public List<Param> params() {
    List<Param> p = new ArrayList<>();
    if (userId != null) {
      p.add(userId);
      p.add(itemId);
    }
    for (Modality m : present()) {
      p.addAll(m.params());
    }
    if (itemEdges != null) {
      p.addAll(itemEdges.params());
      p.addAll(userEdges.params());
    }
    return p;
  }

  // ------------------------------------------------------------------------------------------ embeddings

  private Views encode(Tape t) {
    Tensor uv = image == null ? null : positioned(t, image.users(t, userMean), userPe);
    Tensor iv = image == null ? null : positioned(t, image.items(t), itemPe);
    Tensor ut = text == null ? null : positioned(t, text.users(t, userMean), userPe);
    Tensor it = text == null ? null : positioned(t, text.items(t), itemPe);
    Tensor u = fuse(t, ut, uv);
    Tensor i = fuse(t, it, iv);
    if (userId != null) {
      u = t.add(u, userId);
      i = t.add(i, itemId);
    }
    return new Views(uv, iv, ut, it, u, i);
  }

  private static Tensor positioned(Tape t, Tensor h, Tensor pe) {
    return pe == null ? h : t.add(h, pe);
  }

  /** α h^t + (1 − α) h^v, or the one modality present. */
  private Tensor fuse(Tape t, Tensor textView, Tensor imageView) {
    if (textView == null) {
      return imageView;
    }
    if (imageView == null) {
      return textView;
    }
    return t.weightedSum(new float[] {s.alpha, 1f - s.alpha}, textView, imageView);
  }

  // ------------------------------------------------------------------------------------------ graphs

  /** R: users × items, each training row counted (duplicates add, as the reference's coalesced graph). */
  private static CsrMatrix interactionCounts(Interactions train, int numUsers, int numItems) {
    float[] ones = new float[train.size()];
    Arrays.fill(ones, 1f);
    return CsrMatrix.fromCoo(
        numUsers, numItems, Arrays.copyOf(train.users(), train.size()), Arrays.copyOf(train.items(), train.size()), ones);
  }

  /** diag(1 / row sum) R; a row without entries stays empty (the reference's nan_to_num gives it 0). */
  private static CsrMatrix rowMeans(CsrMatrix r) {
    float[] sums = r.rowSums();
    float[] v = new float[r.nnz()];
    for (int i = 0; i < r.rows; i++) {
      for (int q = r.rowPtr[i]; q < r.rowPtr[i + 1]; q++) {
        v[q] = r.values[q] / sums[i];
      }
    }
    return new CsrMatrix(r.rows, r.cols, r.rowPtr, r.colIdx, v);
  }

  /** Σ of graphs of one shape, entries at the same place added (the reference's sparse sum of modality graphs). */
  private static CsrMatrix sum(List<CsrMatrix> graphs) {
    if (graphs.size() == 1) {
      return graphs.get(0);
    }
    int nnz = 0;
    for (CsrMatrix g : graphs) {
      nnz += g.nnz();
    }
    int[] r = new int[nnz];
    int[] c = new int[nnz];
    float[] v = new float[nnz];
    int p = 0;
    for (CsrMatrix g : graphs) {
      for (int i = 0; i < g.rows; i++) {
        for (int q = g.rowPtr[i]; q < g.rowPtr[i + 1]; q++) {
          r[p] = i;
          c[p] = g.colIdx[q];
          v[p++] = g.values[q];
        }
      }
    }
    return CsrMatrix.fromCoo(graphs.get(0).rows, graphs.get(0).cols, r, c, v);
  }

  /** A = [[S_U, R], [Rᵀ, S_I]] over users then items (S_U, S_I null: no such block). */
  CsrMatrix augmented(CsrMatrix users, CsrMatrix items) {
    CsrMatrix rt = interactions.transpose();
    int n = numUsers + numItems;
    int nnz = interactions.nnz() * 2 + (users == null ? 0 : users.nnz()) + (items == null ? 0 : items.nnz());
    int[] rowPtr = new int[n + 1];
    int[] col = new int[nnz];
    float[] val = new float[nnz];
    int w = 0;
    for (int u = 0; u < numUsers; u++) { // user rows: S_U's columns (< |U|), then R's (offset by |U|)
      w = copyRow(users, u, 0, col, val, w);
      w = copyRow(interactions, u, numUsers, col, val, w);
      rowPtr[u + 1] = w;
    }
    for (int i = 0; i < numItems; i++) { // item rows: Rᵀ's columns (< |U|), then S_I's (offset by |U|)
      w = copyRow(rt, i, 0, col, val, w);
      w = copyRow(items, i, numUsers, col, val, w);
      rowPtr[numUsers + i + 1] = w;
    }
    return new CsrMatrix(n, n, rowPtr, col, val);
  }

  private static int copyRow(CsrMatrix m, int row, int offset, int[] col, float[] val, int w) {
    if (m == null) {
      return w;
    }
    for (int q = m.rowPtr[row]; q < m.rowPtr[row + 1]; q++) {
      col[w] = m.colIdx[q] + offset;
      val[w++] = m.values[q];
    }
    return w;
  }

  /** The edges of A that a draw of n without replacement ∝ weight keeps (torch.multinomial), weights unchanged. */
  static CsrMatrix sampled(CsrMatrix a, int n, RandomGenerator rng) {
    double[] weight = new double[a.nnz()];
    for (int q = 0; q < weight.length; q++) {
      weight[q] = a.values[q];
    }
    return kept(a, DegreeSensitiveSampler.keepProportional(weight, n, rng));
  }

  /** The entries of A marked in {@code keep} (one flag per stored entry), weights unchanged. */
  private static CsrMatrix kept(CsrMatrix a, boolean[] keep) {
    int n = 0;
    for (boolean k : keep) {
      n += k ? 1 : 0;
    }
    int[] rowPtr = new int[a.rows + 1];
    int[] col = new int[n];
    float[] val = new float[n];
    int w = 0;
    for (int i = 0; i < a.rows; i++) {
      for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
        if (keep[q]) {
          col[w] = a.colIdx[q];
          val[w++] = a.values[q];
        }
      }
      rowPtr[i + 1] = w;
    }
    return new CsrMatrix(a.rows, a.cols, rowPtr, col, val);
  }

  /** D^-½ A D^-½ with D the row sums of A and D^-½ clamped to [0, 10] (the reference's cal_norm_laplacian). */
  static CsrMatrix normalized(CsrMatrix a) {
    float[] deg = a.rowSums();
    double[] inv = new double[deg.length];
    for (int i = 0; i < deg.length; i++) {
      double d = Math.pow(deg[i], -0.5);
      inv[i] = Math.min(Math.max(d, 0.0), MAX_INV_SQRT_DEGREE); // NaN (a negative sum) stays NaN, as torch.clamp
    }
    float[] v = new float[a.nnz()];
    for (int i = 0; i < a.rows; i++) {
      for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
        v[q] = (float) (a.values[q] * inv[i] * inv[a.colIdx[q]]);
      }
    }
    return new CsrMatrix(a.rows, a.cols, a.rowPtr, a.colIdx, v);
  }

  /** This step's A before dropping edges: the adaptive graphs from the step's encodings, or the frozen one. */
  private CsrMatrix trainingGraph(Views v) {
    if (itemEdges == null) {
      return frozenGraph;
    }
    Tensor[] items = predictorInputs(v.itemText(), v.itemImage());
    Tensor[] users = predictorInputs(v.userText(), v.userImage());
    return augmented(userEdges.weighted(users[0], users[1]), itemEdges.weighted(items[0], items[1]));
  }

  /** The edge predictor reads (h^t, h^v), or the one modality twice. */
  private static Tensor[] predictorInputs(Tensor textView, Tensor imageView) {
    Tensor a = textView != null ? textView : imageView;
    Tensor b = imageView != null ? imageView : textView;
    return new Tensor[] {a, b};
  }

  /**
   * Test hook (parity with the reference's own sample): the next training step keeps exactly these edges of A, given
   * as (row, col) pairs of the (|U| + |I|)² graph, instead of drawing them.
   */
  void keepEdges(int[] rows, int[] cols) {
    java.util.Set<Long> set = new java.util.HashSet<>();
    for (int k = 0; k < rows.length; k++) {
      set.add((long) rows[k] * (numUsers + numItems) + cols[k]);
    }
    forcedEdges = set;
  }

  private java.util.Set<Long> forcedEdges;

  /**
   * How many edges a training step keeps: ⌊(nnz(A) + e)·(1 − dropout)⌋, e the reference's NaN-weighted user–user
   * entries ({@link #userKnn}), which count towards its sample size though they are never drawn; at most nnz(A)
   * (beyond, the reference would draw zero-weight edges, which change nothing).
   */
  int edgesKept(int nnz) {
    long phantom = s.auige ? nanUserEdges : 0;
    return (int) Math.min(nnz, (long) ((nnz + phantom) * (1.0 - s.dropout)));
  }

  /** Â for a training step: A with ⌊nnz·(1 − dropout)⌋ edges kept ∝ weight, normalised; dropout 0 keeps A whole. */
  private CsrMatrix stepGraph(Views v, RandomGenerator rng) {
    CsrMatrix a = trainingGraph(v);
    if (forcedEdges != null) {
      boolean[] keep = new boolean[a.nnz()];
      for (int i = 0; i < a.rows; i++) {
        for (int q = a.rowPtr[i]; q < a.rowPtr[i + 1]; q++) {
          keep[q] = forcedEdges.contains((long) i * a.cols + a.colIdx[q]);
        }
      }
      int n = 0;
      for (boolean k : keep) {
        n += k ? 1 : 0;
      }
      if (n != forcedEdges.size() || (s.dropout > 0 && n != edgesKept(a.nnz()))) {
        throw new IllegalStateException(
            forcedEdges.size() + " edges given, " + n + " of them in A, and a sample keeps " + edgesKept(a.nnz()));
      }
      forcedEdges = null;
      return normalized(kept(a, keep));
    }
    if (s.dropout > 0) {
      return normalized(sampled(a, edgesKept(a.nnz()), rng));
    }
    if (a == frozenGraph) {
      if (frozenNormalized == null) {
        frozenNormalized = normalized(frozenGraph);
      }
      return frozenNormalized;
    }
    return normalized(a);
  }

  /** Â for inference: with asg, top-k cosine graphs of the fused e⁰ (users and items), else the frozen A. */
  private CsrMatrix inferenceGraph(Views v) {
    if (itemEdges == null) {
      if (frozenNormalized == null) {
        frozenNormalized = normalized(frozenGraph);
      }
      return frozenNormalized;
    }
    CsrMatrix users = KnnGraph.cosineTopKValues(table("users", v.users()), Math.min(s.knnK, numUsers), knnOptions);
    CsrMatrix items = KnnGraph.cosineTopKValues(table("items", v.items()), Math.min(s.knnK, numItems), knnOptions);
    return normalized(augmented(users, items));
  }

  private static FeatureTable table(String name, Tensor x) {
    return new FeatureTable(name, x.rows, x.cols, x.data);
  }

  // ------------------------------------------------------------------------------------------ loss

  @Override
  public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
    Views v = encode(t);
    CsrMatrix graph = stepGraph(v, rng);
    BatchNodes b = BatchNodes.of(batch, numUsers, numItems);
    Tensor mean = t.propagateMeanRows(graph, s.layers, b.nodes(), v.users(), v.items()); // Ē at the batch's nodes
    Tensor u = t.l2NormalizeRows(t.gatherRows(mean, b.users()));
    Tensor p = t.l2NormalizeRows(t.gatherRows(mean, b.pos()));
    Tensor n = t.l2NormalizeRows(t.gatherRows(mean, b.neg()));
    // L_rec = mean_r log Σ_s exp((û_r·n̂_s − û_r·p̂_r) / τ) = mean_r LSE_s(û_r·n̂_s / τ) − mean_r û_r·p̂_r / τ
    float invTau = 1f / s.tau;
    Tensor rec =
        t.sub(t.mean(LogSumExp.rows(t, t.scale(t.matmulNT(u, n), invTau))), t.scale(t.mean(t.rowDot(u, p)), invTau));
    if (image == null || text == null) {
      return rec;
    }
    // L_align = InfoNCE(h^t, h^v) over the batch's users + the same over its positive items
    Tensor users = t.infoNce(t.gatherRows(v.userText(), batch.users()), t.gatherRows(v.userImage(), batch.users()), s.tau);
    Tensor items = t.infoNce(t.gatherRows(v.itemText(), batch.pos()), t.gatherRows(v.itemImage(), batch.pos()), s.tau);
    return t.add(rec, t.scale(t.add(users, items), s.lamda));
  }

  @Override
  public Scorer scorer() {
    Tape t = Tape.noGrad();
    Views v = encode(t);
    Tensor all = t.propagateMean(inferenceGraph(v), s.layers, v.users(), v.items());
    float[] u = Arrays.copyOfRange(all.data, 0, numUsers * s.dim);
    float[] i = Arrays.copyOfRange(all.data, numUsers * s.dim, all.data.length);
    return new DotScorer(u, i, s.dim);
  }

  private static Param uniform(Param p, double bound, RandomGenerator rng) {
    for (int k = 0; k < p.data.length; k++) {
      p.data[k] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return p;
  }
}
