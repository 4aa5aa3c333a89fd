package org.userec.export;

import java.util.List;

/**
 * Turns a new item's raw feature rows into the final item embedding a trained feature-based model (PGL,
 * USERec without item IDs) gives an item that has no training interactions. The model's item path for such an
 * item, with the rest of the catalogue as trained:
 *
 * <ol>
 *   <li>ego row e⁰ = [post₁(W₁ᵀ pre₁(x₁) + b₁) ‖ … ‖ post_M(…)] (+ s·PE(n) when the model adds item positional
 *       codes), pre = optional column standardisation and scale, post = optional L2 normalisation; an item
 *       with no co-interactions keeps only its self-loop in USERec's item–item graph Ŝ_u, so E⁰ = e⁰ + ŝⁿ e⁰ with
 *       ŝ its self-loop weight (1·(1 + 10⁻⁷)^-1 binary, 0 weighted) and n = {@code n_ii_layers};
 *   <li>LightGCN layer mean over the user–item graph: an item without edges keeps e⁰/(L+1) (its propagated
 *       layers are zero);
 *   <li>h = Sⁿ E⁰ over the frozen fused kNN graph S = Σ_m w_m S_m: the new row of each S_m holds the top-k
 *       cosine neighbours of x_m among the catalogue's raw features and the item itself (placed last, at index
 *       n, so a tie goes to a catalogue item, as ties go to the lower index), each with the binary graph's
 *       weight (k·k)^-½ (every row of the binary graph sums to k);
 *   <li>e = e⁰/(L+1) + h.
 * </ol>
 *
 * Rows of other items are not changed (the new item would enter some catalogue items' neighbour lists in a
 * retraining; their embeddings stay as trained). The neighbours are found exactly even when the trained graph
 * used the projected kNN search.
 *
 * @param modalities in the model's order
 * @param dim the embedding width D (the sum of the modalities' projection widths)
 * @param uiLayers LightGCN layers L
 * @param knnK neighbours per kNN row (self included)
 * @param propagated S^l E⁰ over the catalogue for l = 0 … n−1 (n = mm layers), each items × D
 * @param itemPeScale s when the model adds sinusoidal item codes, else 0
 * @param iiSelf ŝ, the self-loop weight of an item without co-interactions (iiLayers 0: no such graph)
 * @param items the catalogue's size; the new item takes this id
 */
