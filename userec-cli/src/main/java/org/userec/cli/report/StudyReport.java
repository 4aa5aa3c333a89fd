package org.userec.cli.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.userec.BadInputException;
import org.userec.run.PopularHitRate;
import org.userec.run.Reproduction;
import org.userec.run.SeedTable;
import org.userec.run.Significance;
import org.userec.run.ValidationCurve;

/** The report of a {@link Reproduction.Study}: the paper's tables and figures, in the paper's order. */
public final class StudyReport {
  /**
   * Where Figure 5 (t-SNE of users' final embeddings, with and without the positional encoding) reads its
   * points: {@code <run dir>/tsne/<panel>.tsv}, a header line and then one "x<TAB>y" line per user; one panel per
   * file, in name order. Whatever computes the t-SNE writes these files; the section is in the report only when
   * they exist.
   */
  public static final String TSNE_FOLDER = "tsne";

  private StudyReport() {}

  /** Builds and writes the report into {@code dir}; returns the files written. */
  public static List<Path> write(Reproduction.Study s, Path dir, String command) {
    Reproduction.Plan plan = s.plan();
    Report r = new Report("USERec study on " + s.dataset());
    r.paragraph("Command: `" + command + "`. Budget: " + plan.budget().name().toLowerCase(Locale.ROOT)
        + (plan.budget() == Reproduction.Budget.QUICK ? " (at most " + Reproduction.Budget.QUICK_EPOCHS
            + " epochs, each grid key at its first value, two values per sweep: a smoke run, not a result)" : "")
        + ". Table 2 and Figure 2: " + SeedTable.over(plan.seeds()) + "; Figures 3–4 and the hit rate: "
        + (plan.sweepSeeds().size() == 1 ? "seed " + plan.sweepSeeds().get(0) : "mean over seeds " + plan.sweepSeeds())
        + ". Every number is a test metric at the best-validation epoch of the grid point chosen by validation.");
    for (String n : s.notes()) {
      r.paragraph(n);
    }

    List<SeedTable.Row> rows = s.table().rows();
    r.heading("Table 2: models compared");
    r.table(seedTable("table2", "model", rows));
    if (!s.significance().isEmpty()) {
      r.paragraph("Per-user significance: two-sided Wilcoxon signed-rank tests of the row with the best mean against each other row, on every "
          + "test user's Recall@20 and NDCG@20 averaged over seeds (users whose two values are equal are dropped).");
      List<List<String>> sig = new ArrayList<>();
      for (Significance.Comparison c : s.significance()) {
        sig.add(List.of(c.metric(), c.best(), c.other(), Integer.toString(c.users()), Integer.toString(c.differing()),
            String.format(Locale.ROOT, "%+.4f", c.meanDifference()), pValue(c.pValue())));
      }
      r.table(new Report.Table("significance", List.of("metric", "best", "against", "users", "differing", "mean difference", "p"), sig));
    }
    r.paragraph("Chosen grid point per seed: " + picks(rows) + ".");

    r.heading("Table 4: training cost");
    r.paragraph("s / epoch: the median seconds of a training epoch of the chosen grid point (median over seeds); peak heap: the largest sum "
        + "of the JVM's heap pools' peaks while it trained (an upper bound of its live data; the paper reports GPU memory).");
    List<List<String>> cost = new ArrayList<>();
    for (SeedTable.Row row : rows) {
      List<String> line = new ArrayList<>(List.of(row.label()));
      line.addAll(SeedTable.costCells(row));
      cost.add(line);
    }
    r.table(new Report.Table("table4-cost", List.of("model", "s / epoch", "peak heap"), cost));

    List<SeedTable.Row> ab = s.ablation().rows();
    r.heading("Figure 2: ablation");
    r.table(seedTable("fig2-ablation", "variant", ab));
    List<String> cats = ab.stream().map(SeedTable.Row::label).toList();
    r.figure("fig2-ablation", new Chart.Bars("Figure 2: ablation of USERec on " + s.dataset(), "test metric", cats, List.of("Recall@20", "NDCG@20"),
        List.of(means(ab, "recall@20"), means(ab, "ndcg@20"))));

    r.heading("Figure 3: sensitivity");
    r.paragraph("USERec at its chosen setting with one key changed; test Recall@20 and NDCG@20.");
    for (Reproduction.Sweep sw : s.sweeps()) {
      r.subheading(sw.title() + ": " + sw.key());
      List<List<String>> t = new ArrayList<>();
      double[] x = new double[sw.points().size()];
      double[] rec = new double[x.length];
      double[] nd = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        Reproduction.SweepPoint p = sw.points().get(i);
        x[i] = ((Number) p.value()).doubleValue();
        rec[i] = p.mean("recall@20");
        nd[i] = p.mean("ndcg@20");
        t.add(List.of(String.valueOf(p.value()), value(rec[i]), value(nd[i])));
      }
      r.table(new Report.Table("fig3-" + sw.key(), List.of(sw.key(), "Recall@20", "NDCG@20"), t));
      r.figure("fig3-" + sw.key(), new Chart.Lines("Figure 3 " + sw.title(), sw.key(), "test metric",
          List.of(new Chart.Series("Recall@20", x, rec), new Chart.Series("NDCG@20", x, nd)), true));
    }

