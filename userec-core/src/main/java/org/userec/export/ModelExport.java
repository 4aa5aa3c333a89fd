package org.userec.export;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.Yaml;
import org.userec.data.Dataset;
import org.userec.data.NpyWriter;
import org.userec.eval.DotScorer;
import org.userec.model.ItemEncoders;
import org.userec.model.Recommender;
import org.userec.model.Scorer;
import org.userec.util.AtomicFiles;

/**
 * Writes a trained model as a self-contained folder ({@link ModelFolder}, docs/model-format.md). The folder is
 * built under a temporary sibling name and renamed into place in one step, so a reader sees either no folder,
 * the old one or the complete new one.
 */
public final class ModelExport {
  private ModelExport() {}

  /**
   * What an export reads.
   *
   * @param trained the model with its best parameters loaded
   * @param results the run's results.json (metrics at the best epoch), or null when there is none
   */
  public record Source(
      String model, Config config, Dataset dataset, Path datasetFolder, Recommender trained, Path results, String userecVersion) {}

  /** Writes the folder; an existing {@code out} is replaced only with {@code force}. Returns the manifest. */
  public static Map<String, Object> write(Source s, Path out, boolean force) {
    if (Files.exists(out) && !force) {
      throw new BadInputException(out + ": already exists; choose another --out or pass --force to replace it");
    }
    Scorer scorer = s.trained().scorer();
    if (!(scorer instanceof DotScorer dot)) {
      throw new BadInputException(s.model() + ": its scorer is not a user·item dot product, which the model format stores; it cannot be exported");
    }
    Path abs = out.toAbsolutePath().normalize();
    Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      Files.createDirectories(tmp);
      Map<String, Object> manifest = writeContents(s, dot, tmp);
      swapIn(tmp, abs, force);
      return manifest;
    } catch (IOException e) {
      throw new UncheckedIOException(out + ": cannot write the model folder (" + e.getMessage() + ")", e);
    } finally {
      deleteTree(tmp);
    }
  }

  private static Map<String, Object> writeContents(Source s, DotScorer dot, Path dir) throws IOException {
    Dataset ds = s.dataset();
    int d = dot.dim();
    NpyWriter.writeFloat32(dir.resolve(ModelFolder.USERS), dot.numUsers(), d, dot.userEmbeddings());
    NpyWriter.writeFloat32(dir.resolve(ModelFolder.ITEMS), dot.numItems(), d, dot.itemEmbeddings());
    int[][] train = ds.train().itemsByUser(ds.numUsers());
    AtomicFiles.write(dir.resolve(ModelFolder.TRAIN_ITEMS), o -> {
      BufferedWriter w = new BufferedWriter(new OutputStreamWriter(o, StandardCharsets.UTF_8));
      w.write("userID\titemIDs\n");
      for (int u = 0; u < train.length; u++) {
        w.write(Integer.toString(u));
        w.write('\t');
        for (int q = 0; q < train[u].length; q++) {
          if (q > 0) {
            w.write(',');
          }
          w.write(Integer.toString(train[u][q]));
        }
        w.write('\n');
      }
      w.flush();
    });
    AtomicFiles.writeString(dir.resolve(ModelFolder.CONFIG), s.config().toYaml());
    List<String> copied = new ArrayList<>();
    for (String name : List.of(ModelFolder.USER_IDS, ModelFolder.ITEM_IDS, ModelFolder.ITEM_TABLE)) {
      Path src = s.datasetFolder().resolve(name);
      if (Files.isRegularFile(src)) {
        Files.copy(src, dir.resolve(name));
        copied.add(name);
      }
    }

    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", ModelFolder.FORMAT);
    m.put("format_version", ModelFolder.FORMAT_VERSION);
    m.put("model", s.model());
    m.put("dataset", ds.name());
    m.put("userec_version", s.userecVersion());
    m.put("created", Instant.now().toString());
    m.put("users", ds.numUsers());
    m.put("items", ds.numItems());
    m.put("dim", d);
    m.put("score", "dot");
    m.put("files", fileList(copied));
    m.put("config", configValues(s.config()));
    m.put("results", s.results() != null && Files.isRegularFile(s.results()) ? Yaml.parseFile(s.results()) : null);
    m.put("dataset_fingerprint", fingerprint(s.datasetFolder()));
    String reason = ItemEncoders.unsupportedReason(s.model(), s.config());
    if (reason == null) {
      m.put("item_encoder", writeEncoder(ItemEncoders.of(s.model(), s.trained(), s.config(), ds), dir.resolve(ModelFolder.ENCODER)));
    } else {
      m.put("item_encoder", null);
      m.put("item_encoder_unsupported", reason);
    }
    AtomicFiles.writeString(dir.resolve(ModelFolder.MANIFEST), Json.write(m));
    return m;
  }

  private static Map<String, Object> fileList(List<String> copied) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("user_embeddings", ModelFolder.USERS);
    f.put("item_embeddings", ModelFolder.ITEMS);
    f.put("train_items", ModelFolder.TRAIN_ITEMS);
    f.put("config", ModelFolder.CONFIG);
    f.put("user_ids", copied.contains(ModelFolder.USER_IDS) ? ModelFolder.USER_IDS : null);
    f.put("item_ids", copied.contains(ModelFolder.ITEM_IDS) ? ModelFolder.ITEM_IDS : null);
    f.put("item_table", copied.contains(ModelFolder.ITEM_TABLE) ? ModelFolder.ITEM_TABLE : null);
    return f;
  }

  private static Map<String, Object> configValues(Config c) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : c.keys()) {
      Object v = c.raw(k);
      out.put(k, v instanceof Map || v instanceof List || v instanceof Number || v instanceof Boolean || v == null ? v : v.toString());
    }
    return out;
  }

  private static Map<String, Object> writeEncoder(ItemEncoder e, Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> mods = new ArrayList<>();
    for (ItemEncoder.Modality mod : e.modalities()) {
      String base = ModelFolder.ENCODER + "/" + mod.name();
      NpyWriter.writeFloat32(dir.resolve(mod.name() + ".features.npy"), e.items(), mod.featureDim(), mod.knnFeatures());
      NpyWriter.writeFloat32(dir.resolve(mod.name() + ".w.npy"), mod.featureDim(), mod.outDim(), mod.w());
      NpyWriter.writeFloat32(dir.resolve(mod.name() + ".b.npy"), 1, mod.outDim(), mod.b());
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("name", mod.name());
      x.put("feature_dim", mod.featureDim());
      x.put("out_dim", mod.outDim());
      x.put("weight", mod.weight());
      x.put("scale", (double) mod.scale());
      x.put("normalize", mod.normalize());
      x.put("features", base + ".features.npy");
      x.put("w", base + ".w.npy");
      x.put("b", base + ".b.npy");
      x.put("mean", mod.mean());
      x.put("inv_std", mod.invStd());
      mods.add(x);
    }
    List<Object> prop = new ArrayList<>();
    for (int l = 0; l < e.propagated().size(); l++) {
      String name = "propagated-" + l + ".npy";
      NpyWriter.writeFloat32(dir.resolve(name), e.items(), e.dim(), e.propagated().get(l));
      prop.add(ModelFolder.ENCODER + "/" + name);
    }
    m.put("modalities", mods);
    m.put("n_ui_layers", e.uiLayers());
    m.put("knn_k", e.knnK());
    m.put("propagated", prop);
    m.put("item_pe_scale", (double) e.itemPeScale());
    m.put("ii_self", (double) e.iiSelf());
    m.put("n_ii_layers", e.iiLayers());
    return m;
  }

  /** Name, size and SHA-256 of each regular file in the dataset folder (not recursive, hidden files skipped). */
  static Map<String, Object> fingerprint(Path folder) throws IOException {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("folder", folder.toAbsolutePath().normalize().toString());
    List<Object> files = new ArrayList<>();
    List<Path> paths;
    try (Stream<Path> s = Files.list(folder)) {
      paths = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted(Comparator.comparing(Path::toString)).toList();
    }
    for (Path p : paths) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("name", p.getFileName().toString());
      x.put("bytes", Files.size(p));
      x.put("sha256", sha256(p));
      files.add(x);
    }
    f.put("files", files);
    return f;
  }

  static String sha256(Path p) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(p)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Renames tmp to target; an existing target (force) is moved aside first and deleted after. */
  private static void swapIn(Path tmp, Path target, boolean force) throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      if (!force) {
        throw new BadInputException(target + ": already exists; choose another --out or pass --force to replace it");
      }
      old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
      move(target, old);
    }
    try {
      move(tmp, target);
    } catch (FileAlreadyExistsException e) {
      throw new BadInputException(target + ": was created by someone else during the export; export again");
    }
    if (old != null) {
      deleteTree(old);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(p + ": cannot delete", e);
    }
  }
}
