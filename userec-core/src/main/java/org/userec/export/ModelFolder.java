package org.userec.export;

/**
 * The names in an exported model folder (docs/model-format.md). Version 1:
 *
 * <pre>
 * manifest.json          format, model, dataset, sizes, config, results at the best epoch, dataset fingerprint,
 *                        userec version, the item encoder's settings (feature-based models)
 * config.yaml            the run's merged config
 * user_embeddings.npy    users × D float32, the scorer's final user rows
 * item_embeddings.npy    items × D float32, the scorer's final item rows; score(u, i) = user_u · item_i
 * train_items.tsv        user TAB item,item,... (internal ids, ascending): excluded from recommendations
 * u_id_mapping.csv       raw user ids (copied from the dataset when it has one)
 * i_id_mapping.csv       raw item ids (idem)
 * items.tsv              item table with titles (idem)
 * encoder/               feature-based models: per modality MOD.features.npy (the catalogue's raw features),
 *                        MOD.w.npy (featureDim × outDim), MOD.b.npy; propagated-L.npy (S^L E⁰, L = 0 … n−1)
 * </pre>
 */
public final class ModelFolder {
  public static final String FORMAT = "userec-model";
  public static final int FORMAT_VERSION = 1;
  public static final String MANIFEST = "manifest.json";
  public static final String CONFIG = "config.yaml";
  public static final String USERS = "user_embeddings.npy";
  public static final String ITEMS = "item_embeddings.npy";
  public static final String TRAIN_ITEMS = "train_items.tsv";
  public static final String USER_IDS = "u_id_mapping.csv";
  public static final String ITEM_IDS = "i_id_mapping.csv";
  public static final String ITEM_TABLE = "items.tsv";
  public static final String ENCODER = "encoder";

  private ModelFolder() {}
}
