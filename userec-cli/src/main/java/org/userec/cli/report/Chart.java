package org.userec.cli.report;

import java.util.List;

/** A figure of the report, as data: {@link Svg} and {@link Png} draw the same chart. */
public sealed interface Chart {
  String title();

  /** One named series of (x, y) points. */
  record Series(String name, double[] x, double[] y) {
    public Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException(name + ": " + x.length + " x values, " + y.length + " y values");
      }
    }
  }

  /** Series over a numeric x axis, joined by lines ({@code connect}) or as points alone (a scatter plot). */
  record Lines(String title, String xLabel, String yLabel, List<Series> series, boolean connect) implements Chart {
    public Lines {
      series = List.copyOf(series);
    }
  }

  /** Grouped bars: one group per category, one bar per series ({@code values[i]} for category i). */
  record Bars(String title, String yLabel, List<String> categories, List<String> seriesNames, List<double[]> values) implements Chart {
    public Bars {
      categories = List.copyOf(categories);
      seriesNames = List.copyOf(seriesNames);
      values = List.copyOf(values);
      if (seriesNames.size() != values.size()) {
        throw new IllegalArgumentException(seriesNames.size() + " series names, " + values.size() + " series");
      }
      for (double[] v : values) {
        if (v.length != categories.size()) {
          throw new IllegalArgumentException(v.length + " values for " + categories.size() + " categories");
        }
      }
    }
  }

  /** A grid of values: {@code z[row][column]}, rows labelled along y, columns along x. */
  record Heatmap(String title, String xLabel, String yLabel, List<String> columns, List<String> rows, double[][] z) implements Chart {
    public Heatmap {
      columns = List.copyOf(columns);
      rows = List.copyOf(rows);
      if (z.length != rows.size()) {
        throw new IllegalArgumentException(z.length + " rows of values for " + rows.size() + " row labels");
      }
      for (double[] r : z) {
        if (r.length != columns.size()) {
          throw new IllegalArgumentException(r.length + " values in a row for " + columns.size() + " columns");
        }
      }
    }
  }
}
