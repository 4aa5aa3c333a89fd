package org.userec.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.BadInputException;
import org.userec.util.Parallel;

class TsneTest {
  /** k clusters of m points in d dimensions: centres 10 apart per axis, unit noise. */
  private static double[] clusters(int k, int m, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] centres = new double[k][d];
    for (double[] c : centres) {
      for (int t = 0; t < d; t++) {
        c[t] = 10 * r.nextGaussian();
      }
    }
    double[] x = new double[k * m * d];
    for (int i = 0; i < k * m; i++) {
      for (int t = 0; t < d; t++) {
        x[i * d + t] = centres[i / m][t] + r.nextGaussian();
      }
    }
    return x;
  }

  @Test
  void separatedClustersStaySeparated() {
    int k = 4;
    int m = 50;
    int n = k * m;
    Tsne.Result r = Tsne.embed(clusters(k, m, 50, 1), n, 50, new Tsne.Settings(20, 500, 200, 7));
    double[] y = r.y();
    for (int i = 0; i < n; i++) {
      int best = -1;
      double bestD = Double.POSITIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        double a = y[2 * i] - y[2 * j];
        double b = y[2 * i + 1] - y[2 * j + 1];
        if (j != i && a * a + b * b < bestD) {
          bestD = a * a + b * b;
          best = j;
        }
      }
      assertThat(best / m).as("nearest embedded neighbour of point %d", i).isEqualTo(i / m);
    }
  }

  @Test
  void everyRowHasTheTargetEntropy() {
    int n = 300;
    int d = 10;
    SplittableRandom r = new SplittableRandom(3);
    double[] x = new double[n * d];
    for (int k = 0; k < x.length; k++) {
      x[k] = r.nextGaussian() * (k % d + 1); // uneven scales
    }
    for (double perplexity : new double[] {5, 30, 100}) {
      double[] p = Tsne.conditionalAffinities(x, n, d, perplexity);
      for (int i = 0; i < n; i++) {
        double h = 0;
        double sum = 0;
        for (int j = 0; j < n; j++) {
          double v = p[i * n + j];
          sum += v;
          if (v > 0) {
            h -= v * Math.log(v);
          }
        }
        assertThat(p[i * n + i]).isZero();
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(h).as("row %d at perplexity %s", i, perplexity).isCloseTo(Math.log(perplexity), org.assertj.core.data.Offset.offset(1e-5));
      }
    }
  }

  @Test
  void klDecreasesOverTheRun() {
    int n = 200;
    List<Double> kls = new ArrayList<>();
    List<Integer> its = new ArrayList<>();
    Tsne.Result r = Tsne.embed(clusters(4, 50, 20, 5), n, 20, new Tsne.Settings(30, 600, 200, 11), 50, (it, kl) -> {
      its.add(it);
      kls.add(kl);
    });
    assertThat(its).startsWith(50, 100).endsWith(550, 600);
    assertThat(kls.get(kls.size() - 1)).isEqualTo(r.kl());
    // after early exaggeration the map descends KL(P||Q) itself
    int from = its.indexOf(300);
    for (int t = from + 1; t < kls.size(); t++) {
      assertThat(kls.get(t)).as("KL at iteration %d", its.get(t)).isLessThanOrEqualTo(kls.get(t - 1) + 1e-9);
    }
    assertThat(r.kl()).isLessThan(0.5 * kls.get(0));
  }

  @Test
  void sameSeedSameBitsOnAnyThreadCount() {
    int n = 120;
    double[] x = clusters(3, 40, 8, 9);
    Tsne.Settings s = new Tsne.Settings(15, 300, 200, 42);
    int before = Parallel.threads();
    try {
      Parallel.setThreads(1);
      double[] one = Tsne.embed(x, n, 8, s).y();
      double[] again = Tsne.embed(x, n, 8, s).y();
      Parallel.setThreads(2);
      double[] two = Tsne.embed(x, n, 8, s).y();
      assertThat(again).isEqualTo(one);
      assertThat(two).isEqualTo(one);
      double[] otherSeed = Tsne.embed(x, n, 8, new Tsne.Settings(15, 300, 200, 43)).y();
      assertThat(otherSeed).isNotEqualTo(one);
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void badInputIsAClearError() {
    Tsne.Settings s = new Tsne.Settings(5, 10, 200, 1);
    assertThatThrownBy(() -> Tsne.embed(new double[] {1, 2}, 2, 1, s))
        .isInstanceOf(BadInputException.class).hasMessageContaining("at least 3 points, got 2");
    assertThatThrownBy(() -> Tsne.embed(new double[6], 6, 1, s))
        .isInstanceOf(BadInputException.class).hasMessageContaining("perplexity 5.0").hasMessageContaining("got 6");
    double[] x = new double[20];
    x[13] = Double.NaN;
    assertThatThrownBy(() -> Tsne.embed(x, 10, 2, new Tsne.Settings(3, 10, 200, 1)))
        .isInstanceOf(BadInputException.class).hasMessageContaining("point 6, dimension 1 is NaN");
    assertThatThrownBy(() -> new Tsne.Settings(0, 10, 200, 1)).isInstanceOf(BadInputException.class).hasMessageContaining("perplexity");
    assertThatThrownBy(() -> new Tsne.Settings(30, 0, 200, 1)).isInstanceOf(BadInputException.class).hasMessageContaining("iterations");
  }
}
