package org.userec.tensor;

import static org.userec.tensor.Tape.GRAIN;
import static org.userec.tensor.Tape.checkIndices;
import static org.userec.tensor.Tape.rowsOf;
import static org.userec.tensor.Tape.values;

import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/** Reductions: sums, means, sums of squares and norms of a whole tensor (1×1), and row sums. */
final class Reductions {
  private Reductions() {}

  /** Σ of all values, 1×1 (accumulated in double). */
  static Tensor sum(Tape tape, Tensor x) {
    double acc = 0;
    for (float v : x.data) {
      acc += v;
    }
    return broadcastScalar(tape, x, (float) acc, 1f);
  }

  /** Mean of all values, 1×1 (NaN for an empty tensor, as torch). */
  static Tensor mean(Tape tape, Tensor x) {
    double acc = 0;
    for (float v : x.data) {
      acc += v;
    }
    int n = x.size();
    return broadcastScalar(tape, x, (float) (acc / n), 1f / n);
  }

  /** A 1×1 output whose gradient flows back as d · g to every value of x. */
  private static Tensor broadcastScalar(Tape tape, Tensor x, float value, float d) {
    Tensor out = tape.output(1, 1, x);
    out.data[0] = value;
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      float gd = g[0] * d;
      values(gx.length, (s, e) -> {
        for (int i = s; i < e; i++) {
          gx[i] += gd;
        }
      });
    });
    return out;
  }

  /** Σ x², 1×1 (accumulated in double). */
  static Tensor sumSquares(Tape tape, Tensor x) {
    double acc = sumOfSquares(x.data, x.rows, x.cols);
    Tensor out = tape.output(1, 1, x);
    out.data[0] = (float) acc;
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      values(gx.length, (s, e) -> Kernels.axpy(2f * g[0], x.data, s, gx, s, e - s));
    });
    return out;
  }

  /**
   * Σ x² in double over a rows×cols array: each row's sum (see {@link #rowSumOfSquares}), the rows' sums added in
   * row order. The rows are independent, so threads may share them, and the order is fixed: the result does not
   * depend on the thread count. {@link #normOfRows} adds the same row sums, so a norm of gathered rows is the
   * norm of those rows read in place.
   */
  private static double sumOfSquares(float[] x, int rows, int cols) {
    if (rows <= 1 || cols == 0) {
      return rowSumOfSquares(x, 0, x.length);
    }
    return sumOfRowSums(x, rows, cols, r -> r * cols);
  }

  /**
   * Σ_r {@link #rowSumOfSquares} of the d values at x[start(r)..) for r in [0, count): the rows' sums computed
   * across threads, then added in row order.
   */
  private static double sumOfRowSums(float[] x, int count, int d, java.util.function.IntUnaryOperator start) {
    double[] sums = new double[count];
    rowsOf(count, d, (from, to) -> {
      for (int r = from; r < to; r++) {
        sums[r] = rowSumOfSquares(x, start.applyAsInt(r), d);
      }
    });
    double acc = 0;
    for (double v : sums) {
      acc += v;
    }
    return acc;
  }

  /**
   * Σ x² of x[off..off+n) in double, in four interleaved partial sums added at the end (one running sum is a
   * chain of dependent additions, latency-bound; four keep the adder busy); the last n mod 4 values go to the
   * first.
   */
  private static double rowSumOfSquares(float[] x, int off, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = off;
    int end = off + n;
    for (; i + 3 < end; i += 4) {
      s0 += (double) x[i] * x[i];
      s1 += (double) x[i + 1] * x[i + 1];
      s2 += (double) x[i + 2] * x[i + 2];
      s3 += (double) x[i + 3] * x[i + 3];
    }
    for (; i < end; i++) {
      s0 += (double) x[i] * x[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * ‖table[idx]‖₂, 1×1: equal to {@code norm(gatherRows(table, idx))}, value for value and gradient for gradient,
   * without the gathered copy or its gradient (MMRec's EmbLoss over a batch's embedding rows). Backward adds
   * c·row into the table's gradient row by row in idx order, c = g / ‖·‖, as the gather's backward does.
   */
  static Tensor normOfRows(Tape tape, Tensor table, int[] idx) {
    int[] ix = checkIndices("normOfRows", idx, table.rows, "rows of a " + table.shape() + " table");
    int d = table.cols;
    float[] x = table.data;
    float nv = (float) Math.sqrt(sumOfSquaresOfRows(x, ix, d));
    Tensor out = tape.output(1, 1, table);
    out.data[0] = nv;
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float c = nv == 0f ? 0f : g[0] / nv;
      if (table instanceof Param p) {
        p.defer(new NormPart(x, d, ix, c, nv == 0f));
        return;
      }
      float[] gt = table.gradBuffer();
      NormPart part = new NormPart(x, d, ix, c, nv == 0f);
      Parallel.forRange(
          table.rows, Math.max(1, GRAIN / Math.max(1, d)), (from, to) -> part.addRows(from, to, gt, from));
    });
    return out;
  }

  /**
   * The gradient of ‖table[idx]‖ scaled by g: c·row added for every occurrence of a row in idx, c = g / ‖·‖. The
   * composite (gather, then norm) adds the occurrences of a row one by one, each product rounded before it is
   * added, so this does the same, row by row (+0 each at a zero norm, where the composite's gradient is +0).
   */
  private static final class NormPart implements DeferredGradient {
    private final float[] x;
    private final int d;
    private final int[] rows; // distinct rows, ascending
    private final int[] counts; // occurrences of each
    private final float c;
    private final boolean zero;

    NormPart(float[] x, int d, int[] idx, float c, boolean zero) {
      this.x = x;
      this.d = d;
      this.c = c;
      this.zero = zero;
      int[] count = new int[x.length / Math.max(1, d)]; // occurrences per table row: a pass, no sort
      int distinct = 0;
      for (int r : idx) {
        if (count[r]++ == 0) {
          distinct++;
        }
      }
      rows = new int[distinct];
      counts = new int[distinct];
      int j = 0;
      for (int r = 0; r < count.length && j < distinct; r++) {
        if (count[r] != 0) {
          rows[j] = r;
          counts[j++] = count[r];
        }
      }
    }

    @Override
    public void addRows(int from, int to, float[] out, int outRow0) {
      int k = java.util.Arrays.binarySearch(rows, from);
      if (k < 0) {
        k = -k - 1;
      }
      for (; k < rows.length && rows[k] < to; k++) {
        int r = rows[k];
        int o = (r - from + outRow0) * d;
        int xo = r * d;
        for (int rep = 0; rep < counts[k]; rep++) {
          if (zero) {
            for (int t = 0; t < d; t++) {
              out[o + t] += 0f;
            }
          } else {
            for (int t = 0; t < d; t++) {
              out[o + t] += c * x[xo + t]; // the product rounded, then added: the composite's two steps
            }
          }
        }
      }
    }
  }

  /** {@link #sumOfSquares} of the rows idx of x (d values each), as if they were gathered into one array. */
  private static double sumOfSquaresOfRows(float[] x, int[] idx, int d) {
    return sumOfRowSums(x, idx.length, d, r -> idx[r] * d);
  }

  /** ‖x‖₂ (Frobenius norm), 1×1, as torch.norm(x, p=2); the gradient at x = 0 is 0, as torch. */
  static Tensor norm(Tape tape, Tensor x) {
    float nv = (float) Math.sqrt(sumOfSquares(x.data, x.rows, x.cols));
    Tensor out = tape.output(1, 1, x);
    out.data[0] = nv;
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      if (nv == 0f) {
        return;
      }
      float c = g[0] / nv;
      values(gx.length, (s, e) -> Kernels.axpy(c, x.data, s, gx, s, e - s));
    });
    return out;
  }

  /** Row sums, m×1 (torch: {@code x.sum(dim=1, keepdim=True)}). */
  static Tensor rowSum(Tape tape, Tensor x) {
    int m = x.rows;
    int n = x.cols;
    Tensor out = tape.output(m, 1, x);
    float[] y = out.data;
    rowsOf(m, n, (s, e) -> {
      for (int r = s; r < e; r++) {
        double acc = 0;
        for (int j = 0; j < n; j++) {
          acc += x.data[r * n + j];
        }
        y[r] = (float) acc;
      }
    });
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float[] gx = x.gradBuffer();
      rowsOf(m, n, (s, e) -> {
        for (int r = s; r < e; r++) {
          for (int j = 0; j < n; j++) {
            gx[r * n + j] += g[r];
          }
        }
      });
    });
    return out;
  }
}
