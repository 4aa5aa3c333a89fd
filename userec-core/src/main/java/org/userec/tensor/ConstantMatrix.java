package org.userec.tensor;

import org.userec.tensor.simd.Kernels;

/**
 * A matrix that never changes during training, such as a frozen item-feature table (MMRec's {@code
 * nn.Embedding.from_pretrained(features, freeze=True)}), for {@link Tape#linear(ConstantMatrix, Tensor,
 * Tensor)}. The kernels keep the packed copies they make of it on first use, so that the projection x·W and its
 * weight gradient xᵀ·G, computed every batch, do not re-pack x each time (up to two extra copies of x; none for
 * very large tables).
 */
public final class ConstantMatrix {
  private final Tensor value;
  private final Kernels.Constant packed;

  /** The tensor's values must not change afterwards. */
  public ConstantMatrix(Tensor value) {
    this.value = value;
    this.packed = new Kernels.Constant(value.data, value.rows, value.cols);
  }

  public Tensor value() {
    return value;
  }

  Kernels.Constant packed() {
    return packed;
  }
}
