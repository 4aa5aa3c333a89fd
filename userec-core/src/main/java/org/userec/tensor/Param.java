package org.userec.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.userec.util.Parallel;

/**
 * A trainable tensor with a stable name (used in checkpoints). Its gradient persists across backward passes
 * until zeroed.
 *
 * <p>Backward may leave parts of the gradient deferred ({@link DeferredGradient}): {@link #grad()} and {@link
 * #gradBuffer()} add them first, in the order backward produced them, so every reader sees the same values as if
 * they had been added at once. An optimizer can instead take the gradient chunk by chunk ({@link
 * #takeGradientRows}).
 */
public final class Param extends Tensor {
  /** Rows per task when deferred parts are added to the whole gradient. */
  private static final int FLUSH_ROWS = 256;

  public final String name;
  private final List<DeferredGradient> deferred = new ArrayList<>(4);
  /** The gradient array holds only zeros (it was zeroed and not handed out since). */
  private boolean gradZero;

  public Param(String name, int rows, int cols) {
    super(rows, cols);
    this.name = name;
    this.requiresGrad = true;
  }

  public Param(String name, Tensor init) {
    super(init.rows, init.cols, init.data.clone());
    this.name = name;
    this.requiresGrad = true;
  }

  /** Adds a part of the gradient, to be computed after everything the gradient already holds. */
  void defer(DeferredGradient part) {
    deferred.add(part);
  }

  /** True when part of the gradient is deferred: reading it costs a pass. */
  public boolean hasDeferredGradient() {
    return !deferred.isEmpty();
  }

  @Override
  public float[] grad() {
    flush();
    if (grad != null) {
      gradZero = false; // the caller may write into it
    }
    return grad;
  }

  @Override
  public float[] gradBuffer() {
    flush();
    gradZero = false;
    return super.gradBuffer();
  }

  @Override
  public void zeroGrad() {
    drop();
    if (grad != null && !gradZero) {
      Arrays.fill(grad, 0f);
    }
    gradZero = grad != null;
  }

  private void flush() {
    if (deferred.isEmpty()) {
      return;
    }
    float[] g = super.gradBuffer();
    gradZero = false;
    List<DeferredGradient> parts = List.copyOf(deferred);
    Parallel.forRange(rows, FLUSH_ROWS, (from, to) -> {
      for (DeferredGradient p : parts) {
        p.addRows(from, to, g, from);
      }
    });
    drop();
  }

  private void drop() {
    for (DeferredGradient p : deferred) {
      p.release();
    }
    deferred.clear();
  }

  /**
   * Rows [from, to) of the gradient into out (row r at out row r − from): the values {@link #grad()} would hold
   * there, which this zeroes in the gradient array. For an optimizer that updates a chunk while it is in cache;
   * safe to call concurrently for disjoint ranges. Call {@link #endTakeGradient()} once every row was taken.
   */
  public void takeGradientRows(int from, int to, float[] out) {
    int d = cols;
    int n = (to - from) * d;
    if (grad == null || gradZero) {
      Arrays.fill(out, 0, n, 0f);
    } else {
      System.arraycopy(grad, from * d, out, 0, n);
      Arrays.fill(grad, from * d, to * d, 0f);
    }
    for (DeferredGradient p : deferred) {
      p.addRows(from, to, out, 0);
    }
  }

  /**
   * Ends {@link #takeGradientRows} over all rows: the deferred parts are dropped and the gradient is zero. A
   * parameter that had a gradient keeps a (zero) gradient array, as after torch's zero_grad(set_to_none=False).
   */
  public void endTakeGradient() {
    drop();
    if (grad == null) {
      grad = new float[data.length];
    }
    gradZero = true;
  }

  @Override
  public String toString() {
    return "Param[" + name + " " + shape() + "]";
  }
}
