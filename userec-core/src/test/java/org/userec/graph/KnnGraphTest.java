package org.userec.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.userec.data.FeatureTable;
import org.userec.util.Parallel;

class KnnGraphTest {
  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(Runtime.getRuntime().availableProcessors());
  }

  /** x0=(1,0), x1=(1,1), x2=(0,1), x3=(−1,0) scaled arbitrarily (cosine ignores scale). */
  private static FeatureTable square() {
    return new FeatureTable("hand", 4, 2, new float[] {2, 0, 3, 3, 0, 0.5f, -1, 0});
  }

  @Test
  void binaryByHand() {
    // row tops (k=2, self included; row 1 ties x0 and x2 at cos 0.707 -> lower index 0):
    // 0:{0,1} 1:{0,1} 2:{1,2} 3:{2,3}; every row sum is 2 -> every value 1/2
    CsrMatrix g = KnnGraph.cosineTopK(square(), 2, false);
    float h = (float) (1 / Math.sqrt(2 + 1e-7) / Math.sqrt(2 + 1e-7));
    float[][] expected = {
      {h, h, 0, 0},
      {h, h, 0, 0},
      {0, h, h, 0},
      {0, 0, h, h},
    };
    float[][] d = g.toDense();
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        assertThat(d[i][j]).isCloseTo(expected[i][j], offset(1e-7f));
      }
    }
    assertThat(g.nnz()).isEqualTo(8);
  }

  @Test
  void weightedByHand() {
    CsrMatrix g = KnnGraph.cosineTopK(square(), 2, true);
    double c = Math.sqrt(0.5);
    double d0 = 1 + c; // row 0: self 1, x1 0.707
    double d1 = 1 + c;
    double d2 = 1 + c;
    double d3 = 1 + 0; // row 3: self 1, x2 cos 0 (kept: it beats x1 at −0.707 and x0 at −1)
    float[][] d = g.toDense();
    assertThat(d[0][1]).isCloseTo((float) (c / Math.sqrt(d0 * d1)), offset(1e-6f));
    assertThat(d[0][0]).isCloseTo((float) (1 / d0), offset(1e-6f));
    assertThat(d[2][1]).isCloseTo((float) (c / Math.sqrt(d2 * d1)), offset(1e-6f));
    assertThat(d[3][3]).isCloseTo((float) (1 / d3), offset(1e-6f));
    assertThat(d[3][2]).isZero(); // kept with similarity 0
    assertThat(g.rowPtr).containsExactly(0, 2, 4, 6, 8);
    assertThat(g.colIdx).containsExactly(0, 1, 0, 1, 1, 2, 2, 3);
  }

  private static FeatureTable random(int n, int dim, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n * dim];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return new FeatureTable("rand", n, dim, v);
  }

  /** Dense reference in double: full similarity matrix, sort each row by (value desc, index asc). */
  private static double[][] reference(FeatureTable f, int k, boolean weighted) {
    int n = f.rows();
    int dim = f.cols();
    double[][] x = new double[n][dim];
    for (int i = 0; i < n; i++) {
      double norm = 0;
      for (int j = 0; j < dim; j++) {
        norm += (double) f.data()[i * dim + j] * f.data()[i * dim + j];
      }
      for (int j = 0; j < dim; j++) {
        x[i][j] = f.data()[i * dim + j] / Math.sqrt(norm);
      }
    }
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      double[] s = new double[n];
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) {
        for (int t = 0; t < dim; t++) {
          s[j] += x[i][t] * x[j][t];
        }
        order[j] = j;
      }
      java.util.Arrays.sort(order, (p, q) -> s[p] != s[q] ? Double.compare(s[q], s[p]) : Integer.compare(p, q));
      for (int t = 0; t < k; t++) {
        a[i][order[t]] = weighted ? s[order[t]] : 1;
      }
    }
    double[] deg = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        deg[i] += a[i][j];
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        a[i][j] *= Math.pow(deg[i] + 1e-7, -0.5) * Math.pow(deg[j] + 1e-7, -0.5);
      }
    }
    return a;
  }

  @Test
  void blockwiseMatchesDenseReferenceAcrossBlockSeams() {
    FeatureTable f = random(37, 7, 5);
    for (boolean weighted : new boolean[] {false, true}) {
      double[][] ref = reference(f, 5, weighted);
      for (int block : new int[] {1, 4, 16, 37, 100}) {
        CsrMatrix g = KnnGraph.cosineTopK(f, 5, weighted, block);
        float[][] d = g.toDense();
        for (int i = 0; i < 37; i++) {
          assertThat(g.rowPtr[i + 1] - g.rowPtr[i]).isEqualTo(5);
          for (int j = 0; j < 37; j++) {
            assertThat((double) d[i][j]).as("block %d (%d,%d)", block, i, j).isCloseTo(ref[i][j], offset(1e-5));
          }
        }
      }
    }
  }

  @Test
  void sameResultOnAnyThreadCountAndBlockSize() {
    FeatureTable f = random(300, 16, 9);
    Parallel.setThreads(1);
    CsrMatrix one = KnnGraph.cosineTopK(f, 10, true, 7);
    Parallel.setThreads(2);
    CsrMatrix two = KnnGraph.cosineTopK(f, 10, true, 7);
    CsrMatrix big = KnnGraph.cosineTopK(f, 10, true);
    assertThat(two.colIdx).isEqualTo(one.colIdx);
    assertThat(two.values).isEqualTo(one.values);
    assertThat(big.colIdx).isEqualTo(one.colIdx);
    assertThat(big.values).isEqualTo(one.values);
  }

  @Test
  void selfIsAlwaysANeighbourAndZeroRowsAreSafe() {
    FeatureTable f = new FeatureTable("z", 3, 2, new float[] {1, 0, 0, 0, 0, 1});
    CsrMatrix g = KnnGraph.cosineTopK(f, 1, false);
    // row 1 is all zeros: every similarity is 0, the tie goes to column 0
    assertThat(g.colIdx).containsExactly(0, 0, 2);
    assertThat(KnnGraph.cosineTopK(random(20, 3, 1), 1, false).colIdx)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
  }

  @Test
  void rejectsBadK() {
    assertThatThrownBy(() -> KnnGraph.cosineTopK(square(), 5, false)).hasMessageContaining("knn_k");
    assertThatThrownBy(() -> KnnGraph.cosineTopK(square(), 0, false)).hasMessageContaining("knn_k");
  }

  @Test
  void fuseIsTheWeightedSum() {
    CsrMatrix a = CsrMatrix.fromCoo(2, 2, new int[] {0, 1}, new int[] {0, 1}, new float[] {1, 2});
    CsrMatrix b = CsrMatrix.fromCoo(2, 2, new int[] {0, 1}, new int[] {1, 1}, new float[] {4, 8});
    CsrMatrix s = KnnGraph.fuse(List.of(a, b), new double[] {0.25, 0.75});
    assertThat(s.toDense()).isDeepEqualTo(new float[][] {{0.25f, 3f}, {0, 0.5f + 6f}});
    assertThat(KnnGraph.fuse(List.of(a), new double[] {1.0}).toDense()).isDeepEqualTo(a.toDense());
    CsrMatrix c = KnnGraph.fuse(List.of(a, b, a), new double[] {0.2, 0.3, 0.5});
    assertThat(c.toDense()[1][1]).isCloseTo(0.4f + 2.4f + 1f, offset(1e-6f));
  }

  @Test
  void fuseChecksWeights() {
    CsrMatrix a = CsrMatrix.fromCoo(2, 2, new int[] {0}, new int[] {0}, new float[] {1});
    assertThatThrownBy(() -> KnnGraph.fuse(List.of(a, a), new double[] {0.5, 0.6})).hasMessageContaining("sum to");
    assertThatThrownBy(() -> KnnGraph.fuse(List.of(a, a), new double[] {1.0})).hasMessageContaining("one weight per");
    CsrMatrix other = CsrMatrix.fromCoo(3, 3, new int[] {0}, new int[] {0}, new float[] {1});
    assertThatThrownBy(() -> KnnGraph.fuse(List.of(a, other), new double[] {0.5, 0.5})).hasMessageContaining("shapes");
    // within 1e-6 is accepted
    KnnGraph.fuse(List.of(a, a), new double[] {0.1, 0.9000001});
  }

  /** Low-rank signal plus noise, like CNN features: `latent` factors through a random map, then N(0, 1). */
  static FeatureTable lowRank(int n, int dim, int latent, float signal, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] map = new float[latent * dim];
    for (int q = 0; q < map.length; q++) {
      map[q] = (float) r.nextGaussian();
    }
    float[] v = new float[n * dim];
    float[] z = new float[latent];
    for (int i = 0; i < n; i++) {
      for (int l = 0; l < latent; l++) {
        z[l] = (float) r.nextGaussian();
      }
      for (int j = 0; j < dim; j++) {
        float s = 0;
        for (int l = 0; l < latent; l++) {
          s += z[l] * map[l * dim + j];
        }
        v[i * dim + j] = signal * s + (float) r.nextGaussian();
      }
    }
    return new FeatureTable("lowrank", n, dim, v);
  }

  private static int[] allRows(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    return rows;
  }

  @Test
  void projectedRecallsTheExactNeighbours() {
    FeatureTable f = lowRank(2000, 256, 16, 0.5f, 11);
    KnnGraph.Options o = new KnnGraph.Options(KnnGraph.Method.PROJECTED, 32, 32, 3);
    CsrMatrix g = KnnGraph.cosineTopK(f, 10, false, o);
    double recall = KnnGraph.recall(f, g, 10, allRows(2000));
    assertThat(recall).isGreaterThanOrEqualTo(0.95);
    assertThat(g.rowPtr[2000]).isEqualTo(20_000);
    assertThat(KnnGraph.recall(f, KnnGraph.cosineTopK(f, 10, false), 10, allRows(2000))).isEqualTo(1.0);
  }

  @Test
  void projectedWithEveryCandidateIsTheExactGraph() {
    FeatureTable f = random(200, 24, 4);
    for (boolean weighted : new boolean[] {false, true}) {
      CsrMatrix exact = KnnGraph.cosineTopK(f, 7, weighted);
      for (int rank : new int[] {5, 24, 100}) {
        CsrMatrix g = KnnGraph.cosineTopK(f, 7, weighted, new KnnGraph.Options(KnnGraph.Method.PROJECTED, rank, 200, 1));
        assertThat(g.colIdx).as("rank %d", rank).isEqualTo(exact.colIdx);
        for (int q = 0; q < g.nnz(); q++) {
          assertThat(g.values[q]).isCloseTo(exact.values[q], offset(1e-6f));
        }
      }
    }
  }

  @Test
  void projectedIsThreadIndependentAndSurvivesDegenerateTables() {
    FeatureTable f = lowRank(700, 96, 4, 1f, 8);
    KnnGraph.Options o = new KnnGraph.Options(KnnGraph.Method.PROJECTED, 16, 20, 5);
    Parallel.setThreads(1);
    CsrMatrix one = KnnGraph.cosineTopK(f, 5, true, o);
    Parallel.setThreads(2);
    CsrMatrix two = KnnGraph.cosineTopK(f, 5, true, o);
    assertThat(two.colIdx).isEqualTo(one.colIdx);
    assertThat(two.values).isEqualTo(one.values);
    // rank 2 data (plus zero rows and duplicates) projected onto 8 dims: dead directions are dropped
    float[] v = new float[60 * 10];
    for (int i = 0; i < 60; i++) {
      if (i % 7 != 3) {
        v[i * 10] = (i % 5) + 1;
        v[i * 10 + 1] = (i % 3) - 1;
      }
    }
    FeatureTable d = new FeatureTable("degenerate", 60, 10, v);
    CsrMatrix g = KnnGraph.cosineTopK(d, 3, false, new KnnGraph.Options(KnnGraph.Method.PROJECTED, 8, 60, 2));
    assertThat(g.colIdx).isEqualTo(KnnGraph.cosineTopK(d, 3, false).colIdx);
  }

  @Test
  void pcaBasisIsOrthonormal() {
    FeatureTable f = lowRank(500, 64, 6, 1f, 2);
    float[] inv = new float[500];
    java.util.Arrays.fill(inv, 1f);
    float[] v = KnnGraph.pcaBasis(f, inv, 12, 9);
    for (int a = 0; a < 12; a++) {
      for (int b = 0; b < 12; b++) {
        double s = 0;
        for (int j = 0; j < 64; j++) {
          s += (double) v[j * 12 + a] * v[j * 12 + b];
        }
        assertThat(s).as("(%d,%d)", a, b).isCloseTo(a == b ? 1 : 0, offset(1e-4));
      }
    }
  }

  @Test
  void autoPicksExactForSmallTablesAndParsesNames() {
    KnnGraph.Options o = KnnGraph.Options.DEFAULT;
    assertThat(o.resolve(6710, 128)).isEqualTo(KnnGraph.Method.EXACT); // TikTok image: r >= dim
    assertThat(o.resolve(7050, 4096)).isEqualTo(KnnGraph.Method.EXACT); // Baby: 2e11
    assertThat(o.resolve(63_000, 4096)).isEqualTo(KnnGraph.Method.PROJECTED); // Elec: 1.6e13
    assertThat(o.withMethod(KnnGraph.Method.EXACT).resolve(63_000, 4096)).isEqualTo(KnnGraph.Method.EXACT);
    assertThat(KnnGraph.Method.parse(" Projected")).isEqualTo(KnnGraph.Method.PROJECTED);
    assertThatThrownBy(() -> KnnGraph.Method.parse("lsh")).hasMessageContaining("auto, exact or projected");
    assertThatThrownBy(() -> new KnnGraph.Options(KnnGraph.Method.AUTO, 0, 5, 1)).hasMessageContaining("knn_rank");
  }
}
