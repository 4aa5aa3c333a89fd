package org.userec.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a loaded dataset holds: counts, rows per split before and after the cold-start filter, density,
 * training degrees of users and items, and the feature shapes. {@link #toText()} prints it as a compact
 * aligned table (the {@code userec stats} command).
 */
public record DatasetStats(
    String name,
    int numUsers,
    int numItems,
    SplitSizes rowsInFile,
    SplitSizes rowsUsed,
    Degree userTrainDegree,
    Degree itemTrainDegree,
    int usersWithoutTrain,
    int itemsWithoutTrain,
    List<ModalityShape> modalities) {

  /** Rows per split. */
  public record SplitSizes(int train, int valid, int test) {
    public int total() {
      return train + valid + test;
    }

    public SplitSizes minus(SplitSizes o) {
      return new SplitSizes(train - o.train, valid - o.valid, test - o.test);
    }
  }

  /** A degree distribution: min, median (mean of the middle two for an even count), max and mean. */
  public record Degree(int min, double median, int max, double mean) {
    static Degree of(int[] degree) {
      if (degree.length == 0) {
        return new Degree(0, 0, 0, 0);
      }
      int[] d = degree.clone();
      Arrays.sort(d);
      int n = d.length;
      double median = n % 2 == 1 ? d[n / 2] : (d[n / 2 - 1] + (double) d[n / 2]) / 2;
      long sum = 0;
      for (int v : d) {
        sum += v;
      }
      return new Degree(d[0], median, d[n - 1], (double) sum / n);
    }
  }

  public record ModalityShape(String name, int rows, int cols) {}

  public DatasetStats {
    modalities = List.copyOf(modalities);
  }

  /** Statistics of a dataset whose split sizes before any filtering are unknown (taken as the sizes now). */
  public static DatasetStats of(Dataset d) {
    return of(d, new SplitSizes(d.train().size(), d.valid().size(), d.test().size()));
  }

  /** Statistics of a dataset; {@code rowsInFile} are the split sizes before the cold-start filter. */
  public static DatasetStats of(Dataset d, SplitSizes rowsInFile) {
    int[] userDeg = new int[d.numUsers()];
    int[] itemDeg = new int[d.numItems()];
    Interactions t = d.train();
    for (int k = 0; k < t.size(); k++) {
      userDeg[t.users()[k]]++;
      itemDeg[t.items()[k]]++;
    }
    List<ModalityShape> shapes = new ArrayList<>();
    for (FeatureTable f : d.features()) {
      shapes.add(new ModalityShape(f.name(), f.rows(), f.cols()));
    }
    return new DatasetStats(
        d.name(),
        d.numUsers(),
        d.numItems(),
        rowsInFile,
        new SplitSizes(d.train().size(), d.valid().size(), d.test().size()),
        Degree.of(userDeg),
        Degree.of(itemDeg),
        zeros(userDeg),
        zeros(itemDeg),
        shapes);
  }

  /** Rows the cold-start filter removed, per split. */
  public SplitSizes dropped() {
    return rowsInFile.minus(rowsUsed);
  }

  /** Used rows (all splits) / (users x items). */
  public double density() {
    return numUsers == 0 || numItems == 0 ? 0 : rowsUsed.total() / ((double) numUsers * numItems);
  }

  /** A compact aligned table, one fact per line. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    line(sb, "dataset", name);
    line(sb, "users", String.format(Locale.ROOT, "%,d  (%,d without training rows)", numUsers, usersWithoutTrain));
    line(sb, "items", String.format(Locale.ROOT, "%,d  (%,d without training rows)", numItems, itemsWithoutTrain));
    String row = "%-14s%10s %10s %10s %10s\n";
    sb.append(String.format(Locale.ROOT, row, "rows", "train", "valid", "test", "total"));
    splitLine(sb, row, "  in file", rowsInFile);
    splitLine(sb, row, "  dropped", dropped());
    splitLine(sb, row, "  used", rowsUsed);
    line(sb, "density", String.format(Locale.ROOT, "%.6f  (used rows / (users x items))", density()));
    String deg = "%-14s%10s %10s %10s %10s\n";
    sb.append(String.format(Locale.ROOT, deg, "train degree", "min", "median", "max", "mean"));
    degreeLine(sb, deg, "  users", userTrainDegree);
    degreeLine(sb, deg, "  items", itemTrainDegree);
    if (modalities.isEmpty()) {
      line(sb, "modalities", "none");
    } else {
      for (int k = 0; k < modalities.size(); k++) {
        ModalityShape m = modalities.get(k);
        line(sb, k == 0 ? "modalities" : "", String.format(Locale.ROOT, "%-10s %,d x %,d", m.name(), m.rows(), m.cols()));
      }
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String key, String value) {
    sb.append(String.format(Locale.ROOT, "%-14s%s\n", key, value));
  }

  private static void splitLine(StringBuilder sb, String fmt, String label, SplitSizes s) {
    sb.append(String.format(Locale.ROOT, fmt, label, n(s.train()), n(s.valid()), n(s.test()), n(s.total())));
  }

  private static void degreeLine(StringBuilder sb, String fmt, String label, Degree d) {
    sb.append(String.format(Locale.ROOT, fmt, label, n(d.min()), String.format(Locale.ROOT, "%.1f", d.median()), n(d.max()),
        String.format(Locale.ROOT, "%.2f", d.mean())));
  }

  private static String n(int v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  private static int zeros(int[] a) {
    int z = 0;
    for (int v : a) {
      if (v == 0) {
        z++;
      }
    }
    return z;
  }
}
