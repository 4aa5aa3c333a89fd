package org.userec.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.userec.eval.Metrics;
import org.userec.run.SeedTable;

/** Plain aligned tables for the terminal. */
final class Tables {
  static final List<String> HEADLINE = List.of("recall@10", "recall@20", "ndcg@10", "ndcg@20", "precision@20", "map@20");

  private Tables() {}

  /** Rows of label + the headline metrics (those present). */
  static String metricsTable(List<String> labels, List<Metrics> rows, List<String> extraHeader, List<List<String>> extra) {
    List<String> keys = new ArrayList<>();
    for (String k : HEADLINE) {
      if (!rows.isEmpty() && rows.get(0) != null && rows.get(0).values().containsKey(k)) {
        keys.add(k);
      }
    }
    List<String> header = new ArrayList<>();
    header.add("");
    header.addAll(keys);
    header.addAll(extraHeader);
    List<List<String>> cells = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      List<String> line = new ArrayList<>();
      line.add(labels.get(r));
      for (String k : keys) {
        line.add(rows.get(r) == null ? "-" : String.format(Locale.ROOT, "%.4f", rows.get(r).get(k)));
      }
      if (extra != null) {
        line.addAll(extra.get(r));
      }
      cells.add(line);
    }
    return render(header, cells);
  }

  /** A seed table (ablate, compare): one line per row, mean ± std over seeds of each metric (the value for one seed). */
  static String seedTable(List<SeedTable.Row> rows) {
    return seedTable(rows, false);
  }

  /** {@link #seedTable(List)}, with {@code cost} each row's seconds per epoch and peak heap beside its metrics. */
  static String seedTable(List<SeedTable.Row> rows, boolean cost) {
    List<String> header = new ArrayList<>();
    header.add("");
    header.addAll(SeedTable.headers());
    if (cost) {
      header.addAll(SeedTable.COST_HEADERS);
    }
    List<List<String>> cells = new ArrayList<>();
    for (SeedTable.Row row : rows) {
      List<String> line = new ArrayList<>();
      line.add(row.label());
      for (String k : SeedTable.METRICS) {
        line.add(row.cell(k));
      }
      if (cost) {
        line.addAll(SeedTable.costCells(row));
      }
      cells.add(line);
    }
    return render(header, cells);
  }

  /** The grid point each row chose for each seed. */
  static String seedPicks(List<SeedTable.Row> rows, List<Long> seeds) {
    List<String> header = new ArrayList<>();
    header.add("");
    for (long s : seeds) {
      header.add("seed " + s);
    }
    List<List<String>> cells = new ArrayList<>();
    for (SeedTable.Row row : rows) {
      List<String> line = new ArrayList<>();
      line.add(row.label());
      for (SeedTable.Pick p : row.picks()) {
        line.add(p.setting());
      }
      cells.add(line);
    }
    return render(header, cells);
  }

  static String render(List<String> header, List<List<String>> rows) {
    int[] w = new int[header.size()];
    for (int c = 0; c < w.length; c++) {
      w[c] = header.get(c).length();
      for (List<String> r : rows) {
        w[c] = Math.max(w[c], r.get(c).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, header, w);
    int total = 0;
    for (int x : w) {
      total += x + 2;
    }
    sb.append("-".repeat(Math.max(0, total - 2))).append('\n');
    for (List<String> r : rows) {
      line(sb, r, w);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] w) {
    for (int c = 0; c < cells.size(); c++) {
      String s = cells.get(c);
      if (c == 0) {
        sb.append(s).append(" ".repeat(w[c] - s.length()));
      } else {
        sb.append("  ").append(" ".repeat(w[c] - s.length())).append(s);
      }
    }
    sb.append('\n');
  }
}
