package org.userec.nn;

import java.util.random.RandomGenerator;
import org.userec.tensor.Param;

/**
 * Parameter initialisers with PyTorch's fan conventions for a 2-D weight of shape rows×cols: fan_in = cols,
 * fan_out = rows (torch.nn.init._calculate_fan_in_and_fan_out).
 */
public final class Init {
  private Init() {}

  /** U(−b, b) with b = gain·√(6 / (fan_in + fan_out)) (torch.nn.init.xavier_uniform_). */
  public static Param xavierUniform(Param p, RandomGenerator rng) {
    double bound = Math.sqrt(6.0 / (p.rows + p.cols));
    for (int i = 0; i < p.data.length; i++) {
      p.data[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return p;
  }

  /** N(0, σ²) with σ = √(2 / (fan_in + fan_out)) (torch.nn.init.xavier_normal_). */
  public static Param xavierNormal(Param p, RandomGenerator rng) {
    double std = Math.sqrt(2.0 / (p.rows + p.cols));
    for (int i = 0; i < p.data.length; i++) {
      p.data[i] = (float) (rng.nextGaussian() * std);
    }
    return p;
  }

  /** N(0, std²). */
  public static Param normal(Param p, double std, RandomGenerator rng) {
    for (int i = 0; i < p.data.length; i++) {
      p.data[i] = (float) (rng.nextGaussian() * std);
    }
    return p;
  }

  /** All zeros (biases). */
  public static Param zeros(Param p) {
    java.util.Arrays.fill(p.data, 0f);
    return p;
  }
}
