package org.userec.viz;

import java.util.SplittableRandom;
import org.userec.BadInputException;
import org.userec.util.Parallel;
import org.userec.util.Seeds;

/**
 * t-SNE, exact O(n²) form: L. van der Maaten and G. Hinton, "Visualizing Data using t-SNE", JMLR 9 (2008).
 *
 * <ul>
 *   <li>Eq. 1: p_{j|i} = exp(−β_i‖x_i − x_j‖²) / Σ_{k≠i} exp(−β_i‖x_i − x_k‖²), with β_i = 1/(2σ_i²) found by
 *       binary search so that the row's perplexity 2^{H(P_i)} (here e^{H} with H in nats) equals the target.
 *   <li>p_ij = (p_{j|i} + p_{i|j}) / 2n, symmetric and summing to one (section 3.1).
 *   <li>Eq. 4: q_ij = (1 + ‖y_i − y_j‖²)^{-1} / Σ_{k≠l} (1 + ‖y_k − y_l‖²)^{-1}, a Student t with one degree of
 *       freedom in the map.
 *   <li>Eq. 5: ∂C/∂y_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j)(1 + ‖y_i − y_j‖²)^{-1} for C = KL(P‖Q).
 *   <li>Section 3.4: gradient descent with momentum (0.5, then 0.8 from iteration 250), early exaggeration of P
 *       (×12 for the first 250 iterations, as in the authors' later implementations) and the adaptive gains of
 *       Jacobs (1988): +0.2 when the gradient changes sign against the step, ×0.8 otherwise, at least 0.01.
 * </ul>
 *
 * <p>Y starts from N(0, 10⁻⁴ I) drawn from one seed. Every O(n²) loop runs row by row on {@link Parallel}; each
 * row is summed over j in index order and row sums are added in row order, so the result is the same bits on
 * any number of threads.
 */
public final class Tsne {
  /** Iterations with early exaggeration and the lower momentum. */
  static final int EARLY = 250;

  static final double EXAGGERATION = 12.0;
  static final double MOMENTUM_EARLY = 0.5;
  static final double MOMENTUM_LATE = 0.8;
  static final double MIN_GAIN = 0.01;

  /** A floor on p_ij (as in the authors' code), so that log(p/q) stays finite. */
  static final double P_FLOOR = 1e-12;

  /** Rows per piece of parallel work. */
  private static final int GRAIN = 8;

  private Tsne() {}

  /**
   * How to embed.
   *
   * @param perplexity the effective number of neighbours each point keeps (the paper: 5 to 50)
   * @param iterations gradient steps
   * @param learningRate step size η
   * @param seed drives the initial map
   */
  public record Settings(double perplexity, int iterations, double learningRate, long seed) {
    public Settings {
      if (!(perplexity > 0) || Double.isInfinite(perplexity)) {
        throw new BadInputException("t-SNE perplexity must be a positive number, got " + perplexity);
      }
      if (iterations < 1) {
        throw new BadInputException("t-SNE iterations must be >= 1, got " + iterations);
      }
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new BadInputException("t-SNE learning rate must be a positive number, got " + learningRate);
      }
    }

