package org.userec.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.userec.tensor.GradCheck.param;

import org.junit.jupiter.api.Test;

class ProductLogSumExpTest {

  /** log Σ_j exp(scale · a_r·b_j) in double, straight from the definition. */
  private static double[] direct(Tensor a, Tensor b, double scale) {
    double[] out = new double[a.rows];
    for (int r = 0; r < a.rows; r++) {
      double sum = 0;
      for (int j = 0; j < b.rows; j++) {
        double dot = 0;
        for (int c = 0; c < a.cols; c++) {
          dot += (double) a.get(r, c) * b.get(j, c);
        }
        sum += Math.exp(scale * dot);
      }
      out[r] = Math.log(sum);
    }
    return out;
  }

  @Test
  void valuesMatchTheDefinitionWhateverTheBlockSize() {
    Param a = param("a", 7, 5, 1, -2, 2);
    Param b = param("b", 11, 5, 2, -2, 2);
    double[] expected = direct(a, b, 5.0);
    for (int rows : new int[] {1, 2, 3, 7, 100}) {
      Tensor y = ProductLogSumExp.logSumExpNT(Tape.noGrad(), a, b, 5f, rows);
      assertThat(y.rows).isEqualTo(7);
      assertThat(y.cols).isEqualTo(1);
      for (int r = 0; r < 7; r++) {
        assertThat((double) y.data[r]).as("row %d, blocks of %d", r, rows).isCloseTo(expected[r], within(1e-4 * Math.abs(expected[r]) + 1e-5));
      }
    }
  }

  @Test
  void largeProductsDoNotOverflow() {
    Tensor a = Tensor.of(1, 2, 30f, 0f);
    Tensor b = Tensor.of(2, 2, 10f, 0f, 9f, 0f); // scale·a·b = 1500 and 1350: exp overflows float and double
    Tensor y = ProductLogSumExp.logSumExpNT(Tape.noGrad(), a, b, 5f);
    assertThat((double) y.data[0]).isCloseTo(1500 + Math.log1p(Math.exp(-150)), within(1e-3));
  }

  @Test
  void gradientsAcrossBlockEdges() {
    Param a = param("a", 5, 4, 1);
    Param b = param("b", 6, 4, 2);
    for (int rows : new int[] {1, 2, 5}) {
      GradCheck.of("logSumExpNT blocks of " + rows)
          .check(tp -> ProductLogSumExp.logSumExpNT(tp, a, b, 5f, rows), a, b);
    }
    GradCheck.of("logSumExpNT scale 1").check(tp -> ProductLogSumExp.logSumExpNT(tp, a, b, 1f), a, b);
  }

  @Test
  void gradientWhenATableIsBothSides() {
    // LGMRec scores gathered rows of a table against the whole table: both paths reach it
    Param table = param("table", 6, 3, 3);
    GradCheck.of("logSumExpNT of a table against itself")
        .check(tp -> ProductLogSumExp.logSumExpNT(tp, tp.gatherRows(table, new int[] {4, 0, 4}), table, 2f, 2), table);
  }

  @Test
  void badShapesAreRejected() {
    Tensor a = Tensor.of(1, 2, 1f, 2f);
    assertThatThrownBy(() -> ProductLogSumExp.logSumExpNT(Tape.noGrad(), a, Tensor.of(1, 3, 1f, 2f, 3f), 1f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column counts differ");
    assertThatThrownBy(() -> ProductLogSumExp.logSumExpNT(Tape.noGrad(), a, a, 0f))
        .hasMessageContaining("scale must be > 0");
    assertThatThrownBy(() -> ProductLogSumExp.logSumExpNT(Tape.noGrad(), a, new Tensor(0, 2), 1f))
        .hasMessageContaining("no rows");
  }
}
