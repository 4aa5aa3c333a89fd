package org.userec.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.eval.Metrics;
import org.userec.train.EpochRecord;
import org.userec.train.HeapRecorder;
import org.userec.train.Reports;
import org.userec.train.TrainResult;
import org.userec.util.AtomicFiles;

/**
 * The machinery of the papers' tables ({@link Ablation}, {@link Comparison}): a row is one model setting
 * trained over its grid for every seed, the grid point chosen by {@code select_by} per seed, and the test
 * Recall@10/20 and NDCG@10/20 at that point reported as mean ± sample standard deviation over seeds.
 *
 * <p>A seed's runs live in their own folder ({@code <dir>/<row>/seed-<s>/}, an {@link Experiment}); rerunning
 * with the same folder skips finished grid points and resumes interrupted ones.
 */
public final class SeedTable {
  /** The table's metrics, in column order. */
  public static final List<String> METRICS = List.of("recall@10", "recall@20", "ndcg@10", "ndcg@20");

  private static final List<String> HEADERS = List.of("Recall@10", "Recall@20", "NDCG@10", "NDCG@20");

  /**
   * One seed's pick: the chosen grid point, its best epoch, its validation and test metrics there, and what its
   * training cost: the median seconds of a training epoch and the peak heap in MB ({@link HeapRecorder}); NaN
   * where not recorded; and the chosen point's folder (with its {@link PerUserTest} file).
   */
  public record Pick(
      long seed, String setting, int bestEpoch, Metrics valid, Metrics test, double epochSeconds, double peakHeapMb, Path dir) {}

  /** One table row: a label, the grid it searched, how it chose, and one pick per seed. */
  public record Row(String label, List<String> gridKeys, String selectBy, List<Pick> picks) {
    public Row {
      gridKeys = List.copyOf(gridKeys);
      picks = List.copyOf(picks);
      if (picks.isEmpty()) {
        throw new IllegalArgumentException(label + ": a row needs at least one seed");
      }
    }

    /** The test metrics of each seed's pick, in seed order. */
    public List<Metrics> perSeed() {
      List<Metrics> out = new ArrayList<>();
      for (Pick p : picks) {
        out.add(p.test());
      }
      return out;
    }

    /** Mean and standard deviation over seeds of each of {@link #METRICS}. */
    public Map<String, double[]> meanStd() {
      return SeedTable.meanStd(perSeed());
    }

    /** The median over seeds of the picks' median epoch seconds (NaN when none was recorded). */
    public double epochSeconds() {
      double[] v = picks.stream().mapToDouble(Pick::epochSeconds).filter(x -> !Double.isNaN(x)).sorted().toArray();
      return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The largest of the picks' peak heaps in MB (NaN when none was recorded). */
    public double peakHeapMb() {
      return picks.stream().mapToDouble(Pick::peakHeapMb).filter(x -> !Double.isNaN(x)).max().orElse(Double.NaN);
    }

    /** The table cell of metric {@code k}: "mean ± std" over several seeds, the value alone for one seed. */
    public String cell(String k) {
      double[] ms = meanStd().get(k);
      return picks.size() == 1 ? value(ms[0]) : SeedTable.cell(ms);
    }
  }

  private SeedTable() {}

  /**
   * Trains (or resumes) {@code model}'s grid under {@code config} with the seed set to {@code seed}, in {@code
   * dir}, and returns the grid point that {@code select_by} chooses. {@code who} names the row in errors.
   */
  public static Pick runSeed(
      String who, String model, Config config, long seed, Dataset ds, Path dir, Experiment.Listeners listeners) {
    Config seeded = config.with(Map.of("seed", seed), "--seeds");
    Experiment.Outcome o = Experiment.run(model, seeded, ds, dir, listeners);
    Experiment.Point chosen = o.chosen(config.getString("select_by"));
    if (chosen == null) {
      throw new IllegalStateException(who + ", seed " + seed + ": no evaluation ran (epochs < eval_step?)");
    }
    TrainResult r = chosen.result();
    PerUserTest.ensure(model, chosen.config(), ds, chosen.dir());
    return new Pick(
        seed, chosen.label(), r.bestEpoch(), r.bestValid(), r.testAtBest(), medianEpochSeconds(r), HeapRecorder.read(chosen.dir()), chosen.dir());
  }

