package org.userec.tensor;

import static org.userec.tensor.Elementwise.log1pExpNegAbs;
import static org.userec.tensor.Elementwise.sigma;
import static org.userec.tensor.RowNormalisation.normalizeRows;
import static org.userec.tensor.RowNormalisation.normalizeRowsBackward;
import static org.userec.tensor.RowNormalisation.rowShift;
import static org.userec.tensor.Tape.PARALLEL_MIN;
import static org.userec.tensor.Tape.checkIndices;
import static org.userec.tensor.Tape.rowsOf;
import static org.userec.tensor.Tape.sameShape;

import org.userec.tensor.simd.Kernels;
import org.userec.util.Parallel;

/**
 * Losses computed as one op rather than composed from the others, for speed and memory: MMRec's BPR loss over
 * rows of a table, and InfoNCE with in-batch negatives.
 */
final class FusedLosses {
  private FusedLosses() {}

  /**
   * MMRec's BPR loss over rows of a table, −mean_r log σ(t[u_r]·t[p_r] − t[u_r]·t[n_r]), 1×1: equal to {@code
   * scale(mean(logSigmoid(sub(rowDot(U, P), rowDot(U, N)))), −1)} with U, P, N = {@code gatherRows(table, u|p|n)}
   * gathered in that order, value for value and gradient for gradient, without the gathered copies or the
   * per-row tensors between. Backward adds into the table's gradient in the composite's order: every N row, then
   * every P row, then every U row, each in row order; threads split the table's rows, so that order holds per value.
   */
  static Tensor bprOfRows(Tape tape, Tensor table, int[] u, int[] p, int[] n) {
    if (u.length != p.length || u.length != n.length) {
      throw new IllegalArgumentException(
          "bprOfRows: " + u.length + " users, " + p.length + " positives, " + n.length + " negatives");
    }
    int[] iu = checkIndices("bprOfRows", u, table.rows, "rows of a " + table.shape() + " table");
    int[] ip = checkIndices("bprOfRows", p, table.rows, "rows of a " + table.shape() + " table");
    int[] in = checkIndices("bprOfRows", n, table.rows, "rows of a " + table.shape() + " table");
    int m = iu.length;
    int d = table.cols;
    float[] t = table.data;
    float[] diff = new float[m]; // pos − neg per row: the log-sigmoid's input
    rowsOf(m, 2 * d, (s, e) -> {
      for (int r = s; r < e; r++) {
        float pos = Kernels.dot(t, iu[r] * d, t, ip[r] * d, d);
        float neg = Kernels.dot(t, iu[r] * d, t, in[r] * d, d);
        diff[r] = pos - neg;
      }
    });
    double acc = 0;
    for (int r = 0; r < m; r++) {
      float v = diff[r];
      acc += (float) (Math.min(v, 0f) - log1pExpNegAbs(v));
    }
    Tensor out = tape.output(1, 1, table);
    out.data[0] = -1f * (float) (acc / m);
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      // the composite's scalars: scale(−1), then mean (1/m each), then log σ′ = σ(−x), then ± for the sub
      float gd = Math.fma(-1f, g[0], 0f) * (1f / m);
      float[] gpos = new float[m];
      float[] gneg = new float[m];
      for (int r = 0; r < m; r++) {
        float gx = 0f + (0f + gd) * sigma(-diff[r]);
        gpos[r] = 0f + gx;
        gneg[r] = 0f - gx;
      }
      float[] tg = table.gradBuffer();
      // threads split the table's rows: each scans the lists and adds into the rows it owns, so each value gets
      // the composite's adds in its order, every product an FMA into zero and every add an FMA by 1 (what
      // Kernels.axpy does, one value at a time here)
      int rows = table.rows;
      int parts = (long) m * d <= PARALLEL_MIN / 4 ? 1 : 4;
      Parallel.forRange(parts, 1, (c0, c1) -> {
        int lo = (int) ((long) rows * c0 / parts);
        int hi = (int) ((long) rows * c1 / parts);
        addScaledRows(tg, in, gneg, iu, t, d, lo, hi); // N rows: gneg·u
        addScaledRows(tg, ip, gpos, iu, t, d, lo, hi); // P rows: gpos·u
        for (int r = 0; r < m; r++) { // U rows: gneg·n first (its rowDot's backward ran first), then gpos·p
          if (iu[r] >= lo && iu[r] < hi) {
            float a = gneg[r];
            float b = gpos[r];
            int no = in[r] * d;
            int po = ip[r] * d;
            int o = iu[r] * d;
            for (int k = 0; k < d; k++) {
              tg[o + k] = Math.fma(1f, Math.fma(b, t[po + k], Math.fma(a, t[no + k], 0f)), tg[o + k]);
            }
          }
        }
      });
    });
    return out;
  }

  /**
   * tg[target_r] += coef_r · t[source_r] for every r whose target row is in [lo, hi), in r order: the product an
   * FMA into zero and the add an FMA by 1, as a rowDot's backward then a gather's backward do with Kernels.axpy.
   */
  private static void addScaledRows(
      float[] tg, int[] target, float[] coef, int[] source, float[] t, int d, int lo, int hi) {
    for (int r = 0; r < target.length; r++) {
      if (target[r] >= lo && target[r] < hi) {
        float a = coef[r];
        int so = source[r] * d;
        int o = target[r] * d;
        for (int k = 0; k < d; k++) {
          tg[o + k] = Math.fma(1f, Math.fma(a, t[so + k], 0f), tg[o + k]);
        }
      }
    }
  }

  /**
   * InfoNCE with cosine similarity and in-batch negatives (PGL, SGL, MGCN's {@code InfoNCE}):
   * mean_r −log( exp(cos(a_r,b_r)/τ) / Σ_s exp(cos(a_r,b_s)/τ) ), 1×1. Rows are normalised as
   * torch.nn.functional.normalize (eps 1e-12); the log-sum-exp is stable. Memory: one m×m float matrix.
   *
   * <p>The m×m matrix holds E_rs = exp(S_rs − max_s S_rs) for S = cos/τ and is never normalised: with P =
   * diag(1/Σ_s E_rs)·E the softmax and c = dL/dloss / (m·τ), the gradient dL/dcos = c·(P − I) gives dA =
   * c·(diag(1/ΣE)·(E·B̂) − B̂) and dB = c·(Eᵀ·(diag(1/ΣE)·Â) − Â) for the normalised rows Â, B̂: two products
   * with E and row-wise work on m×d, no further pass over E. E·B̂ is computed in the forward pass, each block of
   * rows right after the similarities and exponentials of that block, while it is in cache.
   */
  static Tensor infoNce(Tape tape, Tensor a, Tensor b, float tau) {
    sameShape("infoNce", a, b);
    if (!(tau > 0f)) {
      throw new IllegalArgumentException("infoNce: temperature must be > 0, got " + tau);
    }
    int m = a.rows;
    int d = a.cols;
    if (m == 0) {
      throw new IllegalArgumentException("infoNce: empty batch " + a.shape());
    }
    float[] na = tape.alloc(m * d);
    float[] nb = tape.alloc(m * d);
    float[] normA = tape.alloc(m);
    float[] normB = tape.alloc(m);
    normalizeRows(a.data, na, normA, m, d);
    normalizeRows(b.data, nb, normB, m, d);
    float[] e = tape.alloc(Math.multiplyExact(m, m)); // cosines, then exp(cos/τ − row max)
    float invTau = 1f / tau;
    float[] invSum = tape.alloc(m);
    double[] rowLoss = new double[m];
    // E·B̂ for dA, computed in the forward pass a block of rows at a time while the block of E is in cache (it
    // does not depend on the incoming gradient, which only scales it)
    float[] eb = tape.isRecording() && a.requiresGrad ? tape.alloc(m * d) : null;
    try (Kernels.RowProduct ebRows = eb == null ? null : Kernels.rowProduct(e, nb, eb, m, m, d)) {
      Kernels.gemmNT(na, nb, e, m, d, m, (from, to) -> {
        for (int r = from; r < to; r++) {
          int o = r * m;
          float pos = e[o + r] * invTau;
          float shift = rowShift(e, o, m, invTau);
          float sum = Kernels.expShifted(e, o, invTau, shift, e, o, m);
          invSum[r] = 1f / sum;
          rowLoss[r] = shift + Math.log(sum) - pos;
        }
        if (ebRows != null) {
          ebRows.rows(from, to);
        }
      });
    }
    double total = 0;
    for (double l : rowLoss) {
      total += l;
    }
    Tensor out = tape.output(1, 1, a, b);
    out.data[0] = (float) (total / m);
    tape.onBackward(out, () -> {
      float[] g = out.grad;
      if (g == null) {
        return;
      }
      float c = g[0] / m * invTau;
      if (a.requiresGrad) {
        float[] dna = eb; // E·B̂, from the forward pass
        rowsOf(m, d, (s, end) -> {
          for (int r = s; r < end; r++) {
            Kernels.scale(dna, c * invSum[r], r * d, d);
            Kernels.axpy(-c, nb, r * d, dna, r * d, d);
          }
        });
        normalizeRowsBackward(na, normA, dna, a.gradBuffer(), m, d);
      }
      if (b.requiresGrad) {
        float[] scaled = tape.alloc(m * d); // diag(1/ΣE)·Â
        rowsOf(m, d, (s, end) -> {
          for (int r = s; r < end; r++) {
            Kernels.axpy(invSum[r], na, r * d, scaled, r * d, d);
          }
        });
        float[] dnb = tape.alloc(m * d);
        Kernels.gemmTN(e, scaled, dnb, m, m, d, false); // Eᵀ·diag(1/ΣE)·Â
        rowsOf(m, d, (s, end) -> {
          for (int r = s; r < end; r++) {
            Kernels.scale(dnb, c, r * d, d);
            Kernels.axpy(-c, na, r * d, dnb, r * d, d);
          }
        });
        normalizeRowsBackward(nb, normB, dnb, b.gradBuffer(), m, d);
      }
    });
    return out;
  }
}
