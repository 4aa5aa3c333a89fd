package org.userec.model;

import java.util.ArrayList;
import java.util.List;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.export.ItemEncoder;
import org.userec.graph.CsrMatrix;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * Which trained models can embed an item from its features alone, and the {@link ItemEncoder} that does it.
 *
 * <ul>
 *   <li><b>PGL</b>: items are [norm(x_m W_m + b_m)]_m with no ID embedding, so yes. The new item's features
 *       are used as given; with {@code train_features: true} the catalogue's tables were fine-tuned while a
 *       new item's are not, and an item without interactions in training still had its row nudged through
 *       its neighbours' kNN rows, so the encoder is exact for {@code train_features: false} and close
 *       otherwise.
 *   <li><b>USERec</b> without {@code item_id_embedding}: items are the (standardised, scaled) projections,
 *       optionally normalised, plus positional codes with {@code item_pe}; the item–item co-interaction graph
 *       gives a new item nothing. With {@code item_id_embedding: true} (TikTok's recipe) an item needs a
 *       trained ID row, so no.
 *   <li><b>FREEDOM, LightGCN, BPR</b>: an item is its trained ID embedding (FREEDOM's features enter only
 *       its loss), so no.
 * </ul>
 */
public final class ItemEncoders {
  private ItemEncoders() {}

  /** Why the model cannot embed a new item from features, or null when it can. */
  public static String unsupportedReason(String model, Config c) {
    return switch (model) {
      case "PGL" -> null;
      case "USERec" -> c.getBool("item_id_embedding")
          ? "this USERec model was trained with item_id_embedding: true, so an item needs a trained ID embedding"
          : null;
      default -> model + " represents an item by its trained ID embedding, which a new item does not have";
    };
  }

  /**
   * The encoder of a trained PGL or USERec model (parameters loaded), or null with {@link #unsupportedReason}.
   * Rebuilds the kNN graph when the model propagates over it more than once.
   */
  public static ItemEncoder of(String model, Recommender m, Config c, Dataset ds) {
    if (unsupportedReason(model, c) != null) {
      return null;
    }
    double[] weights = Modalities.weights(c, ds.features(), model);
    int mmLayers = c.getInt("n_mm_layers");
    int uiLayers = c.getInt("n_ui_layers");
    boolean userec = m instanceof Userec;
    Tape t = Tape.noGrad();
    List<ItemEncoder.Modality> mods = new ArrayList<>();
    Tensor[] parts = new Tensor[ds.features().size()];
    for (int k = 0; k < ds.features().size(); k++) {
      FeatureTable raw = ds.features().get(k);
      Param w = param(m, "proj_" + raw.name() + "_w");
      Param b = param(m, "proj_" + raw.name() + "_b");
      boolean standardize = userec && c.getBool("standardize_features");
      double[][] meanInv = standardize ? meanAndInverseStd(raw) : new double[][] {null, null};
      float scale = userec ? c.getFloat("feature_scale") : 1f;
      boolean normalize = !userec || c.getBool("normalize_projections");
      mods.add(new ItemEncoder.Modality(
          raw.name(), raw.cols(), w.cols, weights[k], raw.data(), meanInv[0], meanInv[1], scale, w.data, b.data, normalize));
      if (!userec) { // PGL's E_I from its (possibly fine-tuned) tables
        Param trained = find(m, "feat_" + raw.name());
        Tensor x = trained != null ? trained : new Tensor(raw.rows(), raw.cols(), raw.data());
        parts[k] = t.l2NormalizeRows(t.linear(x, w, b));
      }
    }
    Tensor ego = userec ? ((Userec) m).ego(t).items() : parts.length == 1 ? parts[0] : t.concatCols(parts);
    List<float[]> propagated = new ArrayList<>();
    if (mmLayers > 0) {
      propagated.add(ego.data.clone());
      if (mmLayers > 1) {
        CsrMatrix s = Modalities.fusedKnnGraph(c, ds, model);
        Tensor p = ego;
        for (int l = 1; l < mmLayers; l++) {
          p = t.spmm(s, p);
          propagated.add(p.data.clone());
        }
      }
    }
    float peScale = userec && c.getBool("item_pe") ? c.getFloat("pe_scale") : 0f;
    int iiLayers = userec && c.getBool("use_ii_graph") ? c.getInt("n_ii_layers") : 0;
    // CoInteractionGraph's self-loop of an item without training users: weight 1 (binary) or 0 (weighted), degree = it
    float iiSelf = !userec || c.getBool("ii_weighted") ? 0f : (float) (1f * Math.pow(1 + 1e-7, -0.5) * Math.pow(1 + 1e-7, -0.5));
    return new ItemEncoder(mods, ego.cols, uiLayers, c.getInt("knn_k"), propagated, peScale, iiSelf, iiLayers, ds.numItems());
  }

  /** Column means and 1/σ as {@link Modalities.Projection#standardized} computes them. */
  static double[][] meanAndInverseStd(FeatureTable f) {
    return Modalities.Projection.meanAndInverseStd(f);
  }

  private static Param param(Recommender m, String name) {
    Param p = find(m, name);
    if (p == null) {
      throw new IllegalStateException("model has no parameter '" + name + "'");
    }
    return p;
  }

  private static Param find(Recommender m, String name) {
    for (Param p : m.params()) {
      if (p.name.equals(name)) {
        return p;
      }
    }
    return null;
  }
}
