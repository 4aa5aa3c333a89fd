package org.userec.run;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.statistics.inference.ContinuityCorrection;
import org.apache.commons.statistics.inference.WilcoxonSignedRankTest;

/**
 * Per-user paired significance for a table: is the best row's per-user test metric different from another row's
 * on the same users? The Wilcoxon signed-rank test (two-sided; users whose two values are equal are dropped, as
 * scipy's default {@code zero_method="wilcox"} does; exact p for at most 50 non-zero differences without ties,
 * else the normal approximation with the tie correction and, as scipy's default, no continuity correction), by
 * Apache Commons Statistics.
 */
public final class Significance {
  /** One row's per-user values of a metric over the same users as the others, e.g. test Recall@20. */
  public record Sample(String label, double[] values) {}

  /** The best row against one other: how many users differ, the mean difference (best − other), and p. */
  public record Comparison(String best, String other, String metric, int users, int differing, double meanDifference, double pValue) {}

  private Significance() {}

  /** Two-sided Wilcoxon signed-rank p-value of paired samples; 1 when every pair is equal. */
  public static double wilcoxon(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("paired samples differ in length: " + a.length + " vs " + b.length);
    }
    List<Double> da = new ArrayList<>();
    List<Double> db = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        da.add(a[i]);
        db.add(b[i]);
      }
    }
    if (da.isEmpty()) {
      return 1.0;
    }
    double[] x = da.stream().mapToDouble(Double::doubleValue).toArray();
    double[] y = db.stream().mapToDouble(Double::doubleValue).toArray();
    return WilcoxonSignedRankTest.withDefaults().with(ContinuityCorrection.DISABLED).test(x, y).getPValue();
  }

  /**
   * The row with the highest mean against every other row, in the given order. All samples must hold the same
   * users in the same order.
   */
  public static List<Comparison> bestAgainstOthers(String metric, List<Sample> samples) {
    if (samples.size() < 2) {
      return List.of();
    }
    Sample best = samples.get(0);
    for (Sample s : samples) {
      if (mean(s.values()) > mean(best.values())) {
        best = s;
      }
    }
    List<Comparison> out = new ArrayList<>();
    for (Sample s : samples) {
      if (s == best) {
        continue;
      }
      if (s.values().length != best.values().length) {
        throw new IllegalArgumentException(s.label() + " has " + s.values().length + " users, " + best.label() + " " + best.values().length);
      }
      int differing = 0;
      for (int i = 0; i < s.values().length; i++) {
        differing += s.values()[i] != best.values()[i] ? 1 : 0;
      }
      out.add(new Comparison(best.label(), s.label(), metric, s.values().length, differing,
          mean(best.values()) - mean(s.values()), wilcoxon(best.values(), s.values())));
    }
    return out;
  }

  static double mean(double[] v) {
    double sum = 0;
    for (double x : v) {
      sum += x;
    }
    return v.length == 0 ? 0 : sum / v.length;
  }
}