    Reproduction.ClGrid g = s.clGrid();
    r.heading("Figure 4: contrastive dropout ρd × weight λcl");
    List<List<String>> grid = new ArrayList<>();
    for (int a = 0; a < g.dropouts().size(); a++) {
      for (int b = 0; b < g.weights().size(); b++) {
        grid.add(List.of(String.valueOf(g.dropouts().get(a)), String.valueOf(g.weights().get(b)), value(g.recall()[a][b]), value(g.ndcg()[a][b])));
      }
    }
    r.table(new Report.Table("fig4-cl-grid", List.of("cl_dropout", "cl_weight", "Recall@20", "NDCG@20"), grid));
    r.figure("fig4-cl-grid", new Chart.Heatmap("Figure 4: test Recall@20 over ρd × λcl", "cl_weight (λcl)", "cl_dropout (ρd)",
        g.weights().stream().map(String::valueOf).toList(), g.dropouts().stream().map(String::valueOf).toList(), g.recall()));

    Reproduction.HitRates h = s.hitRates();
    r.heading("Hit rate of the " + PopularHitRate.ITEMS + " most popular items");
    r.paragraph("The paper (§4.4, Baby): 38.35% without degree-sensitive pruning, 51.09% with it. Its measure, made precise: P = the "
        + PopularHitRate.ITEMS + " items with the most training interactions (ties by lower id); over the test pairs (u, i) with i in P, the "
        + "fraction whose item is in u's top-" + PopularHitRate.K + " list (training items masked, ties by lower id, as in evaluation), "
        + "from each run's best-validation parameters; pooled over the sweep seeds. With pruning: prune_keep as chosen "
        + h.chosenKeep() + "; without: prune_keep = 1.0.");
    r.table(new Report.Table("hit-rate", List.of("setting", "prune_keep", "test pairs with a popular item", "hits", "hit rate"), List.of(
        List.of("with pruning", String.valueOf(h.chosenKeep().size() == 1 ? h.chosenKeep().get(0) : h.chosenKeep()), Integer.toString(h.pruned().pairs()),
            Integer.toString(h.pruned().hits()), percent(h.pruned().rate())),
        List.of("without pruning", "1.0", Integer.toString(h.unpruned().pairs()), Integer.toString(h.unpruned().hits()), percent(h.unpruned().rate())))));

