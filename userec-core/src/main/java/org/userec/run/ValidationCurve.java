package org.userec.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.userec.BadInputException;
import org.userec.train.RunFolder;

/** A run's validation metric per evaluated epoch, read from its {@code log.tsv} (what {@link RunFolder} writes). */
public record ValidationCurve(String metric, int[] epochs, double[] values) {
  public ValidationCurve {
    if (epochs.length != values.length) {
      throw new IllegalArgumentException(epochs.length + " epochs, " + values.length + " values");
    }
  }

  /** The curve of {@code metric} (e.g. "recall@20") in {@code <dir>/log.tsv}; epochs without evaluation are skipped. */
  public static ValidationCurve read(Path dir, String metric) {
    Path log = dir.resolve(RunFolder.LOG);
    String column = "valid_" + metric.toLowerCase(Locale.ROOT);
    List<String> lines;
    try {
      lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(log + ": cannot read the run log", e);
    }
    if (lines.isEmpty()) {
      throw new BadInputException(log + ": empty; rerun the same command to retrain the point");
    }
    String[] header = lines.get(0).split("\t", -1);
    int at = -1;
    for (int c = 0; c < header.length; c++) {
      if (header[c].equals(column)) {
        at = c;
      }
    }
    List<int[]> epochs = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (int l = 1; l < lines.size() && at >= 0; l++) {
      String[] c = lines.get(l).split("\t", -1);
      if (c.length <= at || c[at].isEmpty()) {
        continue;
      }
      try {
        epochs.add(new int[] {Integer.parseInt(c[0])});
        values.add(Double.parseDouble(c[at]));
      } catch (NumberFormatException e) {
        throw new BadInputException(String.format(Locale.ROOT, "%s:%d: %s; delete the run folder to retrain it", log, l + 1, e.getMessage()));
      }
    }
    return new ValidationCurve(metric, epochs.stream().mapToInt(e -> e[0]).toArray(), values.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
