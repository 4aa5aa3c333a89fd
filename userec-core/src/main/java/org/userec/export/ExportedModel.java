package org.userec.export;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.userec.BadInputException;
import org.userec.config.Yaml;
import org.userec.data.FeatureTable;
import org.userec.data.NpyReader;
import org.userec.data.raw.ItemTable;

/**
 * A model folder read back ({@link ModelFolder}): final embeddings, training items, raw ids and titles when
 * present, and the item encoder of feature-based models. Immutable; the arrays are shared, do not change them.
 *
 * @param userIds raw user ids by internal id, or null
 * @param itemIds raw item ids by internal id, or null
 * @param titles item titles by internal id, or null
 * @param encoder the item encoder, or null with {@code encoderUnsupported} saying why
 */
public record ExportedModel(
    Path dir,
    Map<String, Object> manifest,
    String model,
    int numUsers,
    int numItems,
    int dim,
    float[] users,
    float[] items,
    int[][] trainItems,
    String[] userIds,
    String[] itemIds,
    String[] titles,
    ItemEncoder encoder,
    String encoderUnsupported) {

  public ExportedModel {
    if (users.length != (long) numUsers * dim || items.length != (long) numItems * dim) {
      throw new IllegalArgumentException("embedding tables do not match " + numUsers + " users, " + numItems + " items, dim " + dim);
    }
    if (trainItems.length != numUsers) {
      throw new IllegalArgumentException("training items for " + trainItems.length + " users, the model has " + numUsers);
    }
  }

  /** Reads a folder written by {@link ModelExport}; a missing or inconsistent file is a one-line error. */
  public static ExportedModel load(Path dir) {
    Path mf = dir.resolve(ModelFolder.MANIFEST);
    if (!Files.isRegularFile(mf)) {
      throw new BadInputException(dir + ": not a userec model folder (no " + ModelFolder.MANIFEST + "); make one with 'userec export --run RUN --out " + dir + "'");
    }
    Map<String, Object> m = Yaml.parseFile(mf);
    if (!ModelFolder.FORMAT.equals(m.get("format"))) {
      throw new BadInputException(mf + ": format is '" + m.get("format") + "', expected '" + ModelFolder.FORMAT + "'");
    }
    int version = intOf(m, "format_version", mf);
    if (version != ModelFolder.FORMAT_VERSION) {
      throw new BadInputException(
          mf + ": format_version " + version + " is not readable by this userec (reads " + ModelFolder.FORMAT_VERSION + "); export the run again with this version");
    }
    int users = intOf(m, "users", mf);
    int items = intOf(m, "items", mf);
    int dim = intOf(m, "dim", mf);
    float[] u = table(dir.resolve(ModelFolder.USERS), users, dim);
    float[] i = table(dir.resolve(ModelFolder.ITEMS), items, dim);
    int[][] train = readTrainItems(dir.resolve(ModelFolder.TRAIN_ITEMS), users, items);
    String[] uid = readIds(dir.resolve(ModelFolder.USER_IDS), users);
    String[] iid = readIds(dir.resolve(ModelFolder.ITEM_IDS), items);
    String[] titles = readTitles(dir.resolve(ModelFolder.ITEM_TABLE), items);
    ItemEncoder enc = null;
    Object e = m.get("item_encoder");
    if (e instanceof Map<?, ?> em) {
      enc = readEncoder(dir, em, items, dim, mf);
    }
    Object why = m.get("item_encoder_unsupported");
    return new ExportedModel(dir, m, String.valueOf(m.get("model")), users, items, dim, u, i, train, uid, iid, titles, enc,
        enc == null ? (why == null ? "the model folder has no item encoder" : why.toString()) : null);
  }

  private static int intOf(Map<?, ?> m, String key, Path file) {
    Object v = m.get(key);
    if (!(v instanceof Number n)) {
      throw new BadInputException(file + ": '" + key + "' is missing or not a number (" + v + ")");
    }
    return n.intValue();
  }

  private static float[] table(Path file, int rows, int cols) {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": missing from the model folder; export the run again");
    }
    FeatureTable t = NpyReader.read(file);
    if (t.rows() != rows || t.cols() != cols) {
      throw new BadInputException(file + ": is " + t.rows() + "x" + t.cols() + ", the manifest says " + rows + "x" + cols);
    }
    return t.data();
  }

  static int[][] readTrainItems(Path file, int users, int items) {
    int[][] out = new int[users][];
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = r.readLine(); // header
      int n = 1;
      while ((line = r.readLine()) != null) {
        n++;
        int tab = line.indexOf('\t');
        try {
          int u = Integer.parseInt(line.substring(0, tab));
          String rest = line.substring(tab + 1);
          int[] list = rest.isEmpty() ? new int[0] : java.util.Arrays.stream(rest.split(",")).mapToInt(Integer::parseInt).toArray();
          for (int x : list) {
            if (x < 0 || x >= items) {
              throw new NumberFormatException("item " + x + " out of range");
            }
          }
          out[u] = list;
        } catch (RuntimeException ex) {
          throw new BadInputException(file + ":" + n + ": not 'user TAB item,item,...' (" + ex.getMessage() + ")");
        }
      }
    } catch (IOException ex) {
      throw new BadInputException(file + ": cannot read (" + ex.getMessage() + "); export the run again");
    }
    for (int u = 0; u < users; u++) {
      if (out[u] == null) {
        out[u] = new int[0];
      }
    }
    return out;
  }

  /** MMRec's id map (raw TAB internal, with a header), or null when absent. */
  static String[] readIds(Path file, int n) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    String[] ids = new String[n];
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = r.readLine();
      int ln = 1;
      while ((line = r.readLine()) != null) {
        ln++;
        if (line.isEmpty()) {
          continue;
        }
        int tab = line.lastIndexOf('\t');
        int id;
        try {
          id = Integer.parseInt(line.substring(tab + 1).trim());
        } catch (RuntimeException ex) {
          throw new BadInputException(file + ":" + ln + ": expected 'raw TAB id', got '" + line + "'");
        }
        if (id >= 0 && id < n) {
          ids[id] = line.substring(0, tab);
        }
      }
    } catch (IOException ex) {
      throw new BadInputException(file + ": cannot read (" + ex.getMessage() + ")");
    }
    for (int k = 0; k < n; k++) {
      if (ids[k] == null) {
        ids[k] = Integer.toString(k);
      }
    }
    return ids;
  }

  static String[] readTitles(Path file, int n) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    ItemTable t = ItemTable.read(file);
    if (!t.has("title")) {
      return null;
    }
    String[] out = new String[n];
    int col = t.columns().indexOf("itemID");
    for (int r = 0; r < t.size(); r++) {
      int id;
      try {
        id = col < 0 ? r : Integer.parseInt(t.rows()[r][col].strip());
      } catch (NumberFormatException e) {
        throw new BadInputException(file + ": row " + (r + 2) + " has itemID '" + t.rows()[r][col] + "', not an integer");
      }
      if (id >= 0 && id < n) {
        out[id] = t.get(r, "title");
      }
    }
    return out;
  }

  private static ItemEncoder readEncoder(Path dir, Map<?, ?> em, int items, int dim, Path mf) {
    List<ItemEncoder.Modality> mods = new ArrayList<>();
    for (Object o : (List<?>) em.get("modalities")) {
      Map<?, ?> x = (Map<?, ?>) o;
      int fd = intOf(x, "feature_dim", mf);
      int od = intOf(x, "out_dim", mf);
      mods.add(new ItemEncoder.Modality(
          String.valueOf(x.get("name")),
          fd,
          od,
          ((Number) x.get("weight")).doubleValue(),
          table(dir.resolve(String.valueOf(x.get("features"))), items, fd),
          doubles(x.get("mean")),
          doubles(x.get("inv_std")),
          ((Number) x.get("scale")).floatValue(),
          table(dir.resolve(String.valueOf(x.get("w"))), fd, od),
          table(dir.resolve(String.valueOf(x.get("b"))), 1, od),
          Boolean.TRUE.equals(x.get("normalize"))));
    }
    List<float[]> prop = new ArrayList<>();
    for (Object p : (List<?>) em.get("propagated")) {
      prop.add(table(dir.resolve(String.valueOf(p)), items, dim));
    }
    return new ItemEncoder(mods, dim, intOf(em, "n_ui_layers", mf), intOf(em, "knn_k", mf), prop,
        ((Number) em.get("item_pe_scale")).floatValue(), ((Number) em.get("ii_self")).floatValue(), intOf(em, "n_ii_layers", mf), items);
  }

  private static double[] doubles(Object o) {
    if (o == null) {
      return null;
    }
    List<?> l = (List<?>) o;
    double[] d = new double[l.size()];
    for (int k = 0; k < d.length; k++) {
      d[k] = ((Number) l.get(k)).doubleValue();
    }
    return d;
  }

  /** Internal user id of a raw id (or of a decimal internal id when the model has no raw ids), or -1. */
  public Map<String, Integer> userIndex() {
    return index(userIds, numUsers);
  }

  public Map<String, Integer> itemIndex() {
    return index(itemIds, numItems);
  }

  private static Map<String, Integer> index(String[] ids, int n) {
    Map<String, Integer> m = new HashMap<>();
    if (ids != null) {
      for (int k = 0; k < n; k++) {
        m.put(ids[k], k);
      }
    }
    return m;
  }
}
