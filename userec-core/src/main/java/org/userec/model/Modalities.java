package org.userec.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.graph.CsrMatrix;
import org.userec.graph.KnnGraph;
import org.userec.tensor.ConstantMatrix;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * What the multimodal models share about their modalities: one weight per modality, the fused frozen kNN
 * item graph, and one trainable projection per modality. Every modality the dataset brings is used, in the
 * dataset's order ({@code feature_files}, else vision then text).
 */
public final class Modalities {
  private Modalities() {}

  /**
   * One weight per modality, summing to 1. Key {@code modality_weights} (a list, one weight per modality)
   * wins when set; otherwise one modality weighs 1, and of two the one named image (or vision) weighs
   * {@code mm_image_weight} and the other 1 − {@code mm_image_weight}, in either order of {@code
   * feature_files} (FREEDOM's image_adj weight; two modalities without an image one need {@code
   * modality_weights}). Three or more need {@code modality_weights}.
   */
  public static double[] weights(Config c, List<FeatureTable> features, String model) {
    int m = features.size();
    if (m == 0) {
      throw new BadInputException(
          model + " needs at least one modality feature file; the dataset has none (set feature_files)");
    }
    double[] w;
    if (c.has("modality_weights") && c.raw("modality_weights") != null) {
      w = c.getDoubleList("modality_weights");
      if (w.length != m) {
        throw new BadInputException(
            c.source("modality_weights") + ": modality_weights has " + w.length + " values for " + m + " modalities "
                + names(features) + "; give one weight per modality");
      }
    } else if (m == 1) {
      w = new double[] {1.0};
    } else if (m == 2) {
      double a = c.getDouble("mm_image_weight");
      int image = imageIndex(features);
      if (image < 0) {
        throw new BadInputException(model + ": mm_image_weight (" + a + ") weighs the image modality, but neither of " + names(features)
            + " is named image or vision; set modality_weights: [w_" + features.get(0).name() + ", w_" + features.get(1).name()
            + "] (in this order, summing to 1), e.g. --set modality_weights=[" + a + "," + (1 - a) + "]");
      }
      w = new double[2];
      w[image] = a;
      w[1 - image] = 1.0 - a;
    } else {
      throw new BadInputException(
          model + ": " + m + " modalities " + names(features) + " need modality_weights (one per modality, sum 1)");
    }
    double total = 0;
    for (double x : w) {
      if (!(x >= 0) || !Double.isFinite(x)) {
        throw new BadInputException("modality weights must be finite and >= 0, got " + Arrays.toString(w));
      }
      total += x;
    }
    if (Math.abs(total - 1) > 1e-6) {
      throw new BadInputException("modality weights " + Arrays.toString(w) + " sum to " + total + ", not 1");
    }
    return w;
  }

  /**
   * The modality that {@code mm_image_weight} weighs, found by name (MMRec: the image/vision file), whatever
   * the order of {@code feature_files}; -1 when no name says image.
   */
  static int imageIndex(List<FeatureTable> features) {
    for (int k = 0; k < features.size(); k++) {
      String n = features.get(k).name().toLowerCase(java.util.Locale.ROOT);
      if (n.equals("image") || n.equals("vision") || n.equals("v") || n.equals("visual") || n.equals("img")) {
        return k;
      }
    }
    return -1;
  }

  private static List<String> names(List<FeatureTable> features) {
    List<String> n = new ArrayList<>();
    for (FeatureTable f : features) {
      n.add(f.name());
    }
    return n;
  }

  /**
   * FREEDOM's frozen item–item graph: per modality the binary top-{@code knn_k} cosine graph of the raw
   * features, symmetric-normalised, then Σ_m w_m S_m with {@link #weights}.
   */
  public static CsrMatrix fusedKnnGraph(Config c, Dataset ds, String model) {
    double[] w = weights(c, ds.features(), model);
    int k = c.getInt("knn_k");
    KnnGraph.Options options = knnOptions(c);
    List<CsrMatrix> graphs = new ArrayList<>();
    for (FeatureTable f : ds.features()) {
      graphs.add(KnnGraph.cosineTopK(f, Math.min(k, f.rows()), false, options));
    }
    return KnnGraph.fuse(graphs, w);
  }

  /**
   * The kNN builder's settings from keys {@code knn_method} (auto | exact | projected), {@code knn_rank},
   * {@code knn_candidates} and the run's {@code seed}.
   */
  public static KnnGraph.Options knnOptions(Config c) {
    KnnGraph.Method method;
    try {
      method = KnnGraph.Method.parse(c.getString("knn_method"));
    } catch (IllegalArgumentException e) {
      throw new BadInputException(c.source("knn_method") + ": " + e.getMessage());
    }
    int rank = c.getInt("knn_rank");
    int candidates = c.getInt("knn_candidates");
    if (rank < 1 || candidates < 1) {
      throw new BadInputException(
          c.source("knn_rank") + ": knn_rank and knn_candidates must be >= 1, got " + rank + " and " + candidates);
    }
    return new KnnGraph.Options(method, rank, candidates, c.getLong("seed"));
  }

