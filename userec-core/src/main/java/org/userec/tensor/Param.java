package org.userec.tensor;

/** A trainable tensor with a stable name (used in checkpoints). Its gradient persists across backward passes until zeroed. */
public final class Param extends Tensor {
  public final String name;

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

  @Override
  public String toString() {
    return "Param[" + name + " " + shape() + "]";
  }
}
