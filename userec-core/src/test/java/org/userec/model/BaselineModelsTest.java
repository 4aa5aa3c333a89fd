package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.Interactions;
import org.userec.graph.CsrMatrix;
import org.userec.graph.InteractionGraph;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;
import org.userec.util.Seeds;

class BaselineModelsTest {
  // 3 users, 4 items
  private static final Dataset DS =
      new Dataset(
          "toy",
          3,
          4,
          new Interactions(new int[] {0, 0, 1, 2, 2}, new int[] {0, 1, 1, 2, 3}),
          new Interactions(new int[] {0}, new int[] {2}),
          new Interactions(new int[] {1}, new int[] {3}),
          List.of());

  private static Config cfg(String model, Map<String, Object> v) {
    return new ConfigLoader().model(model, ModelRegistry.names()).values("test", v).build();
  }

  @Test
  void lightGcnScoresAreTheLayerMeanByHand() {
    Config c = cfg("LightGCN", Map.of("n_layers", 2, "reg_weight", 0.0, "embedding_size", 3));
    Recommender m = ModelRegistry.create("LightGCN", new ModelContext(c, DS, Seeds.rng(1, "init")));
    Param u = m.params().get(0);
    Param i = m.params().get(1);
    int n = 7;
    int d = 3;
    double[][] e0 = new double[n][d];
    for (int r = 0; r < 3; r++) {
      for (int k = 0; k < d; k++) {
        e0[r][k] = u.get(r, k);
      }
    }
    for (int r = 0; r < 4; r++) {
      for (int k = 0; k < d; k++) {
        e0[3 + r][k] = i.get(r, k);
      }
    }
    float[][] a = InteractionGraph.normalizedAdjacency(3, 4, DS.train()).toDense();
    double[][] e1 = mul(a, e0);
    double[][] e2 = mul(a, e1);
    float[] out = new float[4];
    m.scorer().score(new int[] {1}, out);
    for (int item = 0; item < 4; item++) {
      double s = 0;
      for (int k = 0; k < d; k++) {
        double eu = (e0[1][k] + e1[1][k] + e2[1][k]) / 3;
        double ei = (e0[3 + item][k] + e1[3 + item][k] + e2[3 + item][k]) / 3;
        s += eu * ei;
      }
      assertThat(out[item]).isCloseTo((float) s, offset(1e-5f));
    }
  }

  private static double[][] mul(float[][] a, double[][] x) {
    double[][] y = new double[a.length][x[0].length];
    for (int r = 0; r < a.length; r++) {
      for (int c = 0; c < a.length; c++) {
        for (int k = 0; k < x[0].length; k++) {
          y[r][k] += a[r][c] * x[c][k];
        }
      }
    }
    return y;
  }

  @Test
  void bprLossMatchesMmrecFormula() {
    Config c = cfg("BPR", Map.of("reg_weight", 0.5, "embedding_size", 2));
    Recommender m = ModelRegistry.create("BPR", new ModelContext(c, DS, Seeds.rng(1, "init")));
    Param u = m.params().get(0);
    Param it = m.params().get(1);
    Batch b = new Batch(new int[] {0, 2}, new int[] {1, 3}, new int[] {2, 0});
    Tensor loss = m.loss(b, Tape.noGrad(), Seeds.rng(1, "x"));
    double bpr = 0;
    double nu = 0;
    double np = 0;
    double nn = 0;
    for (int r = 0; r < 2; r++) {
      double pos = 0;
      double neg = 0;
      for (int k = 0; k < 2; k++) {
        pos += u.get(b.users()[r], k) * it.get(b.pos()[r], k);
        neg += u.get(b.users()[r], k) * it.get(b.neg()[r], k);
        nu += Math.pow(u.get(b.users()[r], k), 2);
        np += Math.pow(it.get(b.pos()[r], k), 2);
        nn += Math.pow(it.get(b.neg()[r], k), 2);
      }
      bpr += -Math.log(1 / (1 + Math.exp(-(pos - neg))));
    }
    double expected = bpr / 2 + 0.5 * (Math.sqrt(nu) + Math.sqrt(np) + Math.sqrt(nn)) / 2;
    assertThat(loss.item()).isCloseTo((float) expected, offset(1e-5f));
  }

  @Test
  void xavierScalesFollowTorch() {
    Config c = cfg("LightGCN", Map.of("n_layers", 1, "reg_weight", 0.0, "embedding_size", 64));
    Dataset big =
        new Dataset("b", 5000, 10, new Interactions(new int[] {0}, new int[] {0}), new Interactions(new int[0], new int[0]),
            new Interactions(new int[0], new int[0]), List.of());
    Recommender m = ModelRegistry.create("LightGCN", new ModelContext(c, big, Seeds.rng(1, "init")));
    float[] u = m.params().get(0).data;
    double bound = Math.sqrt(6.0 / (5000 + 64));
    double max = 0;
    double sq = 0;
    for (float v : u) {
      max = Math.max(max, Math.abs(v));
      sq += v * v;
    }
    assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(bound * 0.99);
    assertThat(Math.sqrt(sq / u.length)).isCloseTo(bound / Math.sqrt(3), offset(bound * 0.02));
  }

  @Test
  void adjacencyHasNoSelfLoopsAndIsSymmetric() {
    CsrMatrix a = InteractionGraph.normalizedAdjacency(3, 4, DS.train());
    assertThat(a.transpose()).isSameAs(a);
    for (int r = 0; r < a.rows; r++) {
      for (int k = a.rowPtr[r]; k < a.rowPtr[r + 1]; k++) {
        assertThat(a.colIdx[k]).isNotEqualTo(r);
      }
    }
  }
}
