package org.userec.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.data.FeatureTable;
import org.userec.data.NpyReader;
import org.userec.data.NpyWriter;

class PcaTest {
  @TempDir Path tmp;

  /**
   * n rows in d dims built as 3 latent factors with standard deviations 10, 5, 2 along orthonormal
   * directions, plus isotropic noise 0.1, plus an offset. Expected variances: 100, 25, 4, then 0.01 per noise
   * dimension; total = 129 + 0.01·d, so 3 components explain 129 / (129 + 0.01·d).
   */
  static float[] structured(int n, int d, long seed, double[][] dirs) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] sd = {10, 5, 2};
    for (int j = 0; j < 3; j++) {
      dirs[j] = new double[d];
      for (int c = 0; c < d; c++) {
        dirs[j][c] = rng.nextGaussian();
      }
      for (int i = 0; i < j; i++) { // Gram-Schmidt
        double p = 0;
        for (int c = 0; c < d; c++) {
          p += dirs[j][c] * dirs[i][c];
        }
        for (int c = 0; c < d; c++) {
          dirs[j][c] -= p * dirs[i][c];
        }
      }
      double norm = 0;
      for (int c = 0; c < d; c++) {
        norm += dirs[j][c] * dirs[j][c];
      }
      for (int c = 0; c < d; c++) {
        dirs[j][c] /= Math.sqrt(norm);
      }
    }
    float[] x = new float[n * d];
    for (int r = 0; r < n; r++) {
      double[] z = {rng.nextGaussian() * sd[0], rng.nextGaussian() * sd[1], rng.nextGaussian() * sd[2]};
      for (int c = 0; c < d; c++) {
        double v = 3.0 + 0.1 * rng.nextGaussian();
        for (int j = 0; j < 3; j++) {
          v += z[j] * dirs[j][c];
        }
        x[r * d + c] = (float) v;
      }
    }
    return x;
  }

  @Test
  void recoversKnownStructureTallData() {
    int n = 4000;
    int d = 20;
    double[][] dirs = new double[3][];
    float[] x = structured(n, d, 1, dirs);
    Pca p = Pca.fit(x, n, d, 3);
    double[] r = p.explainedVarianceRatio();
    double total = 129 + 0.01 * d;
    assertThat(r[0]).isCloseTo(100 / total, offset(0.05));
    assertThat(r[1]).isCloseTo(25 / total, offset(0.02));
    assertThat(r[2]).isCloseTo(4 / total, offset(0.01));
    assertThat(p.explained()).isCloseTo(129 / total, offset(0.002));
    for (int j = 0; j < 3; j++) { // components align with the planted directions, up to sign
      double c = 0;
      for (int k = 0; k < d; k++) {
        c += p.components()[j][k] * dirs[j][k];
      }
      assertThat(Math.abs(c)).isGreaterThan(0.99);
    }
    float[] y = p.transform(x, n);
    assertThat(y).hasSize(n * 3);
    double m0 = 0;
    double v0 = 0;
    for (int r0 = 0; r0 < n; r0++) {
      m0 += y[r0 * 3];
      v0 += y[r0 * 3] * (double) y[r0 * 3];
    }
    assertThat(m0 / n).isCloseTo(0, offset(1e-3));
    assertThat(v0 / (n - 1)).isCloseTo(p.variance()[0], offset(1e-3 * p.variance()[0]));
  }

  @Test
  void wideDataUsesTheGramMatrixAndAgrees() {
    int n = 60;
    int d = 200;
    double[][] dirs = new double[3][];
    float[] x = structured(n, d, 2, dirs);
    Pca wide = Pca.fit(x, n, d, 5);
    assertThat(wide.components()).hasDimensions(5, d);
    assertThat(wide.explained()).isGreaterThan(0.85).isLessThanOrEqualTo(1.0 + 1e-9);
    // Same data padded with many more identical rows would change the statistics; instead compare to the
    // covariance path on the transposed problem's answer: variance along each component equals that of the projection.
    float[] y = wide.transform(x, n);
    for (int j = 0; j < 5; j++) {
      double s = 0;
      for (int r = 0; r < n; r++) {
        s += y[r * 5 + j] * (double) y[r * 5 + j];
      }
      assertThat(s / (n - 1)).isCloseTo(wide.variance()[j], offset(1e-3 * wide.variance()[0]));
    }
  }

  @Test
  void npyInNpyOutWithTheRequestedShape() throws Exception {
    int n = 300;
    int d = 16;
    float[] x = structured(n, d, 3, new double[3][]);
    Path in = tmp.resolve("x.npy");
    NpyWriter.writeFloat32(in, n, d, x);
    Pca p = Pca.run(in, tmp.resolve("y.npy"), 4, s -> {});
    FeatureTable y = NpyReader.read(tmp.resolve("y.npy"));
    assertThat(y.rows()).isEqualTo(n);
    assertThat(y.cols()).isEqualTo(4);
    assertThat(p.describe(n)).contains("PCA 16 -> 4 over 300 rows: explained variance ratio");
    assertThatThrownBy(() -> Pca.run(in, tmp.resolve("z.npy"), 17, s -> {})).isInstanceOf(BadInputException.class).hasMessageContaining("--dims");
  }
}
