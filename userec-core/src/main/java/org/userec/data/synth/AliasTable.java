package org.userec.data.synth;

import java.util.SplittableRandom;

/**
 * Samples an index with probability ∝ its weight in O(1) per draw, after O(n) set-up (Vose's alias method;
 * M. D. Vose, "A linear algorithm for generating random numbers with a given distribution", IEEE TSE 1991).
 */
final class AliasTable {
  private final double[] prob;
  private final int[] alias;

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
    prob = new double[n];
    alias = new int[n];
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
  }

  int size() {
    return prob.length;
  }

  int sample(SplittableRandom rng) {
    int i = rng.nextInt(prob.length);
    return rng.nextDouble() < prob[i] ? i : alias[i];
  }
}