    r.heading("Validation curves");
    r.paragraph("Validation Recall@20 per epoch of each model's chosen grid point, first seed (from its log.tsv).");
    List<Chart.Series> curves = new ArrayList<>();
    List<List<String>> curveRows = new ArrayList<>();
    for (Map.Entry<String, ValidationCurve> e : s.curves().entrySet()) {
      ValidationCurve c = e.getValue();
      double[] x = new double[c.epochs().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = c.epochs()[i];
        curveRows.add(List.of(e.getKey(), Integer.toString(c.epochs()[i]), String.format(Locale.ROOT, "%.6f", c.values()[i])));
      }
      curves.add(new Chart.Series(e.getKey(), x, c.values()));
    }
    r.figure("validation-curves", new Chart.Lines("Validation Recall@20 per epoch", "epoch", "valid Recall@20", curves, true));
    r.paragraph("The points are in tables/validation-curves.csv.");
    r.csvOnly(new Report.Table("validation-curves", List.of("model", "epoch", "valid recall@20"), curveRows));

    List<Path> tsne = tsneFiles(dir);
    if (!tsne.isEmpty()) {
      r.heading("Figure 5: t-SNE of users' final embeddings");
      r.paragraph("Points from " + TSNE_FOLDER + "/ (one panel per file).");
      for (Path f : tsne) {
        String panel = f.getFileName().toString().replaceFirst("\\.tsv$", "");
        double[][] xy = readPoints(f);
        r.figure("fig5-tsne-" + panel, new Chart.Lines("Figure 5: t-SNE, " + panel, "", "", List.of(new Chart.Series(panel, xy[0], xy[1])), false));
      }
    } else {
      r.paragraph("Figure 5 (t-SNE of users' final embeddings) is not in this report: the run folder has no " + TSNE_FOLDER + "/*.tsv.");
    }
    return r.write(dir);
  }

  static Report.Table seedTable(String name, String first, List<SeedTable.Row> rows) {
    List<String> headers = new ArrayList<>(List.of(first));
    headers.addAll(SeedTable.headers());
    List<List<String>> out = new ArrayList<>();
    for (SeedTable.Row row : rows) {
      List<String> line = new ArrayList<>(List.of(row.label()));
      for (String k : SeedTable.METRICS) {
        String c = row.cell(k);
        line.add(rows.size() > 1 && best(rows, row, k) ? "**" + c + "**" : c);
      }
      out.add(line);
    }
    return new Report.Table(name, headers, out);
  }

  private static boolean best(List<SeedTable.Row> rows, SeedTable.Row r, String k) {
    double mine = Double.parseDouble(value(r.meanStd().get(k)[0]));
    return rows.stream().allMatch(o -> Double.parseDouble(value(o.meanStd().get(k)[0])) <= mine);
  }

  private static String picks(List<SeedTable.Row> rows) {
    List<String> out = new ArrayList<>();
    for (SeedTable.Row row : rows) {
      List<String> p = new ArrayList<>();
      for (SeedTable.Pick pick : row.picks()) {
        p.add("seed " + pick.seed() + ": " + (pick.setting().isEmpty() ? "default" : pick.setting()));
      }
      out.add(row.label() + " (" + String.join("; ", p) + ")");
    }
    return String.join(", ", out);
  }

  private static double[] means(List<SeedTable.Row> rows, String metric) {
    return rows.stream().mapToDouble(r -> r.meanStd().get(metric)[0]).toArray();
  }

  /** The t-SNE hook's input files, sorted by name; none when the folder is absent. */
  static List<Path> tsneFiles(Path dir) {
    Path folder = dir.resolve(TSNE_FOLDER);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tsv")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** x and y columns of a t-SNE file (header line first). */
  static double[][] readPoints(Path f) {
    List<String> lines = Report.read(f).lines().toList();
    double[][] xy = new double[2][Math.max(0, lines.size() - 1)];
    for (int i = 1; i < lines.size(); i++) {
      String[] c = lines.get(i).split("\t");
      try {
        xy[0][i - 1] = Double.parseDouble(c[0]);
        xy[1][i - 1] = Double.parseDouble(c[1]);
      } catch (RuntimeException e) {
        throw new BadInputException(f + ":" + (i + 1) + ": expected 'x<TAB>y' numbers; fix or remove the file");
      }
    }
    return xy;
  }

  private static String value(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
  }

  private static String pValue(double p) {
    return p >= 1e-3 ? String.format(Locale.ROOT, "%.3f", p) : String.format(Locale.ROOT, "%.1e", p);
  }
}
