package org.userec.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.userec.BadInputException;

/**
 * The files a dataset is read from (the {@code .inter} file and each modality's {@code .npy}), each with its
 * size and SHA-256. A run folder keeps the fingerprint of the data it trained on, so that {@code --resume}
 * and {@code eval} refuse data that changed since, naming the file, instead of mixing two datasets in one
 * result.
 *
 * @param files file name (relative to the dataset folder) to "SIZE sha256:HEX"
 */
public record DataFingerprint(Map<String, String> files) {
  public DataFingerprint {
    files = Map.copyOf(new LinkedHashMap<>(files));
  }

  /** Fingerprints the files {@code spec} reads. */
  public static DataFingerprint of(DatasetSpec spec) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(spec.interFileName(), describe(spec.interFile()));
    for (DatasetSpec.Modality m : spec.modalities()) {
      out.put(m.fileName(), describe(spec.folder().resolve(m.fileName())));
    }
    return new DataFingerprint(out);
  }

  /** "SIZE sha256:HEX" of one file. */
  static String describe(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      long size = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
        size += n;
      }
      return size + " sha256:" + HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + "); check that the dataset file exists and is readable");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /**
   * Fails when the data now differ from the data {@code this} fingerprinted: names the first changed, missing
   * or new file and what changed. {@code folder} is the dataset folder, {@code run} the run folder (for the
   * message).
   */
  public void requireSame(DataFingerprint now, Path folder, Path run, String command) {
    for (Map.Entry<String, String> e : files.entrySet()) {
      String then = e.getValue();
      String current = now.files.get(e.getKey());
      if (current == null) {
        throw new BadInputException(run + ": was trained on " + folder.resolve(e.getKey()) + ", which " + command
            + " no longer reads (the config's feature files changed); use the settings the run was started with");
      }
      if (!current.equals(then)) {
        long sizeThen = Long.parseLong(then.substring(0, then.indexOf(' ')));
        long sizeNow = Long.parseLong(current.substring(0, current.indexOf(' ')));
        String what = sizeThen == sizeNow ? "same size, different content" : sizeThen + " bytes then, " + sizeNow + " now";
        throw new BadInputException(folder.resolve(e.getKey()) + ": changed since the run in " + run + " started (" + what
            + "); restore the file the run was trained on, or train a new run on the edited data");
      }
    }
    for (String f : now.files.keySet()) {
      if (!files.containsKey(f)) {
        throw new BadInputException(run + ": " + command + " would read " + folder.resolve(f)
            + ", which the run did not train on; use the settings the run was started with");
      }
    }
  }

  /** As properties: data.FILE=SIZE sha256:HEX. */
  public Map<String, String> toProperties() {
    Map<String, String> out = new LinkedHashMap<>();
    new java.util.TreeMap<>(files).forEach((k, v) -> out.put("data." + k, v));
    return out;
  }

  /** From properties written by {@link #toProperties}; null when there are none (a run from an older version). */
  public static DataFingerprint fromProperties(java.util.Properties p) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith("data.")) {
        out.put(k.substring(5), p.getProperty(k));
      }
    }
    return out.isEmpty() ? null : new DataFingerprint(out);
  }
}
