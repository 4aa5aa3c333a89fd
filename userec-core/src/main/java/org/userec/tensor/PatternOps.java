package org.userec.tensor;

import org.userec.graph.CsrMatrix;
import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/**
 * Differentiable ops on a sparse matrix whose sparsity pattern is fixed and whose values are a tensor: a learned
 * graph (LATTICE's top-k item–item graph) whose edge weights come from parameters. The pattern is a {@link
 * CsrMatrix} (its own values are ignored); the values are an nnz×1 tensor in the pattern's CSR order, entry e
 * at (row(e), col(e)). Choosing the pattern (which k columns a row keeps) passes no gradient, as torch.topk's
 * indices do not; its values do.
 *
 * <p>Each op records its backward on the tape; the torch expression it mirrors is named in its Javadoc.
 */
public final class PatternOps {
  /** Entries (or rows) per parallel piece. */
  private static final int GRAIN = 1 << 12;

  private PatternOps() {}

  /**
   * v_e = a[row(e)] · b[col(e)] for every entry e of the pattern: the entries a·bᵀ keeps (torch: {@code
   * torch.mm(a, b.t())} then {@code topk}'s values at the pattern's positions), without forming a·bᵀ. a is
   * rows×d, b is cols×d.
   */
  public static Tensor dotsAt(Tape t, CsrMatrix pattern, Tensor a, Tensor b) {
    if (a.rows != pattern.rows || b.rows != pattern.cols || a.cols != b.cols) {
      throw new IllegalArgumentException(
          "dotsAt: pattern " + pattern.rows + "x" + pattern.cols + " with a " + a.shape() + " and b " + b.shape());
    }
    int d = a.cols;
    Tensor out = t.output(pattern.nnz(), 1, a, b);
    float[] v = out.data;
    Parallel.forRange(pattern.rows, rowGrain(pattern), (s, e) -> {
      for (int i = s; i < e; i++) {
        for (int q = pattern.rowPtr[i]; q < pattern.rowPtr[i + 1]; q++) {
          v[q] = Kernels.dot(a.data, i * d, b.data, pattern.colIdx[q] * d, d);
        }
      }
    });
    t.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      CsrMatrix weighted = withValues(pattern, g); // ga = G·b, gb = Gᵀ·a with G the pattern holding g
      if (a.requiresGrad) {
        Kernels.spmm(weighted, b.data, d, a.gradBuffer(), true);
      }
      if (b.requiresGrad) {
        Kernels.spmm(withValues(pattern.transpose(), permuted(g, transposeSlots(pattern))), a.data, d, b.gradBuffer(), true);
      }
    });
    return out;
  }

  /**
   * The values of a pattern placed into a larger pattern that contains it: out[slots[e]] = v[e], 0 elsewhere
   * (torch: adding a sparse matrix into a sum over a wider pattern). {@code slots} is injective, as {@link
   * #union} makes it.
   */
  public static Tensor place(Tape t, Tensor v, int[] slots, int size) {
    if (v.cols != 1 || v.rows != slots.length) {
      throw new IllegalArgumentException("place: " + v.shape() + " values for " + slots.length + " slots");
    }
    Tensor out = t.output(size, 1, v);
    for (int e = 0; e < slots.length; e++) {
      out.data[slots[e]] = v.data[e];
    }
    t.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gv = v.gradBuffer();
      for (int e = 0; e < slots.length; e++) {
        gv[e] += g[slots[e]];
      }
    });
    return out;
  }

  /**
   * D^-½ A D^-½ with D = diag(A's row sums) over the pattern: out_e = v_e · s_row(e) · s_col(e), s_i = d_i^-½,
   * and s_i = 0 where d_i = 0 (MMRec's {@code compute_normalized_laplacian}: {@code rowsum ** -0.5} with its
   * infinities set to 0). The pattern must be square. Backward: with r_i = −½ Σ_e g_e out_e [row(e) = i or
   * col(e) = i] / d_i, the gradient of v_e is g_e s_row s_col + r_row(e).
   */
  public static Tensor symmetricNormalize(Tape t, CsrMatrix pattern, Tensor v) {
    checkValues("symmetricNormalize", pattern, v);
    if (pattern.rows != pattern.cols) {
      throw new IllegalArgumentException("symmetricNormalize: pattern " + pattern.rows + "x" + pattern.cols + " is not square");
    }
    int n = pattern.rows;
    double[] deg = new double[n];
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int q = pattern.rowPtr[i]; q < pattern.rowPtr[i + 1]; q++) {
        sum += v.data[q];
      }
      deg[i] = sum;
      double inv = Math.pow((float) sum, -0.5);
      s[i] = Double.isInfinite(inv) ? 0f : (float) inv;
    }
    Tensor out = t.output(pattern.nnz(), 1, v);
    for (int i = 0; i < n; i++) {
      for (int q = pattern.rowPtr[i]; q < pattern.rowPtr[i + 1]; q++) {
        out.data[q] = v.data[q] * s[i] * s[pattern.colIdx[q]];
      }
    }
    t.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      double[] r = new double[n]; // dL/dd_i
      for (int i = 0; i < n; i++) {
        for (int q = pattern.rowPtr[i]; q < pattern.rowPtr[i + 1]; q++) {
          double go = (double) g[q] * out.data[q];
          r[i] += go;
          r[pattern.colIdx[q]] += go;
        }
      }
      for (int i = 0; i < n; i++) {
        r[i] = s[i] == 0f ? 0 : -0.5 * r[i] / deg[i];
      }
      float[] gv = v.gradBuffer();
      for (int i = 0; i < n; i++) {
        for (int q = pattern.rowPtr[i]; q < pattern.rowPtr[i + 1]; q++) {
          gv[q] += (float) (g[q] * s[i] * s[pattern.colIdx[q]] + r[i]);
        }
      }
    });
    return out;
  }

  /**
   * A(v)·x: the sparse matrix with this pattern and values v times a dense x (torch: {@code torch.sparse.mm}
   * or {@code torch.mm} with a dense A that is zero off the pattern). Backward: gx = Aᵀ·g, gv_e = g[row(e)] ·
   * x[col(e)].
   */
  public static Tensor spmm(Tape t, CsrMatrix pattern, Tensor v, Tensor x) {
    checkValues("spmm", pattern, v);
    if (pattern.cols != x.rows) {
      throw new IllegalArgumentException("spmm: pattern " + pattern.rows + "x" + pattern.cols + " · " + x.shape());
    }
    int d = x.cols;
    Tensor out = t.output(pattern.rows, d, v, x);
    Kernels.spmm(withValues(pattern, v.data), x.data, d, out.data, false);
    t.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      if (x.requiresGrad) {
        Kernels.spmm(withValues(pattern.transpose(), permuted(v.data, transposeSlots(pattern))), g, d, x.gradBuffer(), true);
      }
      if (v.requiresGrad) {
        float[] gv = v.gradBuffer();
        Parallel.forRange(pattern.rows, rowGrain(pattern), (s, e) -> {
          for (int i = s; i < e; i++) {
            for (int q = pattern.rowPtr[i]; q < pattern.rowPtr[i + 1]; q++) {
              gv[q] += Kernels.dot(g, i * d, x.data, pattern.colIdx[q] * d, d);
            }
          }
        });
      }
    });
    return out;
  }

  /** The union of patterns of one shape, and for each part the union slot of each of its entries. */
  public record Union(CsrMatrix pattern, int[][] slots) {}

  /** The union of the parts' patterns (CSR, columns ascending) with each part's entries' slots in it. */
  public static Union union(CsrMatrix... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("union: no patterns");
    }
    int rows = parts[0].rows;
    int cols = parts[0].cols;
    for (CsrMatrix p : parts) {
      if (p.rows != rows || p.cols != cols) {
        throw new IllegalArgumentException("union: shapes differ, " + rows + "x" + cols + " vs " + p.rows + "x" + p.cols);
      }
    }
    int[] rowPtr = new int[rows + 1];
    int total = 0;
    for (CsrMatrix p : parts) {
      total += p.nnz();
    }
    int[] colIdx = new int[total];
    int[][] slots = new int[parts.length][];
    for (int m = 0; m < parts.length; m++) {
      slots[m] = new int[parts[m].nnz()];
    }
    int[] at = new int[parts.length];
    int nnz = 0;
    for (int i = 0; i < rows; i++) {
      for (int m = 0; m < parts.length; m++) {
        at[m] = parts[m].rowPtr[i];
      }
      while (true) { // merge the parts' sorted column lists of row i
        int next = Integer.MAX_VALUE;
        for (int m = 0; m < parts.length; m++) {
          if (at[m] < parts[m].rowPtr[i + 1]) {
            next = Math.min(next, parts[m].colIdx[at[m]]);
          }
        }
        if (next == Integer.MAX_VALUE) {
          break;
        }
        for (int m = 0; m < parts.length; m++) {
          if (at[m] < parts[m].rowPtr[i + 1] && parts[m].colIdx[at[m]] == next) {
            slots[m][at[m]++] = nnz;
          }
        }
        colIdx[nnz++] = next;
      }
      rowPtr[i + 1] = nnz;
    }
    int[] ci = java.util.Arrays.copyOf(colIdx, nnz);
    return new Union(new CsrMatrix(rows, cols, rowPtr, ci, new float[nnz]), slots);
  }

  /** The pattern with the given values (arrays shared, not copied). */
  public static CsrMatrix withValues(CsrMatrix pattern, float[] values) {
    return new CsrMatrix(pattern.rows, pattern.cols, pattern.rowPtr, pattern.colIdx, values);
  }

  /** For each entry of the pattern's transpose, in its CSR order, the pattern's entry it came from. */
  static int[] transposeSlots(CsrMatrix pattern) {
    return pattern.derived("transposeSlots", k -> {
      int[] ptr = pattern.transpose().rowPtr;
      int[] pos = java.util.Arrays.copyOf(ptr, pattern.cols);
      int[] slot = new int[pattern.nnz()];
      for (int i = 0; i < pattern.rows; i++) {
        for (int q = pattern.rowPtr[i]; q < pattern.rowPtr[i + 1]; q++) {
          slot[pos[pattern.colIdx[q]]++] = q;
        }
      }
      return slot;
    });
  }

  private static float[] permuted(float[] v, int[] from) {
    float[] out = new float[from.length];
    for (int q = 0; q < from.length; q++) {
      out[q] = v[from[q]];
    }
    return out;
  }

  private static void checkValues(String op, CsrMatrix pattern, Tensor v) {
    if (v.cols != 1 || v.rows != pattern.nnz()) {
      throw new IllegalArgumentException(op + ": values " + v.shape() + " for a pattern of " + pattern.nnz() + " entries");
    }
  }

  private static int rowGrain(CsrMatrix pattern) {
    return Math.max(1, GRAIN * pattern.rows / Math.max(1, pattern.nnz()));
  }
}
