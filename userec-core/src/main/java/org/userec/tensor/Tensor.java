package org.userec.tensor;

import java.util.Arrays;

/**
 * A dense row-major float matrix (rows × cols). Scalars are 1×1, vectors are n×1 or 1×n.
 *
 * <p>The gradient buffer is allocated on first use by the {@link Tape}'s backward pass. {@code
 * requiresGrad} is true for {@link Param}s and for every op output with at least one input that requires
 * a gradient.
 */
public class Tensor {
  public final int rows;
  public final int cols;
  public final float[] data;
  float[] grad;
  boolean requiresGrad;
  /** The pooled tape that made this tensor (its gradient comes from the same pool), or null. */
  Tape tape;

  public Tensor(int rows, int cols, float[] data) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
    }
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException(
          "shape " + rows + "x" + cols + " does not match " + data.length + " values");
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  public Tensor(int rows, int cols) {
    this(rows, cols, new float[Math.multiplyExact(rows, cols)]);
  }

  public static Tensor scalar(float v) {
    return new Tensor(1, 1, new float[] {v});
  }

  public static Tensor of(int rows, int cols, float... values) {
    return new Tensor(rows, cols, values.clone());
  }

  public int size() {
    return data.length;
  }

  public float get(int r, int c) {
    return data[r * cols + c];
  }

  public void set(int r, int c, float v) {
    data[r * cols + c] = v;
  }

  /** The single value of a 1×1 tensor. */
  public float item() {
    if (data.length != 1) {
      throw new IllegalStateException("item() on a " + rows + "x" + cols + " tensor");
    }
    return data[0];
  }

  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** The gradient, or null when backward has not reached this tensor. */
  public float[] grad() {
    return grad;
  }

  /** The gradient buffer, allocated (zeroed) on first call. */
  public float[] gradBuffer() {
    if (grad == null) {
      grad = tape != null ? tape.alloc(data.length) : new float[data.length];
    }
    return grad;
  }

  public void zeroGrad() {
    if (grad != null) {
      Arrays.fill(grad, 0f);
    }
  }

  /** A detached copy: same values, no gradient, no history. */
  public Tensor copy() {
    return new Tensor(rows, cols, data.clone());
  }

  public String shape() {
    return rows + "x" + cols;
  }

  @Override
  public String toString() {
    return "Tensor[" + shape() + "]";
  }
}
