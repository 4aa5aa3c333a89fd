package org.userec.data;

/** One modality's item features: rows = items in id order, row-major float32. */
public record FeatureTable(String name, int rows, int cols, float[] data) {
  public FeatureTable {
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException(name + ": shape " + rows + "x" + cols + " does not match " + data.length + " values");
    }
  }
}
