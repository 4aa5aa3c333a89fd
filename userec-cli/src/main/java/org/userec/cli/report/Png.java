package org.userec.cli.report;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** Draws a {@link org.userec.cli.report.Chart} as a PNG with XChart (Apache 2.0), in {@link Svg}'s colours. */
public final class Png {
  private Png() {}

  /** The PNG file's bytes. */
  public static byte[] render(org.userec.cli.report.Chart chart) {
    System.setProperty("java.awt.headless", "true");
    Chart<?, ?> drawn;
    if (chart instanceof org.userec.cli.report.Chart.Lines l) {
      drawn = lines(l);
    } else if (chart instanceof org.userec.cli.report.Chart.Bars b) {
      drawn = bars(b);
    } else {
      drawn = heatmap((org.userec.cli.report.Chart.Heatmap) chart);
    }
    try {
      return BitmapEncoder.getBitmapBytes(drawn, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the chart '" + chart.title() + "' as PNG", e);
    }
  }

  private static XYChart lines(org.userec.cli.report.Chart.Lines l) {
    XYChart c = new XYChartBuilder().width(Svg.WIDTH).height(Svg.HEIGHT).title(l.title()).xAxisTitle(l.xLabel()).yAxisTitle(l.yLabel()).build();
    style(c.getStyler());
    for (int s = 0; s < l.series().size(); s++) {
      org.userec.cli.report.Chart.Series ser = l.series().get(s);
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int i = 0; i < ser.x().length; i++) {
        if (!Double.isNaN(ser.y()[i])) {
          x.add(ser.x()[i]);
          y.add(ser.y()[i]);
        }
      }
      if (x.isEmpty()) {
        continue;
      }
      XYSeries xs = c.addSeries(ser.name(), x, y);
      Color colour = Color.decode(Svg.PALETTE[s % Svg.PALETTE.length]);
      xs.setLineColor(colour);
      xs.setMarkerColor(colour);
      if (!l.connect()) {
        xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      }
    }
    return c;
  }

  private static CategoryChart bars(org.userec.cli.report.Chart.Bars b) {
    CategoryChart c = new CategoryChartBuilder().width(Svg.WIDTH).height(Svg.HEIGHT).title(b.title()).yAxisTitle(b.yLabel()).build();
    style(c.getStyler());
    for (int s = 0; s < b.values().size(); s++) {
      List<Double> v = new ArrayList<>();
      for (double x : b.values().get(s)) {
        v.add(Double.isNaN(x) ? 0.0 : x);
      }
      c.addSeries(b.seriesNames().get(s), b.categories(), v).setFillColor(Color.decode(Svg.PALETTE[s % Svg.PALETTE.length]));
    }
    return c;
  }

  private static HeatMapChart heatmap(org.userec.cli.report.Chart.Heatmap h) {
    HeatMapChart c = new HeatMapChartBuilder().width(Svg.WIDTH).height(Svg.HEIGHT).title(h.title()).xAxisTitle(h.xLabel()).yAxisTitle(h.yLabel()).build();
    c.getStyler().setShowValue(true);
    c.getStyler().setHeatMapValueDecimalPattern("0.0000");
    c.getStyler().setDecimalPattern("0.0000");
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    Color[] ramp = new Color[5];
    for (int i = 0; i < ramp.length; i++) {
      ramp[i] = Color.decode(Svg.colour(i / (ramp.length - 1.0)));
    }
    c.getStyler().setRangeColors(ramp);
    List<Number[]> cells = new ArrayList<>();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int r = 0; r < h.rows().size(); r++) {
      for (int col = 0; col < h.columns().size(); col++) {
        double v = h.z()[r][col];
        if (!Double.isNaN(v)) {
          cells.add(new Number[] {col, r, v});
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo <= hi) { // a flat grid still needs a colour range
      c.getStyler().setMin(lo == hi ? lo - 1e-6 : lo);
      c.getStyler().setMax(lo == hi ? hi + 1e-6 : hi);
    }
    c.addSeries(h.title(), h.columns(), h.rows(), cells);
    return c;
  }

  private static void style(Styler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setLegendBorderColor(Color.WHITE);
  }
}
