package org.userec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import picocli.CommandLine;

/** The whole study end to end on a generated tiny dataset under the quick budget, then resumed. */
class ReproduceTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Result(cl.execute(args), out.toString(), err.toString());
  }

  static final List<String> TABLES =
      List.of("table2", "significance", "table4-cost", "fig2-ablation", "fig3-mm_image_weight", "fig3-att_samples", "fig3-prune_keep",
          "fig4-cl-grid", "hit-rate", "validation-curves");
  static final List<String> FIGURES =
      List.of("fig2-ablation", "fig3-mm_image_weight", "fig3-att_samples", "fig3-prune_keep", "fig4-cl-grid", "validation-curves");

  @Test
  void quickStudyWritesEverySectionTableAndFigureAndResumes() throws Exception {
    Path data = tmp.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), data);
    Path dir = tmp.resolve("study");
    String[] args = {"reproduce", "-d", data.toString(), "--run-dir", dir.toString(), "--budget", "quick", "--seeds", "999,1"};
    Result r = run(args);
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("[Table 2 1/", "] BPR, seed 999", "[Figure 2 ", "[Figure 3 ", "[Figure 4 4/4]", "[Hit rate 2/2]", "report: ");

    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("## Table 2", "## Table 4", "## Figure 2", "## Figure 3", "## Figure 4", "most popular items", "## Validation curves",
        "(a) modality weight", "(b) attention samples C", "(c) kept edge fraction ρp");
    for (String model : List.of("BPR", "LightGCN", "FREEDOM", "PGL", "USERec", "USERec@paper")) {
      assertThat(md).contains("| " + model + " |");
    }
    for (String v : List.of("w/o Prun", "w/o Pos", "w/o Pos2", "w/o ii", "w/o Att")) {
      assertThat(md).contains("| " + v + " |");
    }
    assertThat(md).contains("Command: `userec reproduce -d ")
        .contains("| with pruning | 0.1 |", "| without pruning | 1.0 |")
        .contains("## Figure 5: t-SNE", "figures/fig5-tsne-with-pe.svg", "figures/fig5-tsne-without-pe.svg");
    for (String panel : List.of("with-pe", "without-pe")) { // the ablation's USERec and w/o Pos users, mapped to 2-d
      List<String> points = Files.readAllLines(dir.resolve("tsne/" + panel + ".tsv"));
      assertThat(points.get(0)).isEqualTo("x\ty");
      assertThat(points).hasSizeGreaterThan(10);
      for (String line : points.subList(1, points.size())) {
        for (String v : line.split("\t")) {
          assertThat(Double.parseDouble(v)).isFinite();
        }
      }
    }
    for (String t : TABLES) {
      List<String> lines = Files.readAllLines(dir.resolve("tables/" + t + ".csv"));
      assertThat(lines).as(t).hasSizeGreaterThan(1);
    }
    // a header, one row per registered model, and USERec@paper
    assertThat(Files.readAllLines(dir.resolve("tables/table2.csv"))).hasSize(2 + org.userec.model.ModelRegistry.names().size());
    assertThat(Files.readAllLines(dir.resolve("tables/fig4-cl-grid.csv"))).hasSize(5);

    String html = Files.readString(dir.resolve("report.html"));
    for (String f : FIGURES) {
      assertThat(md).contains("](figures/" + f + ".svg)");
      BufferedImage png = ImageIO.read(dir.resolve("figures/" + f + ".png").toFile());
      assertThat(png).as(f + ".png decodes").isNotNull();
      assertThat(png.getWidth()).isEqualTo(640);
      var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("figures/" + f + ".svg").toFile());
      assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    }
    assertSelfContained(html, FIGURES.size() + 2);

    // the rerun trains nothing and keeps the t-SNE panels it made
    String panel = Files.readString(dir.resolve("tsne/with-pe.tsv"));
    Result again = run(args);
    assertThat(again.code).as(again.err).isZero();
    List<String> progress = again.out.lines().filter(l -> l.startsWith("[")).toList();
    assertThat(progress).hasSize(2 * (org.userec.model.ModelRegistry.names().size() + 1) + 12 + 6 + 4 + 2).allMatch(l -> l.contains(": done earlier: best epoch"));
    assertThat(Files.readString(dir.resolve("tsne/with-pe.tsv"))).isEqualTo(panel);
    assertThat(Files.readString(dir.resolve("report.md"))).contains("## Figure 5: t-SNE", "figures/fig5-tsne-with-pe.svg");
    assertThat(ImageIO.read(dir.resolve("figures/fig5-tsne-with-pe.png").toFile())).isNotNull();
    assertSelfContained(Files.readString(dir.resolve("report.html")), FIGURES.size() + 2);
  }

  /** No external reference: no src/href/link/import/url(), and "http" only in the SVG namespace. */
  private static void assertSelfContained(String html, int figures) {
    assertThat(html).doesNotContain("src=", "href=", "<link", "@import", "url(", "<script");
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http");
    Matcher m = Pattern.compile("<svg ").matcher(html);
    int n = 0;
    while (m.find()) {
      n++;
    }
    assertThat(n).isEqualTo(figures);
  }

  @Test
  void badInputIsOneLineAndExitTwo() throws Exception {
    Path data = tmp.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), data);
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    for (String[] args : List.of(
        new String[] {"reproduce", "-d", data.toString(), "--run-dir", tmp.resolve("s").toString(), "-m", "USERec,LightGNC"},
        new String[] {"reproduce", "-d", data.toString(), "--run-dir", tmp.resolve("s").toString(), "--budget", "slow"},
        new String[] {"reproduce", "-d", data.toString(), "--run-dir", file.toString()},
        new String[] {"reproduce", "-d", data.toString(), "--run-dir", tmp.resolve("s").toString(), "-m", "LightGCN"})) {
      Result r = run(args);
      assertThat(r.code).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.err.strip().lines().count()).as(r.err).isEqualTo(1);
      assertThat(r.err).doesNotContain("Exception");
    }
    assertThat(Files.exists(tmp.resolve("s"))).isFalse();
  }
}
