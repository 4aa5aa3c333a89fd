package org.userec.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.data.Interactions;

class DegreeSensitiveSamplerTest {
  /** u0: i0 i1 i2; u1: i0; u2: i0 (and a duplicate u0-i1 that counts once). */
  private static Interactions small() {
    return new Interactions(new int[] {0, 0, 0, 1, 2, 0}, new int[] {0, 1, 2, 0, 0, 1});
  }

  @Test
  void weightsByHand() {
    DegreeSensitiveSampler s = new DegreeSensitiveSampler(3, 3, small());
    assertThat(s.edges()).isEqualTo(5);
    // degrees: u0 3, u1 1, u2 1; i0 3, i1 1, i2 1; edges in (user, item) order
    double[] w = s.weights();
    assertThat(w[0]).isCloseTo(1 / 3.0, offset(1e-7)); // u0-i0
    assertThat(w[1]).isCloseTo(1 / Math.sqrt(3), offset(1e-7)); // u0-i1
    assertThat(w[2]).isCloseTo(1 / Math.sqrt(3), offset(1e-7)); // u0-i2
    assertThat(w[3]).isCloseTo(1 / Math.sqrt(3), offset(1e-7)); // u1-i0
    assertThat(w[4]).isCloseTo(1 / Math.sqrt(3), offset(1e-7)); // u2-i0
  }

  @Test
  void keepAllIsExactlyTheFullNormalisedGraph() {
    Interactions train = randomTrain(40, 30, 300, 3);
    DegreeSensitiveSampler s = new DegreeSensitiveSampler(40, 30, train);
    CsrMatrix expected = InteractionGraph.normalizedAdjacency(40, 30, train);
    CsrMatrix all = s.sample(1.0, new SplittableRandom(1));
    assertThat(all.rowPtr).isEqualTo(expected.rowPtr);
    assertThat(all.colIdx).isEqualTo(expected.colIdx);
    assertThat(all.values).isEqualTo(expected.values);
    assertThat(all.transpose()).isSameAs(all);
    assertThat(s.full()).isSameAs(all);
  }

  @Test
  void sampleIsDistinctSymmetricAndRenormalisedWithSampledDegrees() {
    Interactions train = randomTrain(50, 40, 400, 4);
    DegreeSensitiveSampler s = new DegreeSensitiveSampler(50, 40, train);
    int e = s.edges();
    CsrMatrix g = s.sample(0.3, new SplittableRandom(7));
    int n = (int) Math.ceil(0.3 * e - 1e-9);
    assertThat(g.nnz()).isEqualTo(2 * n);
    assertThat(g.transpose()).isSameAs(g);
    float[][] d = g.toDense();
    int[] deg = new int[90];
    for (int i = 0; i < 90; i++) {
      for (int k = g.rowPtr[i]; k < g.rowPtr[i + 1]; k++) {
        deg[i]++;
        if (k > g.rowPtr[i]) {
          assertThat(g.colIdx[k]).isGreaterThan(g.colIdx[k - 1]); // sorted and distinct
        }
        assertThat(g.colIdx[k]).isNotEqualTo(i); // no self-loops
        // users connect only to items and back
        assertThat(g.colIdx[k] >= 50).isEqualTo(i < 50);
      }
    }
    for (int i = 0; i < 90; i++) {
      for (int j = 0; j < 90; j++) {
        assertThat(d[i][j]).isEqualTo(d[j][i]);
        if (d[i][j] != 0f) {
          assertThat((double) d[i][j]).isCloseTo(1 / Math.sqrt((double) deg[i] * deg[j]), offset(1e-6));
        }
      }
    }
  }

  @Test
  void ratioRoundsUpWithoutFloatingPointNoise() {
    // 10 edges: 0.3 -> 3 (0.3 * 10 is 3.0000000000000004 in double), 0.25 -> 3, 0.01 -> 1
    Interactions train = randomTrain(10, 10, 10, 1);
    DegreeSensitiveSampler s = new DegreeSensitiveSampler(10, 10, train);
    assertThat(s.edges()).isEqualTo(10);
    assertThat(s.sample(0.3, new SplittableRandom(1)).nnz()).isEqualTo(6);
    assertThat(s.sample(0.25, new SplittableRandom(1)).nnz()).isEqualTo(6);
    assertThat(s.sample(0.01, new SplittableRandom(1)).nnz()).isEqualTo(2);
    assertThat(s.sampleEdges(0, new SplittableRandom(1)).nnz()).isZero();
    assertThatThrownBy(() -> s.sample(0.0, new SplittableRandom(1))).hasMessageContaining("keep ratio");
    assertThatThrownBy(() -> s.sampleEdges(11, new SplittableRandom(1))).hasMessageContaining("11 of 10");
  }