public record ItemEncoder(
    List<Modality> modalities,
    int dim,
    int uiLayers,
    int knnK,
    List<float[]> propagated,
    float itemPeScale,
    float iiSelf,
    int iiLayers,
    int items) {

  /**
   * One modality's projection.
   *
   * @param knnFeatures the catalogue's raw features (items × featureDim), as the kNN graph was built from them
   * @param mean column means for standardisation (null: none), applied as (x − μ)·invStd in double
   * @param scale factor on the (standardised) features before the projection
   * @param w featureDim × outDim, row-major (x·W)
   * @param b outDim
   */
  public record Modality(
      String name,
      int featureDim,
      int outDim,
      double weight,
      float[] knnFeatures,
      double[] mean,
      double[] invStd,
      float scale,
      float[] w,
      float[] b,
      boolean normalize) {
    public Modality {
      if (w.length != featureDim * outDim || b.length != outDim) {
        throw new IllegalArgumentException(name + ": projection " + w.length + " + " + b.length + " values for " + featureDim + "x" + outDim);
      }
      if (knnFeatures.length % featureDim != 0) {
        throw new IllegalArgumentException(name + ": kNN features of " + knnFeatures.length + " values, not rows of " + featureDim);
      }
      if ((mean == null) != (invStd == null) || (mean != null && (mean.length != featureDim || invStd.length != featureDim))) {
        throw new IllegalArgumentException(name + ": standardisation needs " + featureDim + " means and scales");
      }
    }
  }

  public ItemEncoder {
    modalities = List.copyOf(modalities);
    propagated = List.copyOf(propagated);
    int width = 0;
    for (Modality m : modalities) {
      width += m.outDim();
      if (m.knnFeatures().length != (long) items * m.featureDim()) {
        throw new IllegalArgumentException(m.name() + ": kNN features hold " + m.knnFeatures().length / m.featureDim() + " rows for " + items + " items");
      }
    }
    if (width != dim) {
      throw new IllegalArgumentException("modality widths sum to " + width + ", not dim " + dim);
    }
    for (float[] p : propagated) {
      if (p.length != (long) items * dim) {
        throw new IllegalArgumentException("a propagated table has " + p.length + " values for " + items + "x" + dim);
      }
    }
    if (knnK < 1 || uiLayers < 0) {
      throw new IllegalArgumentException("knn_k must be >= 1 and n_ui_layers >= 0, got " + knnK + ", " + uiLayers);
    }
  }

  /** The item-item propagation depth n. */
  public int mmLayers() {
    return propagated.size();
  }

  /**
   * The final embedding of a new item (it takes id {@link #items()}) from one raw feature row per modality, in
   * the model's modality order.
   */
  public float[] embed(List<float[]> features) {
    if (features.size() != modalities.size()) {
      throw new IllegalArgumentException("expected " + modalities.size() + " feature rows, got " + features.size());
    }
    float[] e0 = ego(features);
    float[] e = new float[dim];
    float inv = 1f / (uiLayers + 1);
    for (int c = 0; c < dim; c++) {
      e[c] = e0[c] * inv;
    }
    float[] h = e0;
    if (!propagated.isEmpty()) {
      // the new row of S = Σ_m w_m S_m: columns ascending, self at column n
      java.util.TreeMap<Integer, Float> row = new java.util.TreeMap<>();
      for (int m = 0; m < modalities.size(); m++) {
        Modality mod = modalities.get(m);
        int[] nb = neighbours(mod, features.get(m));
        double deg = Math.pow(nb.length + 1e-7, -0.5);
        float s = (float) (1.0 * deg * deg);
        float v = (float) mod.weight() * s;
        for (int j : nb) {
          row.merge(j, v, Float::sum);
        }
      }
      for (float[] p : propagated) { // h_l = Σ_j S_nj (S^{l-1}E⁰)_j, the self column reading h_{l-1}
        float[] next = new float[dim];
        for (var entry : row.entrySet()) {
          int j = entry.getKey();
          float v = entry.getValue();
          if (j == items) {
            for (int c = 0; c < dim; c++) {
              next[c] += v * h[c];
            }
          } else {
            int o = j * dim;
            for (int c = 0; c < dim; c++) {
              next[c] += v * p[o + c];
            }
          }
        }
        h = next;
      }
    }
    for (int c = 0; c < dim; c++) {
      e[c] += h[c];
    }
    return e;
  }

  /** The layer-0 row E⁰ of a new item: its ego row with positional code and item–item graph, before LightGCN. */
  public float[] ego(List<float[]> features) {
    float[] e0 = new float[dim];
    int at = 0;
    for (int m = 0; m < modalities.size(); m++) {
      Modality mod = modalities.get(m);
      float[] x = features.get(m);
      if (x.length != mod.featureDim()) {
        throw new IllegalArgumentException(mod.name() + " features have " + mod.featureDim() + " values, got " + x.length);
      }
      float[] y = new float[x.length];
      for (int c = 0; c < x.length; c++) {
        if (!Float.isFinite(x[c])) {
          throw new IllegalArgumentException(mod.name() + " feature " + c + " is not a finite number");
        }
        y[c] = mod.mean() == null ? x[c] : (float) ((x[c] - mod.mean()[c]) * mod.invStd()[c]);
        if (mod.scale() != 1f) {
          y[c] *= mod.scale();
        }
      }
      int out = mod.outDim();
      double[] acc = new double[out];
      for (int c = 0; c < x.length; c++) {
        float yc = y[c];
        int o = c * out;
        for (int j = 0; j < out; j++) {
          acc[j] += (double) yc * mod.w()[o + j];
        }
      }
      float[] proj = new float[out];
      for (int j = 0; j < out; j++) {
        proj[j] = (float) (acc[j] + mod.b()[j]);
      }
      if (mod.normalize()) {
        double ss = 0;
        for (float v : proj) {
          ss += (double) v * v;
        }
        float inv = 1f / Math.max((float) Math.sqrt(ss), 1e-12f);
        for (int j = 0; j < out; j++) {
          proj[j] *= inv;
        }
      }
      System.arraycopy(proj, 0, e0, at, out);
      at += out;
    }
    if (itemPeScale != 0f) {
      float[] pe = org.userec.nn.PositionalEncoding.sinusoidal(items + 1, dim).data;
      for (int c = 0; c < dim; c++) {
        e0[c] += pe[items * dim + c] * itemPeScale;
      }
    }
    if (iiLayers > 0) {
      float[] h = e0.clone();
      for (int l = 0; l < iiLayers; l++) {
        for (int c = 0; c < dim; c++) {
          h[c] = iiSelf * h[c];
        }
      }
      for (int c = 0; c < dim; c++) {
        e0[c] += h[c];
      }
    }
    return e0;
  }

  /**
   * The k = min(knnK, items + 1) most cosine-similar rows to x among the catalogue's and x itself (index
   * {@link #items()}), ties to the lower index; a zero row is similar to nothing (cosine 0).
   */
  int[] neighbours(Modality mod, float[] x) {
    int d = mod.featureDim();
    float[] f = mod.knnFeatures();
    double xx = 0;
    for (float v : x) {
      xx += (double) v * v;
    }
    double invX = xx > 0 ? 1 / Math.sqrt(xx) : 0;
    int n = items + 1;
    int k = Math.min(knnK, n);
    float[] sims = new float[n];
    for (int j = 0; j < items; j++) {
      double dot = 0;
      double nn = 0;
      int o = j * d;
      for (int c = 0; c < d; c++) {
        dot += (double) x[c] * f[o + c];
        nn += (double) f[o + c] * f[o + c];
      }
      sims[j] = (float) (dot * invX * (nn > 0 ? 1 / Math.sqrt(nn) : 0));
    }
    sims[items] = (float) (xx * invX * invX);
    Integer[] order = new Integer[n];
    for (int j = 0; j < n; j++) {
      order[j] = j;
    }
    java.util.Arrays.sort(order, (a, b) -> sims[a] != sims[b] ? Float.compare(sims[b], sims[a]) : Integer.compare(a, b));
    int[] out = new int[k];
    for (int q = 0; q < k; q++) {
      out[q] = order[q];
    }
    return out;
  }
}
