package org.userec.data.synth;

import java.util.SplittableRandom;

/**
 * Samples an index with probability ∝ its weight in O(1) per draw, after O(n) set-up (Vose's alias method;
 * M. D. Vose, "A linear algorithm for generating random numbers with a given distribution", IEEE TSE 1991).
 */
final class AliasTable {
  /**
   * One entry per index: the acceptance threshold (probability × 2^32, unsigned) in the high 32 bits and the
   * alias in the low 32, so that a draw reads one word (at Elec's scale the table outgrows L2).
   */
  private final long[] table;

  AliasTable(double[] weights) {
    int n = weights.length;
    if (n == 0) {
      throw new IllegalArgumentException("alias table needs at least one weight");
    }
    double sum = 0;
    for (double w : weights) {
      if (!(w >= 0) || !Double.isFinite(w)) {
        throw new IllegalArgumentException("alias table weights must be finite and >= 0, got " + w);
      }
      sum += w;
    }
    if (!(sum > 0)) {
      throw new IllegalArgumentException("alias table weights sum to " + sum);
    }
    double[] prob = new double[n];
    int[] alias = new int[n];
    double[] scaled = new double[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int ns = 0;
    int nl = 0;
    for (int i = 0; i < n; i++) {
      scaled[i] = weights[i] * n / sum;
      if (scaled[i] < 1) {
        small[ns++] = i;
      } else {
        large[nl++] = i;
      }
    }
    while (ns > 0 && nl > 0) {
      int s = small[--ns];
      int l = large[--nl];
      prob[s] = scaled[s];
      alias[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1;
      if (scaled[l] < 1) {
        small[ns++] = l;
      } else {
        large[nl++] = l;
      }
    }
    while (nl > 0) {
      int l = large[--nl];
      prob[l] = 1;
      alias[l] = l;
    }
    while (ns > 0) { // only from rounding error
      int s = small[--ns];
      prob[s] = 1;
      alias[s] = s;
    }
    table = new long[n];
    for (int i = 0; i < n; i++) {
      // prob 1 (or more, from rounding) keeps i through its alias; below, a threshold under 2^32
      long threshold = prob[i] >= 1 ? 0 : (long) (prob[i] * 0x1.0p32);
      table[i] = (threshold << 32) | ((prob[i] >= 1 ? i : alias[i]) & 0xffffffffL);
    }
  }

  int size() {
    return table.length;
  }

  /** One 64-bit draw: the high half picks the column (multiply-shift), the low half accepts or aliases. */
  int sample(SplittableRandom rng) {
    long r = rng.nextLong();
    int i = (int) (((r >>> 32) * table.length) >>> 32);
    long e = table[i];
    return (r & 0xffffffffL) < (e >>> 32) ? i : (int) e;
  }
}