    /** Perplexity 30, 1,000 iterations, η = 200. */
    public static Settings defaults(long seed) {
      return new Settings(30, 1000, 200, seed);
    }
  }

  /** Hears the KL divergence every {@code every} iterations and after the last one. */
  @FunctionalInterface
  public interface Listener {
    void iteration(int iteration, double kl);
  }

  /**
   * The embedding.
   *
   * @param y n × 2, row-major
   * @param kl KL(P‖Q) of the final map (with P not exaggerated)
   */
  public record Result(int n, double[] y, double kl) {
    public Result {
      if (y.length != 2 * n) {
        throw new IllegalArgumentException("y holds " + y.length + " values for " + n + " points in 2-d");
      }
    }
  }

  /** Embeds the n × d row-major points {@code x} in two dimensions. */
  public static Result embed(double[] x, int n, int d, Settings s) {
    return embed(x, n, d, s, 0, (it, kl) -> {});
  }

  /**
   * Embeds the n × d row-major points {@code x} in two dimensions, telling {@code listener} the KL divergence
   * every {@code every} iterations (0: only at the end).
   */
  public static Result embed(double[] x, int n, int d, Settings s, int every, Listener listener) {
    checkInput(x, n, d, s.perplexity());
    double[] p = jointAffinities(x, n, d, s.perplexity());
    SplittableRandom rng = Seeds.rng(s.seed(), "tsne-init");
    double[] y = new double[2 * n];
    for (int k = 0; k < y.length; k++) {
      y[k] = 1e-2 * rng.nextGaussian(); // standard deviation 1e-2: variance 1e-4
    }
    double[] step = new double[2 * n];
    double[] gains = new double[2 * n];
    java.util.Arrays.fill(gains, 1.0);
    double[] grad = new double[2 * n];
    double[] rowZ = new double[n];
    for (int it = 0; it < s.iterations(); it++) {
      double exaggeration = it < EARLY ? EXAGGERATION : 1.0;
      double momentum = it < EARLY ? MOMENTUM_EARLY : MOMENTUM_LATE;
      gradient(p, y, n, exaggeration, rowZ, grad);
      for (int k = 0; k < y.length; k++) {
        boolean sameSign = (grad[k] > 0) == (step[k] > 0);
        gains[k] = Math.max(MIN_GAIN, sameSign ? gains[k] * 0.8 : gains[k] + 0.2);
        step[k] = momentum * step[k] - s.learningRate() * gains[k] * grad[k];
        y[k] += step[k];
      }
      center(y, n);
      if (every > 0 && (it + 1) % every == 0 && it + 1 < s.iterations()) {
        listener.iteration(it + 1, kl(p, y, n));
      }
    }
    double kl = kl(p, y, n);
    listener.iteration(s.iterations(), kl);
    return new Result(n, y, kl);
  }

  private static void checkInput(double[] x, int n, int d, double perplexity) {
    if (n < 3) {
      throw new BadInputException("t-SNE needs at least 3 points, got " + n);
    }
    if (d < 1 || x.length != (long) n * d) {
      throw new BadInputException("t-SNE input holds " + x.length + " values, not " + n + " points × " + d + " dimensions");
    }
    if (perplexity >= n - 1) {
      throw new BadInputException(
          "t-SNE perplexity " + perplexity + " needs more than " + (int) Math.ceil(perplexity + 1) + " points, got " + n
              + "; lower the perplexity or embed more points");
    }
    for (int k = 0; k < x.length; k++) {
      if (!Double.isFinite(x[k])) {
        throw new BadInputException("t-SNE input point " + (k / d) + ", dimension " + (k % d) + " is " + x[k] + "; every value must be finite");
      }
    }
  }

  /** Squared Euclidean distances, n × n row-major. */
  static double[] squaredDistances(double[] x, int n, int d) {
    double[] dist = new double[n * n];
    Parallel.forRange(n, GRAIN, (from, to) -> {
      for (int i = from; i < to; i++) {
        int oi = i * d;
        for (int j = 0; j < n; j++) {
          int oj = j * d;
          double sum = 0;
          for (int c = 0; c < d; c++) {
            double diff = x[oi + c] - x[oj + c];
            sum += diff * diff;
          }
          dist[i * n + j] = sum;
        }
      }
    });
    return dist;
  }

  /**
   * The conditional affinities p_{j|i} of eq. 1, n × n row-major (p_{i|i} = 0), each row's β found by binary
   * search so that its entropy in nats equals log(perplexity).
   */
  static double[] conditionalAffinities(double[] x, int n, int d, double perplexity) {
    double[] dist = squaredDistances(x, n, d);
    double target = Math.log(perplexity);
    Parallel.forRange(n, GRAIN, (from, to) -> {
      double[] row = new double[n];
      for (int i = from; i < to; i++) {
        calibrateRow(dist, i, n, target, row);
        System.arraycopy(row, 0, dist, i * n, n);
      }
    });
    return dist;
  }

  /**
   * Writes p_{·|i} into {@code out}. The search brackets β: doubling or halving until the entropy crosses the
   * target, then bisection until it is within 1e-10 nats (or the bracket can no longer shrink).
   */
  private static void calibrateRow(double[] dist, int i, int n, double target, double[] out) {
    int oi = i * n;
    double shift = Double.POSITIVE_INFINITY; // the nearest distance: exp(−β(D − shift)) cannot underflow at it
    for (int j = 0; j < n; j++) {
      if (j != i) {
        shift = Math.min(shift, dist[oi + j]);
      }
    }
    double beta = 1.0;
    double lo = 0;
    double hi = Double.POSITIVE_INFINITY;
    for (int step = 0; step < 500; step++) {
      double h = entropy(dist, oi, i, n, shift, beta, out);
      double diff = h - target;
      if (Math.abs(diff) < 1e-10) {
        break;
      }
      if (diff > 0) { // too flat: sharpen
        lo = beta;
        beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
      if (!Double.isInfinite(hi) && (hi - lo) <= 1e-15 * hi) {
        break;
      }
    }
    entropy(dist, oi, i, n, shift, beta, out); // leave the final β's row in out
  }

  /** Fills out with p_{·|i} at β and returns its entropy in nats. */
  private static double entropy(double[] dist, int oi, int i, int n, double shift, double beta, double[] out) {
    double sum = 0;
    double weighted = 0;
    for (int j = 0; j < n; j++) {
      if (j == i) {
        out[j] = 0;
        continue;
      }
      double e = dist[oi + j] - shift;
      double v = Math.exp(-beta * e);
      out[j] = v;
      sum += v;
      weighted += e * v;
    }
    for (int j = 0; j < n; j++) {
      out[j] /= sum;
    }
    // H = −Σ p log p with log p_j = −β e_j − log sum
    return Math.log(sum) + beta * weighted / sum;
  }

  /** p_ij = max((p_{j|i} + p_{i|j}) / 2n, floor), n × n row-major. */
  static double[] jointAffinities(double[] x, int n, int d, double perplexity) {
    double[] cond = conditionalAffinities(x, n, d, perplexity);
    double[] p = new double[n * n];
    double scale = 1.0 / (2.0 * n);
    Parallel.forRange(n, GRAIN, (from, to) -> {
      for (int i = from; i < to; i++) {
        for (int j = 0; j < n; j++) {
          p[i * n + j] = i == j ? 0 : Math.max((cond[i * n + j] + cond[j * n + i]) * scale, P_FLOOR);
        }
      }
    });
    return p;
  }

  /**
   * Eq. 5 with P scaled by {@code exaggeration}: first every row's Σ_j (1 + ‖y_i − y_j‖²)^{-1} (Z is their sum in
   * row order), then each row's gradient.
   */
  static void gradient(double[] p, double[] y, int n, double exaggeration, double[] rowZ, double[] grad) {
    Parallel.forRange(n, GRAIN, (from, to) -> {
      for (int i = from; i < to; i++) {
        double yi0 = y[2 * i];
        double yi1 = y[2 * i + 1];
        double sum = 0;
        for (int j = 0; j < n; j++) {
          if (j != i) {
            double a = yi0 - y[2 * j];
            double b = yi1 - y[2 * j + 1];
            sum += 1.0 / (1.0 + a * a + b * b);
          }
        }
        rowZ[i] = sum;
      }
    });
    double z = 0;
    for (int i = 0; i < n; i++) {
      z += rowZ[i];
    }
    double invZ = 1.0 / z;
    Parallel.forRange(n, GRAIN, (from, to) -> {
      for (int i = from; i < to; i++) {
        double yi0 = y[2 * i];
        double yi1 = y[2 * i + 1];
        double g0 = 0;
        double g1 = 0;
        int oi = i * n;
        for (int j = 0; j < n; j++) {
          if (j != i) {
            double a = yi0 - y[2 * j];
            double b = yi1 - y[2 * j + 1];
            double num = 1.0 / (1.0 + a * a + b * b);
            double m = (exaggeration * p[oi + j] - num * invZ) * num;
            g0 += m * a;
            g1 += m * b;
          }
        }
        grad[2 * i] = 4 * g0;
        grad[2 * i + 1] = 4 * g1;
      }
    });
  }

  /** KL(P‖Q) = Σ_{i≠j} p_ij log(p_ij / q_ij) for the map y. */
  static double kl(double[] p, double[] y, int n) {
    double[] rowZ = new double[n];
    double[] rowPLogPNum = new double[n]; // Σ_j p_ij log(p_ij / num_ij)
    double[] rowP = new double[n];
    Parallel.forRange(n, GRAIN, (from, to) -> {
      for (int i = from; i < to; i++) {
        double z = 0;
        double s = 0;
        double ps = 0;
        int oi = i * n;
        for (int j = 0; j < n; j++) {
          if (j != i) {
            double a = y[2 * i] - y[2 * j];
            double b = y[2 * i + 1] - y[2 * j + 1];
            double num = 1.0 / (1.0 + a * a + b * b);
            double pij = p[oi + j];
            z += num;
            s += pij * Math.log(pij / num);
            ps += pij;
          }
        }
        rowZ[i] = z;
        rowPLogPNum[i] = s;
        rowP[i] = ps;
      }
    });
    double z = 0;
    double s = 0;
    double ps = 0;
    for (int i = 0; i < n; i++) {
      z += rowZ[i];
      s += rowPLogPNum[i];
      ps += rowP[i];
    }
    // log(p/q) = log(p/num) + log Z
    return s + ps * Math.log(z);
  }

  /** Subtracts the mean of the map (the objective does not see it; this keeps the map near the origin). */
  private static void center(double[] y, int n) {
    double m0 = 0;
    double m1 = 0;
    for (int i = 0; i < n; i++) {
      m0 += y[2 * i];
      m1 += y[2 * i + 1];
    }
    m0 /= n;
    m1 /= n;
    for (int i = 0; i < n; i++) {
      y[2 * i] -= m0;
      y[2 * i + 1] -= m1;
    }
  }
}
