package org.userec.data.synth;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.data.Interactions;
import org.userec.data.NpyWriter;
import org.userec.util.AtomicFiles;

/**
 * A generated dataset in memory: every (user, item, x_label) row, the latent factors that produced them, and
 * one feature table per modality. Rows are sorted by user, then label (0 train, 1 valid, 2 test), then item,
 * which is also the order {@link #write} uses.
 *
 * @param spec what was generated
 * @param users user id of each row
 * @param items item id of each row
 * @param labels MMRec's x_label of each row: 0 train, 1 validation, 2 test
 * @param userFactors users × latentDim, row-major: the ground-truth user factors
 * @param itemFactors items × latentDim, row-major: the ground-truth item factors
 * @param popularity items: the popularity weight each item was drawn with, (rank + q)^(−exponent)
 * @param features one table per modality of the spec, in its order
 */
public record SyntheticDataset(
    SyntheticSpec spec,
    int[] users,
    int[] items,
    byte[] labels,
    float[] userFactors,
    float[] itemFactors,
    double[] popularity,
    List<FeatureTable> features) {

  public static final byte TRAIN = 0;
  public static final byte VALID = 1;
  public static final byte TEST = 2;

  public SyntheticDataset {
    features = List.copyOf(features);
    if (users.length != items.length || users.length != labels.length) {
      throw new IllegalArgumentException(
          "rows differ in length: users " + users.length + ", items " + items.length + ", labels " + labels.length);
    }
    int d = spec.latentDim();
    if (userFactors.length != (long) spec.users() * d || itemFactors.length != (long) spec.items() * d) {
      throw new IllegalArgumentException("factor arrays do not match " + spec.describe());
    }
    if (popularity.length != spec.items()) {
      throw new IllegalArgumentException("popularity has " + popularity.length + " values for " + spec.items() + " items");
    }
    if (features.size() != spec.modalities().size()) {
      throw new IllegalArgumentException(features.size() + " feature tables for modalities " + spec.modalityNames());
    }
    for (int m = 0; m < features.size(); m++) {
      FeatureTable f = features.get(m);
      SyntheticSpec.Modality want = spec.modalities().get(m);
      if (!f.name().equals(want.name()) || f.rows() != spec.items() || f.cols() != want.dim()) {
        throw new IllegalArgumentException(
            "feature table " + f.name() + " " + f.rows() + "x" + f.cols() + " does not match modality " + want);
      }
    }
  }

  public int numUsers() {
    return spec.users();
  }

  public int numItems() {
    return spec.items();
  }

  /** Number of rows over all splits. */
  public int size() {
    return users.length;
  }

  /** The rows with the given x_label (0 train, 1 valid, 2 test), in file order. */
  public Interactions split(int label) {
    if (label < TRAIN || label > TEST) {
      throw new IllegalArgumentException("x_label must be 0, 1 or 2, got " + label);
    }
    int n = 0;
    for (byte l : labels) {
      if (l == label) {
        n++;
      }
    }
    int[] u = new int[n];
    int[] i = new int[n];
    int w = 0;
    for (int k = 0; k < labels.length; k++) {
      if (labels[k] == label) {
        u[w] = users[k];
        i[w++] = items[k];
      }
    }
    return new Interactions(u, i);
  }

  /**
   * The dataset as the rest of userec sees it. Every user has training rows, so the cold-start filter
   * drops nothing.
   */
  public Dataset toDataset() {
    return new Dataset(spec.name(), numUsers(), numItems(), split(TRAIN), split(VALID), split(TEST), features);
  }

  /** Interactions per item over all splits. */
  public int[] itemCounts() {
    int[] c = new int[numItems()];
    for (int i : items) {
      c[i]++;
    }
    return c;
  }

  /** The ground-truth affinity p_u·z_i / √latentDim that drove the sampling. */
  public double affinity(int user, int item) {
    int d = spec.latentDim();
    double s = 0;
    for (int k = 0; k < d; k++) {
      s += (double) userFactors[user * d + k] * itemFactors[item * d + k];
    }
    return s / Math.sqrt(d);
  }

  /**
   * Writes the MMRec dataset folder: {@code <modality>_feat.npy} per modality, {@code <name>.inter} and
   * {@code <name>.yaml} (last, so a folder with the yaml is complete). Every file is written atomically.
   * Returns the yaml's path.
   */
  public Path write(Path folder) {
    try {
      for (FeatureTable f : features) {
        NpyWriter.writeFloat32(folder.resolve(f.name() + "_feat.npy"), f.rows(), f.cols(), f.data());
      }
      AtomicFiles.write(folder.resolve(interFileName()), this::writeInter);
      Path yaml = folder.resolve(spec.name() + ".yaml");
      AtomicFiles.writeString(yaml, yaml());
      return yaml;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write synthetic dataset " + spec.name() + " to " + folder + ": " + e.getMessage(), e);
    }
  }

  public String interFileName() {
    return spec.name() + ".inter";
  }

  /** The dataset's yaml, in MMRec's keys (plus {@code feature_files}, every modality by name). */
  public String yaml() {
    int[] perLabel = new int[3];
    for (byte l : labels) {
      perLabel[l]++;
    }
    StringBuilder y = new StringBuilder();
    y.append("# Synthetic dataset written by userec's SyntheticGenerator (org.userec.data.synth).\n");
    y.append("# spec: ").append(spec.describe()).append('\n');
    y.append("# rows: ").append(size()).append(" (train ").append(perLabel[TRAIN]).append(" / valid ")
        .append(perLabel[VALID]).append(" / test ").append(perLabel[TEST]).append(")\n");
    y.append("inter_file_name: ").append(interFileName()).append('\n');
    y.append("USER_ID_FIELD: userID\n");
    y.append("ITEM_ID_FIELD: itemID\n");
    y.append("inter_splitting_label: x_label\n");
    y.append("filter_out_cod_start_users: True\n");
    if (spec.modalities().isEmpty()) {
      y.append("feature_files: {}\n");
    } else {
      y.append("feature_files:\n");
      for (SyntheticSpec.Modality m : spec.modalities()) {
        y.append("  ").append(m.name()).append(": ").append(m.fileName()).append('\n');
      }
    }
    for (SyntheticSpec.Modality m : spec.modalities()) {
      if (m.name().equals("image")) {
        y.append("vision_feature_file: ").append(m.fileName()).append('\n');
      }
    }
    for (SyntheticSpec.Modality m : spec.modalities()) {
      if (m.name().equals("text")) {
        y.append("text_feature_file: ").append(m.fileName()).append('\n');
      }
    }
    return y.toString();
  }

  /** The .inter bytes: header {@code userID\titemID\tx_label}, LF line ends, rows in stored order. */
  private void writeInter(OutputStream out) throws IOException {
    byte[] buf = new byte[1 << 16];
    byte[] header = "userID\titemID\tx_label\n".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(header, 0, buf, 0, header.length);
    int p = header.length;
    for (int k = 0; k < users.length; k++) {
      if (p > buf.length - 32) {
        out.write(buf, 0, p);
        p = 0;
      }
      p = putInt(buf, p, users[k]);
      buf[p++] = '\t';
      p = putInt(buf, p, items[k]);
      buf[p++] = '\t';
      buf[p++] = (byte) ('0' + labels[k]);
      buf[p++] = '\n';
    }
    out.write(buf, 0, p);
  }

  private static int putInt(byte[] buf, int p, int v) {
    if (v == 0) {
      buf[p] = '0';
      return p + 1;
    }
    int digits = 0;
    for (int x = v; x > 0; x /= 10) {
      digits++;
    }
    for (int k = p + digits - 1; k >= p; k--) {
      buf[k] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return p + digits;
  }
}
