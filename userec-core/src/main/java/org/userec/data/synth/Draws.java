package org.userec.data.synth;

import java.util.SplittableRandom;

/**
 * The random draws the generator needs, with {@link StrictMath}'s functions only (fdlibm, specified bit for
 * bit, unlike {@link Math}'s intrinsics), so that a seed gives the same bits on every JVM and CPU: the files
 * are byte-identical across machines, not just across runs.
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
    return -StrictMath.log(-StrictMath.log(openUniform(rng)));
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
      double f = Math.sqrt(-2 * StrictMath.log(s) / s); // sqrt is exactly rounded everywhere
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
