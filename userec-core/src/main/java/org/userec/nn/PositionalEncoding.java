package org.userec.nn;

import org.userec.tensor.Tensor;

/** Fixed (untrained) positional codes. */
public final class PositionalEncoding {
  private PositionalEncoding() {}

  /**
   * The sinusoidal code of Vaswani et al. (NeurIPS 2017, §3.5), used by USERec (spec §3) on user and item
   * indices: PE(p, 2j) = sin(p · 10000^(−2j/dim)), PE(p, 2j+1) = cos(p · 10000^(−2j/dim)) for p in [0,
   * rows). An odd dim ends with a sine column. Computed in double, stored as float; a constant tensor (no
   * gradient).
   */
  public static Tensor sinusoidal(int rows, int dim) {
    if (rows < 0 || dim < 1) {
      throw new IllegalArgumentException("positional encoding needs rows >= 0 and dim >= 1, got " + rows + "x" + dim);
    }
    double[] freq = new double[(dim + 1) / 2];
    for (int j = 0; j < freq.length; j++) {
      freq[j] = Math.pow(10000.0, -(2.0 * j) / dim);
    }
    Tensor out = new Tensor(rows, dim);
    float[] y = out.data;
    for (int p = 0; p < rows; p++) {
      int o = p * dim;
      for (int j = 0; j < freq.length; j++) {
        double a = p * freq[j];
        y[o + 2 * j] = (float) Math.sin(a);
        if (2 * j + 1 < dim) {
          y[o + 2 * j + 1] = (float) Math.cos(a);
        }
      }
    }
    return out;
  }
}
