package org.userec.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link Chart} as a standalone SVG document (no fonts, scripts or links: it inlines into the HTML
 * report as it is). Written here rather than through a vector-graphics library so that the files stay small,
 * readable in a diff, and free of LGPL code.
 */
public final class Svg {
  static final int WIDTH = 640;
  static final int HEIGHT = 400;
  private static final int LEFT = 70;
  private static final int RIGHT = 160;
  private static final int TOP = 40;
  private static final int BOTTOM = 55;
  /** Colour-blind safe (Okabe–Ito), in series order; {@link Png} uses the same. */
  static final String[] PALETTE = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"};

  private Svg() {}

  public static String render(Chart chart) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
    text(sb, WIDTH / 2.0, 22, "middle", 14, chart.title());
    if (chart instanceof Chart.Lines l) {
      lines(sb, l);
    } else if (chart instanceof Chart.Bars b) {
      bars(sb, b);
    } else if (chart instanceof Chart.Heatmap h) {
      heatmap(sb, h);
    }
    return sb.append("</svg>\n").toString();
  }

  private static double plotW() {
    return WIDTH - LEFT - RIGHT;
  }

  private static double plotH() {
    return HEIGHT - TOP - BOTTOM;
  }

  private static void lines(StringBuilder sb, Chart.Lines l) {
    double[] xr = range(l.series(), true);
    double[] yr = range(l.series(), false);
    double[] xt = ticks(xr[0], xr[1]);
    double[] yt = ticks(yr[0], yr[1]);
    double x0 = xt[0];
    double x1 = xt[xt.length - 1];
    double y0 = yt[0];
    double y1 = yt[yt.length - 1];
    axes(sb, l.xLabel(), l.yLabel());
    for (double t : xt) {
      double px = LEFT + (t - x0) / (x1 - x0) * plotW();
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>%n", px, HEIGHT - BOTTOM, px, HEIGHT - BOTTOM + 5));
      text(sb, px, HEIGHT - BOTTOM + 18, "middle", 11, tick(t));
    }
    yTicks(sb, yt);
    for (int s = 0; s < l.series().size(); s++) {
      Chart.Series ser = l.series().get(s);
      String colour = PALETTE[s % PALETTE.length];
      List<String> pts = new ArrayList<>();
      for (int i = 0; i < ser.x().length; i++) {
        if (Double.isNaN(ser.y()[i])) {
          continue;
        }
        double px = LEFT + (ser.x()[i] - x0) / (x1 - x0) * plotW();
        double py = TOP + (1 - (ser.y()[i] - y0) / (y1 - y0)) * plotH();
        pts.add(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
      }
      if (l.connect() && pts.size() > 1) {
        sb.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
            .append(String.join(" ", pts)).append("\"/>\n");
      }
      double radius = l.connect() ? 3 : 1.6;
      for (String p : pts) {
        String[] xy = p.split(",");
        sb.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"").append(radius).append("\" fill=\"")
            .append(colour).append("\"/>\n");
      }
      legend(sb, s, ser.name(), colour);
    }
  }

  private static void bars(StringBuilder sb, Chart.Bars b) {
    double lo = 0;
    double hi = 0;
    for (double[] v : b.values()) {
      for (double x : v) {
        if (!Double.isNaN(x)) {
          hi = Math.max(hi, x);
          lo = Math.min(lo, x);
        }
      }
    }
    double[] yt = ticks(lo, hi == lo ? lo + 1 : hi);
    double y0 = yt[0];
    double y1 = yt[yt.length - 1];
    axes(sb, "", b.yLabel());
    yTicks(sb, yt);
    int n = b.categories().size();
    int k = b.values().size();
    double group = plotW() / Math.max(1, n);
    double bar = group * 0.8 / Math.max(1, k);
    for (int c = 0; c < n; c++) {
      double gx = LEFT + c * group + group * 0.1;
      for (int s = 0; s < k; s++) {
        double v = b.values().get(s)[c];
        if (Double.isNaN(v)) {
          continue;
        }
        double top = TOP + (1 - (Math.max(v, 0) - y0) / (y1 - y0)) * plotH();
        double base = TOP + (1 - (Math.min(v, 0) - y0) / (y1 - y0)) * plotH();
        sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %s: %s</title></rect>%n",
            gx + s * bar, top, bar * 0.95, base - top, PALETTE[s % PALETTE.length], escape(b.categories().get(c)), escape(b.seriesNames().get(s)), value(v)));
      }
      text(sb, LEFT + c * group + group / 2, HEIGHT - BOTTOM + 18, "middle", 11, b.categories().get(c));
    }
    for (int s = 0; s < k; s++) {
      legend(sb, s, b.seriesNames().get(s), PALETTE[s % PALETTE.length]);
    }
  }

  private static void heatmap(StringBuilder sb, Chart.Heatmap h) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] r : h.z()) {
      for (double v : r) {
        if (!Double.isNaN(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    int nc = h.columns().size();
    int nr = h.rows().size();
    double cw = plotW() / Math.max(1, nc);
    double ch = plotH() / Math.max(1, nr);
    for (int r = 0; r < nr; r++) {
      for (int c = 0; c < nc; c++) {
        double v = h.z()[r][c];
        double t = Double.isNaN(v) || hi == lo ? 0.5 : (v - lo) / (hi - lo);
        double x = LEFT + c * cw;
        double y = TOP + (nr - 1 - r) * ch; // first row at the bottom, as a y axis reads
        sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n", x, y, cw, ch,
            Double.isNaN(v) ? "#dddddd" : colour(t)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" fill=\"%s\">%s</text>%n",
            x + cw / 2, y + ch / 2 + 4, t > 0.6 ? "black" : "white", Double.isNaN(v) ? "—" : value(v)));
      }
    }
    for (int c = 0; c < nc; c++) {
      text(sb, LEFT + c * cw + cw / 2, HEIGHT - BOTTOM + 18, "middle", 11, h.columns().get(c));
    }
    for (int r = 0; r < nr; r++) {
      text(sb, LEFT - 8, TOP + (nr - 1 - r) * ch + ch / 2 + 4, "end", 11, h.rows().get(r));
    }
    text(sb, LEFT + plotW() / 2, HEIGHT - 12, "middle", 12, h.xLabel());
    sb.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>%n", TOP + plotH() / 2,
        escape(h.yLabel())));
    double bx = WIDTH - RIGHT + 30;
    for (int i = 0; i < 50; i++) {
      sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"%.2f\" fill=\"%s\"/>%n", bx, TOP + plotH() * (1 - (i + 1) / 50.0),
          plotH() / 50 + 0.5, colour(i / 49.0)));
    }
    if (lo <= hi) {
      text(sb, bx + 22, TOP + 10, "start", 11, value(hi));
      text(sb, bx + 22, TOP + plotH(), "start", 11, value(lo));
    }
  }

  /** A viridis-like ramp from dark blue (0) to yellow (1). */
  static String colour(double t) {
    int[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    double p = Math.max(0, Math.min(1, t)) * (stops.length - 1);
    int i = Math.min(stops.length - 2, (int) p);
    double f = p - i;
    int[] rgb = new int[3];
    for (int k = 0; k < 3; k++) {
      rgb[k] = (int) Math.round(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
    }
    return String.format(Locale.ROOT, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  }

  private static void axes(StringBuilder sb, String xLabel, String yLabel) {
    sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM));
    sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", LEFT, TOP, LEFT, HEIGHT - BOTTOM));
    text(sb, LEFT + plotW() / 2, HEIGHT - 12, "middle", 12, xLabel);
    sb.append(String.format(Locale.ROOT, "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>%n", TOP + plotH() / 2,
        escape(yLabel)));
  }

  private static void yTicks(StringBuilder sb, double[] yt) {
    double y0 = yt[0];
    double y1 = yt[yt.length - 1];
    for (double t : yt) {
      double py = TOP + (1 - (t - y0) / (y1 - y0)) * plotH();
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n", LEFT, py, WIDTH - RIGHT, py));
      text(sb, LEFT - 6, py + 4, "end", 11, tick(t));
    }
  }

  private static void legend(StringBuilder sb, int index, String name, String colour) {
    double y = TOP + 10 + index * 18;
    double x = WIDTH - RIGHT + 12;
    sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", x, y - 10, colour));
    text(sb, x + 18, y, "start", 11, name);
  }

  private static void text(StringBuilder sb, double x, double y, String anchor, int size, String s) {
    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n", x, y, anchor, size, escape(s)));
  }

  /** The data range of the series' x (or y) values; a single value is widened so that an axis has length. */
  static double[] range(List<Chart.Series> series, boolean x) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Chart.Series s : series) {
      for (double v : x ? s.x() : s.y()) {
        if (!Double.isNaN(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo > hi) {
      return new double[] {0, 1};
    }
    if (lo == hi) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      return new double[] {lo - pad, hi + pad};
    }
    return new double[] {lo, hi};
  }

  /** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about five of them. */
  static double[] ticks(double lo, double hi) {
    double raw = (hi - lo) / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    double start = Math.floor(lo / step) * step;
    double end = Math.ceil(hi / step) * step;
    int n = (int) Math.round((end - start) / step) + 1;
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = start + i * step;
    }
    return t;
  }

  private static String tick(double t) {
    String s = String.format(Locale.ROOT, "%.4f", t).replaceAll("0+$", "").replaceAll("\\.$", "");
    return s.equals("-0") ? "0" : s;
  }

  private static String value(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