  @Test
  void singleDrawFollowsTheWeights() {
    DegreeSensitiveSampler s = new DegreeSensitiveSampler(3, 3, small());
    double[] w = s.weights();
    double total = Arrays.stream(w).sum();
    int trials = 40000;
    int[] hits = new int[w.length];
    SplittableRandom rng = new SplittableRandom(11);
    for (int t = 0; t < trials; t++) {
      boolean[] kept = s.keep(1, rng);
      for (int k = 0; k < kept.length; k++) {
        if (kept[k]) {
          hits[k]++;
        }
      }
    }
    for (int k = 0; k < w.length; k++) {
      double p = w[k] / total;
      assertThat(hits[k] / (double) trials).as("edge %d", k).isCloseTo(p, offset(4 * Math.sqrt(p * (1 - p) / trials)));
    }
  }

  @Test
  void twoOfThreeMatchesSequentialDrawsWithoutReplacement() {
    // u0: i0, i1; u1: i1 -> degrees u0 2, u1 1, i0 1, i1 2; weights 1/√2, 1/2, 1/√2
    DegreeSensitiveSampler s = new DegreeSensitiveSampler(2, 2, new Interactions(new int[] {0, 0, 1}, new int[] {0, 1, 1}));
    double[] w = s.weights();
    double total = Arrays.stream(w).sum();
    double[] p = new double[3];
    for (int k = 0; k < 3; k++) {
      p[k] = w[k] / total;
    }
    int trials = 40000;
    int[] hits = new int[3];
    SplittableRandom rng = new SplittableRandom(5);
    for (int t = 0; t < trials; t++) {
      boolean[] kept = s.keep(2, rng);
      int c = 0;
      for (int k = 0; k < 3; k++) {
        if (kept[k]) {
          hits[k]++;
          c++;
        }
      }
      assertThat(c).isEqualTo(2);
    }
    for (int k = 0; k < 3; k++) {
      double inc = p[k];
      for (int j = 0; j < 3; j++) {
        if (j != k) {
          inc += p[j] * p[k] / (1 - p[j]);
        }
      }
      assertThat(hits[k] / (double) trials).as("edge %d", k).isCloseTo(inc, offset(4 * Math.sqrt(inc * (1 - inc) / trials)));
    }
    assertThat(hits[1]).isLessThan(hits[0]); // the edge between two degree-2 nodes is pruned most
  }

  @Test
  void highDegreeEdgesAreKeptLess() {
    Interactions train = randomTrain(200, 100, 3000, 8);
    DegreeSensitiveSampler s = new DegreeSensitiveSampler(200, 100, train);
    double[] w = s.weights();
    int e = s.edges();
    int[] hits = new int[e];
    SplittableRandom rng = new SplittableRandom(3);
    for (int t = 0; t < 300; t++) {
      boolean[] kept = s.keep(e / 5, rng);
      for (int k = 0; k < e; k++) {
        hits[k] += kept[k] ? 1 : 0;
      }
    }
    // mean inclusion of the lightest and heaviest quarter of edges by weight
    Integer[] order = new Integer[e];
    for (int k = 0; k < e; k++) {
      order[k] = k;
    }
    Arrays.sort(order, (a, b) -> Double.compare(w[a], w[b]));
    double low = 0;
    double high = 0;
    int q = e / 4;
    for (int k = 0; k < q; k++) {
      low += hits[order[k]];
      high += hits[order[e - 1 - k]];
    }
    assertThat(high).isGreaterThan(1.25 * low); // measured ratio 1.42 on this graph
  }

  @Test
  void sameGeneratorSameSample() {
    Interactions train = randomTrain(60, 50, 500, 2);
    DegreeSensitiveSampler s = new DegreeSensitiveSampler(60, 50, train);
    CsrMatrix a = s.sample(0.1, new SplittableRandom(42));
    CsrMatrix b = s.sample(0.1, new SplittableRandom(42));
    CsrMatrix c = s.sample(0.1, new SplittableRandom(43));
    assertThat(b.colIdx).isEqualTo(a.colIdx);
    assertThat(b.values).isEqualTo(a.values);
    assertThat(c.colIdx).isNotEqualTo(a.colIdx);
  }

  @Test
  void quickselectAgreesWithSorting() {
    SplittableRandom r = new SplittableRandom(1);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + r.nextInt(60);
      double[] a = new double[n];
      for (int i = 0; i < n; i++) {
        a[i] = r.nextInt(8); // many duplicates
      }
      double[] sorted = a.clone();
      Arrays.sort(sorted);
      int rank = r.nextInt(n);
      assertThat(DegreeSensitiveSampler.nthSmallest(a.clone(), rank)).isEqualTo(sorted[rank]);
    }
  }

  /** n distinct random (user, item) pairs; every user and item appears at least once when n allows. */
  static Interactions randomTrain(int users, int items, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    java.util.LinkedHashSet<Long> pairs = new java.util.LinkedHashSet<>();
    for (int k = 0; k < Math.max(users, items) && pairs.size() < n; k++) {
      pairs.add(((long) (k % users) << 32) | (k % items));
    }
    while (pairs.size() < n) {
      pairs.add(((long) r.nextInt(users) << 32) | r.nextInt(items));
    }
    int[] u = new int[n];
    int[] i = new int[n];
    int p = 0;
    for (long x : pairs) {
      u[p] = (int) (x >>> 32);
      i[p] = (int) x;
      p++;
    }
    return new Interactions(u, i);
  }
}