  /** The median training seconds over a result's epochs (NaN for none). */
  static double medianEpochSeconds(TrainResult r) {
    double[] s = r.history().stream().mapToDouble(EpochRecord::trainSeconds).sorted().toArray();
    return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Mean and sample standard deviation (n − 1; 0 for one seed) of each of {@link #METRICS}. */
  public static Map<String, double[]> meanStd(List<Metrics> perSeed) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (String k : METRICS) {
      double sum = 0;
      for (Metrics m : perSeed) {
        sum += m.get(k);
      }
      double mean = sum / perSeed.size();
      double ss = 0;
      for (Metrics m : perSeed) {
        ss += (m.get(k) - mean) * (m.get(k) - mean);
      }
      double std = perSeed.size() > 1 ? Math.sqrt(ss / (perSeed.size() - 1)) : 0.0;
      out.put(k, new double[] {mean, std});
    }
    return out;
  }

  /**
   * What a table's numbers are over: "mean ± std over seeds [999, 1, 2]", or "seed 999" for one seed (where a
   * standard deviation does not exist).
   */
  public static String over(List<Long> seeds) {
    return seeds.size() == 1 ? "seed " + seeds.get(0) : "mean ± std over seeds " + seeds;
  }

  /** "0.0812 ± 0.0011". */
  public static String cell(double[] meanStd) {
    return value(meanStd[0]) + " ± " + value(meanStd[1]);
  }

  /** A metric as the tables print it: four decimals. */
  private static String value(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /** The column headers of {@link #METRICS}: "Recall@10", ... */
  public static List<String> headers() {
    return HEADERS;
  }

  /**
   * The main table in Markdown: one line per row, mean ± std of each metric (the value alone for one seed); the best mean of each column in
   * bold when there are several rows (every row that ties it at the printed four decimals).
   */
  public static String markdown(String firstColumn, List<Row> rows) {
    return markdown(firstColumn, rows, false);
  }

  /**
   * {@link #markdown(String, List)}, with {@code cost} two more columns: each row's median seconds per training
   * epoch (median over seeds) and peak heap (largest over seeds), "—" where not recorded.
   */
  public static String markdown(String firstColumn, List<Row> rows, boolean cost) {
    StringBuilder sb = new StringBuilder("| ").append(firstColumn);
    for (String h : HEADERS) {
      sb.append(" | ").append(h);
    }
    if (cost) {
      sb.append(" | ").append(String.join(" | ", COST_HEADERS));
    }
    sb.append(" |\n|---").append("|---".repeat(HEADERS.size() + (cost ? 2 : 0))).append("|\n");
    for (Row r : rows) {
      sb.append("| ").append(r.label());
      for (String k : METRICS) {
        String c = r.cell(k);
        sb.append(" | ").append(rows.size() > 1 && isBest(rows, r, k) ? "**" + c + "**" : c);
      }
      if (cost) {
        sb.append(" | ").append(String.join(" | ", costCells(r)));
      }
      sb.append(" |\n");
    }
    return sb.toString();
  }

  /**
   * Whether r's mean is the column's best as printed (four decimals): rows that differ only beyond the printed
   * digits are all bold, so that the table never singles out a winner the reader cannot see.
   */
  private static boolean isBest(List<Row> rows, Row r, String k) {
    double mine = printed(r.meanStd().get(k)[0]);
    for (Row o : rows) {
      if (printed(o.meanStd().get(k)[0]) > mine) {
        return false;
      }
    }
    return true;
  }

  /** The headers of {@link #costCells}. */
  public static final List<String> COST_HEADERS = List.of("s / epoch", "peak heap");

  /** A row's cost as printed: seconds per epoch (three decimals below 1 s, two above) and peak heap, "—" where not recorded. */
  public static List<String> costCells(Row r) {
    double s = r.epochSeconds();
    String sec = Double.isNaN(s) ? "—" : String.format(Locale.ROOT, s < 1 ? "%.3f" : "%.2f", s);
    String heap = Double.isNaN(r.peakHeapMb()) ? "—" : String.format(Locale.ROOT, "%.0f MB", r.peakHeapMb());
    return List.of(sec, heap);
  }

  /** A mean as the tables print it, read back. */
  private static double printed(double mean) {
    return Double.parseDouble(value(mean));
  }

  /** The chosen grid point of every row and seed in Markdown (the test Recall@20 of each pick in brackets). */
  public static String picksMarkdown(String firstColumn, List<Row> rows, List<Long> seeds) {
    StringBuilder sb = new StringBuilder("| ").append(firstColumn).append(" | grid | chosen by");
    for (long s : seeds) {
      sb.append(" | seed ").append(s);
    }
    sb.append(" |\n|---|---|---").append("|---".repeat(seeds.size())).append("|\n");
    for (Row r : rows) {
      sb.append("| ").append(r.label()).append(" | ").append(r.gridKeys().isEmpty() ? "none" : String.join(", ", r.gridKeys()))
          .append(" | ").append(r.selectBy());
      for (Pick p : r.picks()) {
        sb.append(" | ").append(p.setting()).append(String.format(Locale.ROOT, " (epoch %d, test R@20 %.4f)", p.bestEpoch(),
            p.test().get("recall@20")));
      }
      sb.append(" |\n");
    }
    return sb.toString();
  }

  /**
   * Everything a later session needs to rebuild the tables: for every row its grid, {@code select_by}, mean
   * and std of {@link #METRICS}, and per seed the chosen setting, best epoch, and all validation and test
   * metrics there.
   */
  public static String json(String kind, String dataset, List<Long> seeds, List<Row> rows, int rowsPlanned) {
    return json(kind, dataset, seeds, rows, rowsPlanned, "");
  }

  /** {@link #json(String, String, List, List, int)} with more top-level fields ({@code "name": value} lines, comma-separated) at the end. */
  public static String json(String kind, String dataset, List<Long> seeds, List<Row> rows, int rowsPlanned, String moreFields) {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"kind\": ").append(quote(kind)).append(",\n");
    sb.append("  \"dataset\": ").append(quote(dataset)).append(",\n");
    sb.append("  \"seeds\": ").append(seeds).append(",\n");
    sb.append("  \"complete\": ").append(rows.size() == rowsPlanned).append(",\n");
    sb.append("  \"metrics\": [");
    for (int i = 0; i < METRICS.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(quote(METRICS.get(i)));
    }
    sb.append("],\n  \"rows\": [");
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      Map<String, double[]> ms = row.meanStd();
      sb.append(r == 0 ? "\n" : ",\n").append("    {\n");
      sb.append("      \"label\": ").append(quote(row.label())).append(",\n");
      sb.append("      \"grid\": [");
      for (int i = 0; i < row.gridKeys().size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(quote(row.gridKeys().get(i)));
      }
      sb.append("],\n      \"select_by\": ").append(quote(row.selectBy())).append(",\n");
      sb.append("      \"mean\": {").append(column(ms, 0)).append("},\n");
      sb.append("      \"std\": {").append(column(ms, 1)).append("},\n");
      sb.append("      \"median_epoch_seconds\": ").append(number(row.epochSeconds())).append(",\n");
      sb.append("      \"peak_heap_mb\": ").append(number(row.peakHeapMb())).append(",\n");
      sb.append("      \"per_seed\": [");
      for (int i = 0; i < row.picks().size(); i++) {
        Pick p = row.picks().get(i);
        sb.append(i == 0 ? "\n" : ",\n").append("        {\"seed\": ").append(p.seed())
            .append(", \"setting\": ").append(quote(p.setting()))
            .append(", \"best_epoch\": ").append(p.bestEpoch())
            .append(", \"epoch_seconds\": ").append(number(p.epochSeconds()))
            .append(", \"peak_heap_mb\": ").append(number(p.peakHeapMb()))
            .append(", \"valid\": ").append(Reports.json(p.valid()))
            .append(", \"test\": ").append(Reports.json(p.test())).append('}');
      }
      sb.append("\n      ]\n    }");
    }
    sb.append(rows.isEmpty() ? "]" : "\n  ]").append(moreFields.isEmpty() ? "\n" : ",\n" + moreFields + "\n");
    return sb.append("}\n").toString();
  }

  private static String column(Map<String, double[]> ms, int which) {
    StringBuilder sb = new StringBuilder();
    ms.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(quote(k)).append(": ").append(Double.toString(v[which])));
    return sb.toString();
  }

  /** A JSON number, null for NaN. */
  private static String number(double v) {
    return Double.isNaN(v) ? "null" : Double.toString(v);
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Writes {@code <dir>/<name>.md} and {@code <dir>/<name>.json} atomically. */
  public static void write(Path dir, String name, String markdown, String json) {
    try {
      Files.createDirectories(dir);
      AtomicFiles.writeString(dir.resolve(name + ".md"), markdown);
      AtomicFiles.writeString(dir.resolve(name + ".json"), json);
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot write " + name + ".md / " + name + ".json", e);
    }
  }
}
