package org.userec.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

class ChartsTest {
  @Test
  void ticksAreRoundAndCoverTheRange() {
    double[] t = Svg.ticks(0.213, 0.587);
    assertThat(t[0]).isLessThanOrEqualTo(0.213);
    assertThat(t[t.length - 1]).isGreaterThanOrEqualTo(0.587);
    assertThat(t).hasSizeBetween(4, 9);
    assertThat(t[1] - t[0]).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(Svg.range(List.of(new Chart.Series("s", new double[] {3}, new double[] {2})), false)).containsExactly(1.8, 2.2);
  }

  @Test
  void everyChartKindIsValidSvgAndPngWithNaNsAndAFlatGrid() throws Exception {
    List<Chart> charts = List.of(
        new Chart.Lines("a <b> & \"c\"", "x", "y", List.of(new Chart.Series("s", new double[] {1, 2, 3}, new double[] {0.1, Double.NaN, 0.3})), true),
        new Chart.Lines("scatter", "", "", List.of(new Chart.Series("p", new double[] {-1, 1}, new double[] {2, -2})), false),
        new Chart.Bars("bars", "v", List.of("A", "B"), List.of("r", "n"), List.of(new double[] {0.5, 0.4}, new double[] {0.2, Double.NaN})),
        new Chart.Heatmap("flat", "w", "d", List.of("0.1", "0.3"), List.of("0.1"), new double[][] {{0.5, 0.5}}));
    for (Chart c : charts) {
      String svg = Svg.render(c);
      var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes("UTF-8")));
      assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
      assertThat(svg).doesNotContain("NaN");
      assertThat(ImageIO.read(new ByteArrayInputStream(Png.render(c)))).as(c.title()).isNotNull();
    }
  }

  @Test
  void csvQuotesWhatNeedsItAndDropsBold() {
    Report.Table t = new Report.Table("t", List.of("a", "b"), List.of(List.of("**0.5 ± 0.1**", "x, \"y\"")));
    assertThat(Report.csv(t)).isEqualTo("a,b\r\n0.5 ± 0.1,\"x, \"\"y\"\"\"\r\n");
    assertThat(Report.inline("**b** `c` <d>")).isEqualTo("<b>b</b> <code>c</code> &lt;d&gt;");
  }
}
