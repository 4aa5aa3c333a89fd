package org.userec.data.synth;

import java.util.SplittableRandom;

/**
 * The random draws and elementary functions the generator needs, in plain Java arithmetic (which Java 17
 * specifies bit for bit), so that a seed gives the same bits on every JVM and CPU: the files are
 * byte-identical across machines, not just across runs. {@link Math#log} may differ by an ulp between CPUs,
 * and {@link StrictMath}'s is several times slower than {@link #log} here, which matters at Elec's scale
 * (tens of millions of calls).
 */
final class Draws {
  private Draws() {}

  /** Uniform in the open interval (0, 1): never 0, so its logarithm is finite. */
  static double openUniform(SplittableRandom rng) {
    return ((rng.nextLong() >>> 11) + 0.5) * 0x1.0p-53;
  }

  /** A standard Gumbel variate, −log(−log U): adding it to log-weights and taking the top k samples k
   * distinct items with probability ∝ weight, sequentially without replacement (the Gumbel-top-k trick). */
  static double gumbel(SplittableRandom rng) {
    return -log(-log(openUniform(rng)));
  }

  private static final double SQRT2 = 1.4142135623730951;
  private static final double LN2_HI = 6.93147180369123816490e-01; // fdlibm's split of ln 2
  private static final double LN2_LO = 1.90821492927058770002e-10;
  private static final double INV_LN2 = 1.4426950408889634;

  /**
   * Natural logarithm, within about 2 ulp: x = m·2^e with m in [√½, √2), log m = 2 atanh(s), s = (m−1)/(m+1),
   * |s| ≤ 0.172, by its odd series to s^21 (the next term is below 1e-18). Zero, negative, subnormal,
   * infinite and NaN arguments go to {@link StrictMath#log}.
   */
  static double log(double x) {
    long bits = Double.doubleToRawLongBits(x);
    int e = (int) ((bits >>> 52) & 0x7ff);
    if (e == 0 || e == 0x7ff || x < 0) {
      return StrictMath.log(x);
    }
    e -= 1023;
    double m = Double.longBitsToDouble((bits & 0x000fffffffffffffL) | 0x3ff0000000000000L);
    if (m > SQRT2) {
      m *= 0.5;
      e++;
    }
    double s = (m - 1) / (m + 1);
    double z = s * s;
    double p = z * (1.0 / 3 + z * (1.0 / 5 + z * (1.0 / 7 + z * (1.0 / 9 + z * (1.0 / 11 + z * (1.0 / 13
        + z * (1.0 / 15 + z * (1.0 / 17 + z * (1.0 / 19 + z * (1.0 / 21))))))))));
    return e * LN2_HI + ((2 * s + 2 * s * p) + e * LN2_LO);
  }

  /**
   * e^x, within about 2 ulp: x = k ln 2 + r, |r| ≤ ½ ln 2, e^r by its Taylor series to r^14 (remainder below
   * 1e-17), scaled by 2^k exactly. Arguments outside (−700, 700) go to {@link StrictMath#exp}.
   */
  static double exp(double x) {
    if (!(x > -700 && x < 700)) {
      return StrictMath.exp(x);
    }
    double k = Math.rint(x * INV_LN2);
    double r = (x - k * LN2_HI) - k * LN2_LO;
    double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
        + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800
        + r * (1.0 / 479001600 + r * (1.0 / 6227020800L + r * (1.0 / 87178291200L))))))))))))));
    return Math.scalb(p, (int) k);
  }

  /** Hyperbolic tangent, 1 − 2 / (e^(2|x|) + 1) with x's sign; absolute error about 1e-16. */
  static double tanh(double x) {
    double a = Math.abs(x);
    if (a > 20) {
      return Math.copySign(1.0, x);
    }
    if (!(a == a)) {
      return x;
    }
    double t = 1 - 2 / (exp(2 * a) + 1);
    return Math.copySign(t, x);
  }

  /** Standard normal variates by Marsaglia's polar method; keeps the second value of each pair. */
  static final class Normal {
    private final SplittableRandom rng;
    private boolean hasSpare;
    private double spare;

    Normal(SplittableRandom rng) {
      this.rng = rng;
    }

    double next() {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      double x;
      double y;
      double s;
      do {
        x = 2 * rng.nextDouble() - 1;
        y = 2 * rng.nextDouble() - 1;
        s = x * x + y * y;
      } while (s >= 1 || s == 0);
      double f = Math.sqrt(-2 * log(s) / s);
      spare = y * f;
      hasSpare = true;
      return x * f;
    }

    /** Fills a new array with n standard normal values. */
    float[] fill(int n) {
      float[] out = new float[n];
      for (int k = 0; k < n; k++) {
        out[k] = (float) next();
      }
      return out;
    }
  }
}