  /**
   * One modality's projection x·W + b of its item features (torch.nn.Linear(dim, out) over an
   * nn.Embedding.from_pretrained(features, freeze=not trainFeatures), as FREEDOM and PGL). W and b start
   * as torch.nn.Linear's default, U(−1/√dim, 1/√dim). W is stored dim×out.
   */
  public static final class Projection {
    public final String modality;
    private final Tensor features;
    private final ConstantMatrix frozen; // the features when they are not trained, else null
    private final Param weight;
    private final Param bias;

    public Projection(FeatureTable f, int out, boolean trainFeatures, RandomGenerator rng) {
      this(f, out, trainFeatures, false, rng);
    }

    /**
     * With {@code standardize}, the projection reads (x − μ)/σ, μ and σ each column's mean and standard
     * deviation over the items (σ = 1 for a constant column). W(x − μ)/σ + b is the same family of affine
     * maps as Wx + b; only the starting point and the conditioning differ: raw features with a large common
     * offset (TikTok's image features: column means ~2.7, row norms ~33) otherwise start every item at nearly
     * the same projection.
     */
    public Projection(FeatureTable f, int out, boolean trainFeatures, boolean standardize, RandomGenerator rng) {
      this(f, out, trainFeatures, standardize, 1f, rng);
    }

    /**
     * As above, the projection reading {@code scale}·x (after standardising). Adam's steps do not depend on a
     * gradient's scale, so a step on W moves every item's projection by an amount proportional to the input's
     * scale: {@code scale} sets both the projections' starting size and how fast W reshapes them.
     */
    public Projection(
        FeatureTable f, int out, boolean trainFeatures, boolean standardize, float scale, RandomGenerator rng) {
      if (standardize) {
        f = standardized(f);
      }
      if (scale != 1f) {
        float[] y = f.data().clone();
        for (int k = 0; k < y.length; k++) {
          y[k] *= scale;
        }
        f = new FeatureTable(f.name(), f.rows(), f.cols(), y);
      }
      this.modality = f.name();
      this.features =
          trainFeatures
              ? new Param("feat_" + f.name(), new Tensor(f.rows(), f.cols(), f.data()))
              : new Tensor(f.rows(), f.cols(), f.data());
      this.frozen = trainFeatures ? null : new ConstantMatrix(features);
      double bound = 1.0 / Math.sqrt(f.cols());
      this.weight = uniform(new Param("proj_" + f.name() + "_w", f.cols(), out), bound, rng);
      this.bias = uniform(new Param("proj_" + f.name() + "_b", 1, out), bound, rng);
    }

    /** Column means and 1/σ (1 for a constant column) of a feature table: what {@link #standardized} applies. */
    static double[][] meanAndInverseStd(FeatureTable f) {
      int n = f.rows();
      int d = f.cols();
      float[] x = f.data();
      double[] mean = new double[d];
      double[] sq = new double[d];
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < d; c++) {
          mean[c] += x[r * d + c];
        }
      }
      for (int c = 0; c < d; c++) {
        mean[c] /= Math.max(n, 1);
      }
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < d; c++) {
          double v = x[r * d + c] - mean[c];
          sq[c] += v * v;
        }
      }
      double[] inv = new double[d];
      for (int c = 0; c < d; c++) {
        double sd = Math.sqrt(sq[c] / Math.max(n, 1));
        inv[c] = sd > 1e-12 ? 1 / sd : 1;
      }
      return new double[][] {mean, inv};
    }

    static FeatureTable standardized(FeatureTable f) {
      int n = f.rows();
      int d = f.cols();
      float[] x = f.data();
      double[][] stats = meanAndInverseStd(f);
      double[] mean = stats[0];
      double[] inv = stats[1];
      float[] y = new float[x.length];
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < d; c++) {
          y[r * d + c] = (float) ((x[r * d + c] - mean[c]) * inv[c]);
        }
      }
      return new FeatureTable(f.name(), n, d, y);
    }

    private static Param uniform(Param p, double bound, RandomGenerator rng) {
      for (int i = 0; i < p.data.length; i++) {
        p.data[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
      }
      return p;
    }

    /** The trainable parameters: the feature table when trained, then W and b. */
    public List<Param> params() {
      List<Param> p = new ArrayList<>();
      if (features instanceof Param fp) {
        p.add(fp);
      }
      p.add(weight);
      p.add(bias);
      return p;
    }

    /** Projections of every item, items × out. */
    public Tensor all(Tape t) {
      return frozen != null ? t.linear(frozen, weight, bias) : t.linear(features, weight, bias);
    }

    /** Projections of the given items only (the same values as rows of {@link #all}, cheaper). */
    public Tensor rows(Tape t, int[] items) {
      return t.linear(t.gatherRows(features, items), weight, bias);
    }
  }
}
