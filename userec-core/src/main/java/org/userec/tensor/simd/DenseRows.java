package org.userec.tensor.simd;

import java.util.Arrays;

/**
 * A dense row-major matrix of {@code cols} columns that a sparse product starts from or writes into in place:
 * either stacked row blocks held in separate arrays (the user and item gradient tables written as one [users;
 * items] matrix), or a row-sparse matrix stored compactly, where row i is row {@code rowOf[i]} of one array
 * and rows with {@code rowOf[i] < 0} are zero.
 */
public final class DenseRows {
  final float[][] arrays;
  /** ends[b]: one past the last row of block b (cumulative); rows of block b start at ends[b − 1] (or 0). */
  final int[] ends;
  /** Row i lives in row rowOf[i] of arrays[0] (zeros when negative); null for stacked blocks. */
  final int[] rowOf;
  final int cols;

  private DenseRows(float[][] arrays, int[] ends, int[] rowOf, int cols) {
    this.arrays = arrays;
    this.ends = ends;
    this.rowOf = rowOf;
    this.cols = cols;
  }

  /** One array of length rows·cols. */
  public static DenseRows of(float[] array, int cols) {
    return stacked(cols, array);
  }

  /** The blocks stacked by rows ([b₀; b₁; …], torch.cat(dim=0)); each block's length is a multiple of cols. */
  public static DenseRows stacked(int cols, float[]... blocks) {
    if (cols < 1 || blocks.length == 0) {
      throw new IllegalArgumentException("stacked rows need cols >= 1 and a block, got cols " + cols + ", " + blocks.length + " blocks");
    }
    int[] ends = new int[blocks.length];
    long rows = 0;
    for (int b = 0; b < blocks.length; b++) {
      if (blocks[b].length % cols != 0) {
        throw new IllegalArgumentException("block " + b + " has " + blocks[b].length + " values, not rows of " + cols);
      }
      rows += blocks[b].length / cols;
      ends[b] = Math.toIntExact(rows);
    }
    return new DenseRows(blocks.clone(), ends, null, cols);
  }

  /**
   * A row-sparse matrix of {@code rowOf.length} rows: row i is row {@code rowOf[i]} of {@code compact}, or zero
   * when rowOf[i] is negative.
   */
  public static DenseRows remapped(float[] compact, int[] rowOf, int cols) {
    if (cols < 1 || compact.length % cols != 0) {
      throw new IllegalArgumentException("compact rows: " + compact.length + " values are not rows of " + cols);
    }
    int stored = compact.length / cols;
    for (int i = 0; i < rowOf.length; i++) {
      if (rowOf[i] >= stored) {
        throw new IllegalArgumentException("rowOf[" + i + "] = " + rowOf[i] + " outside the " + stored + " stored rows");
      }
    }
    return new DenseRows(new float[][] {compact}, new int[] {rowOf.length}, rowOf, cols);
  }

  public int rows() {
    return ends[ends.length - 1];
  }

  public int cols() {
    return cols;
  }

  boolean isRemapped() {
    return rowOf != null;
  }

  /** The block holding row i (0 for a remapped matrix). */
  int blockOf(int i) {
    if (rowOf != null) {
      return 0;
    }
    int b = 0;
    while (i >= ends[b]) {
      b++;
    }
    return b;
  }

  int blockStart(int b) {
    return b == 0 ? 0 : ends[b - 1];
  }

  /** The array holding row i. */
  float[] arrayOf(int i) {
    return arrays[blockOf(i)];
  }

  /** The offset of row i's first value in {@link #arrayOf}, or −1 for a zero row that is not stored. */
  int offsetOf(int i) {
    if (rowOf != null) {
      return rowOf[i] < 0 ? -1 : rowOf[i] * cols;
    }
    return (i - blockStart(blockOf(i))) * cols;
  }

  /** Checks that this matrix has the given shape (for kernel entry checks). */
  void requireShape(String what, int rows, int cols) {
    if (rows() != rows || this.cols != cols) {
      throw new IllegalArgumentException(what + " is " + rows() + "x" + this.cols + ", expected " + rows + "x" + cols);
    }
  }

  @Override
  public String toString() {
    return "DenseRows[" + rows() + "x" + cols + (rowOf != null ? ", remapped" : ", blocks ending at " + Arrays.toString(ends)) + "]";
  }
}
