package org.userec.graph;

import java.util.Arrays;

/**
 * A compressed-sparse-row float matrix. Column indices within a row are sorted ascending and unique.
 * Immutable; the transpose is computed once on first use and cached.
 */
public final class CsrMatrix {
  public final int rows;
  public final int cols;
  public final int[] rowPtr;
  public final int[] colIdx;
  public final float[] values;
  private volatile CsrMatrix transpose;
  /** The last {@link #derived} value and its key. */
  private volatile Derived derived;

  private record Derived(Object key, Object value) {}

  /**
   * A value computed from this (immutable) matrix and a key, kept for the next call with an equal key: e.g.
   * the row ranges a product splits into for a given width, which a training step asks for several times.
   * Holds one value; a call with another key replaces it.
   */
  @SuppressWarnings("unchecked")
  public <K, V> V derived(K key, java.util.function.Function<K, V> compute) {
    Derived c = derived;
    if (c != null && c.key().equals(key)) {
      return (V) c.value();
    }
    V v = compute.apply(key);
    derived = new Derived(key, v);
    return v;
  }

  public CsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
    if (rowPtr.length != rows + 1) {
      throw new IllegalArgumentException("rowPtr length " + rowPtr.length + " != rows+1 = " + (rows + 1));
    }
    if (colIdx.length != values.length || rowPtr[rows] != colIdx.length) {
      throw new IllegalArgumentException(
          "nnz mismatch: rowPtr[rows]=" + rowPtr[rows] + ", colIdx " + colIdx.length + ", values " + values.length);
    }
    this.rows = rows;
    this.cols = cols;
    this.rowPtr = rowPtr;
    this.colIdx = colIdx;
    this.values = values;
  }

  public int nnz() {
    return colIdx.length;
  }

  /**
   * Builds a CSR matrix from coordinate triples. Duplicate (row, col) pairs are summed; entries are sorted
   * by row then column. The input arrays are not modified.
   */
  public static CsrMatrix fromCoo(int rows, int cols, int[] r, int[] c, float[] v) {
    int n = r.length;
    if (c.length != n || v.length != n) {
      throw new IllegalArgumentException("coo arrays differ in length");
    }
    int[] count = new int[rows + 1];
    for (int k = 0; k < n; k++) {
      if (r[k] < 0 || r[k] >= rows || c[k] < 0 || c[k] >= cols) {
        throw new IllegalArgumentException("entry (" + r[k] + "," + c[k] + ") outside " + rows + "x" + cols);
      }
      count[r[k] + 1]++;
    }
    for (int i = 0; i < rows; i++) {
      count[i + 1] += count[i];
    }
    int[] pos = Arrays.copyOf(count, rows);
    int[] ci = new int[n];
    float[] cv = new float[n];
    for (int k = 0; k < n; k++) {
      int p = pos[r[k]]++;
      ci[p] = c[k];
      cv[p] = v[k];
    }
    // sort each row by column and merge duplicates
    int[] outPtr = new int[rows + 1];
    int w = 0;
    long[] buf = new long[16];
    for (int i = 0; i < rows; i++) {
      int s = count[i];
      int e = count[i + 1];
      int len = e - s;
      if (buf.length < len) {
        buf = new long[Math.max(len, buf.length * 2)];
      }
      for (int k = 0; k < len; k++) {
        buf[k] = ((long) ci[s + k] << 32) | (k & 0xffffffffL);
      }
      Arrays.sort(buf, 0, len);
      float[] vals = Arrays.copyOfRange(cv, s, e);
      int last = -1;
      for (int k = 0; k < len; k++) {
        int col = (int) (buf[k] >>> 32);
        float val = vals[(int) buf[k]];
        if (col == last) {
          cv[w - 1] += val;
        } else {
          ci[w] = col;
          cv[w] = val;
          w++;
          last = col;
        }
      }
      outPtr[i + 1] = w;
    }
    return new CsrMatrix(rows, cols, outPtr, Arrays.copyOf(ci, w), Arrays.copyOf(cv, w));
  }

  /** The transpose, computed once and cached. */
  public CsrMatrix transpose() {
    CsrMatrix t = transpose;
    if (t == null) {
      synchronized (this) {
        t = transpose;
        if (t == null) {
          t = computeTranspose();
          t.transpose = this;
          transpose = t;
        }
      }
    }
    return t;
  }

  private CsrMatrix computeTranspose() {
    int nnz = nnz();
    int[] ptr = new int[cols + 1];
    for (int k = 0; k < nnz; k++) {
      ptr[colIdx[k] + 1]++;
    }
    for (int j = 0; j < cols; j++) {
      ptr[j + 1] += ptr[j];
    }
    int[] pos = Arrays.copyOf(ptr, cols);
    int[] ci = new int[nnz];
    float[] cv = new float[nnz];
    for (int i = 0; i < rows; i++) {
      for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        int p = pos[colIdx[k]]++;
        ci[p] = i;
        cv[p] = values[k];
      }
    }
    return new CsrMatrix(cols, rows, ptr, ci, cv);
  }

  /** Marks this matrix as symmetric, so that its transpose is itself (saves memory and time). */
  public CsrMatrix assumeSymmetric() {
    if (rows != cols) {
      throw new IllegalStateException("not square: " + rows + "x" + cols);
    }
    transpose = this;
    return this;
  }

  /** Row sums (degrees for a 0/1 matrix). */
  public float[] rowSums() {
    float[] s = new float[rows];
    for (int i = 0; i < rows; i++) {
      float acc = 0f;
      for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        acc += values[k];
      }
      s[i] = acc;
    }
    return s;
  }

  /** Dense copy, for tests on small matrices. */
  public float[][] toDense() {
    float[][] d = new float[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        d[i][colIdx[k]] = values[k];
      }
    }
    return d;
  }
}
