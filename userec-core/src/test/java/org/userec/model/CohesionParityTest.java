package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.data.Dataset;
import org.userec.graph.CsrMatrix;
import org.userec.graph.UserGraph;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * COHESION against its authors' cohesion.py and user-graph preprocessing (fixture by tools/parity/cohesion.py,
 * latent width 8 instead of the reference's hard-coded 64): the same loss and every parameter gradient from the
 * same initial parameters on one batch, with two layers of the composite GCN. Edge pruning is off (dropout 0).
 * The epoch's user-graph sample pads short neighbour lists with numpy draws; the test gives the model the
 * reference's sample (extra/user_graph_index, with the weights our softmax computes from the counts, checked
 * against the reference's extra/user_graph_weight) through {@link Cohesion#useUserGraph}. The kNN item graph
 * is built by both sides from the fixture's features, and the user graph by both sides from its interactions
 * (asserted equal below).
 */
class CohesionParityTest {
  private static final String MODEL = "COHESION";

  @Test
  void lossAndGradientsEqualTheReference() {
    ParityFixture f = ParityFixture.load(MODEL);
    Dataset ds = f.dataset();
    Cohesion m = (Cohesion) ModelRegistry.create(MODEL, new ModelContext(f.config(), ds, new SplittableRandom(1)));
    f.loadParams(m.params());
    m.useUserGraph(referenceSample(f, ds.numUsers()));
    for (Param p : m.params()) {
      p.gradBuffer(); // the ID branch's MLP and preferences receive no gradient: compare them as zeros
    }
    Tape t = Tape.recording();
    Tensor loss = m.loss(f.batch(), t, new SplittableRandom(3));
    t.backward(loss);
    f.assertMatches(loss, m.params());
  }

  /** The reference's epoch sample as our row-stochastic matrix, its weights recomputed from the counts. */
  private static CsrMatrix referenceSample(ParityFixture f, int users) {
    Map<Long, Float> count = referenceGraph(f);
    int k = f.extraShape("user_graph_index")[1];
    float[] index = f.extra("user_graph_index");
    float[] weight = f.extra("user_graph_weight");
    int[][] idx = new int[users][];
    float[][] counts = new float[users][];
    for (int u = 0; u < users; u++) {
      boolean none = true;
      for (int q = 0; q < k; q++) {
        none &= weight[u * k + q] == 0f; // a user without neighbours: the reference pads with user 0 at weight 0
      }
      idx[u] = new int[none ? 0 : k];
      counts[u] = new float[none ? 0 : k];
      for (int q = 0; q < idx[u].length; q++) {
        idx[u][q] = (int) index[u * k + q];
        counts[u][q] = count.get((long) u * users + idx[u][q]);
      }
    }
    CsrMatrix w = UserGraph.softmaxRows(users, idx, counts);
    for (int u = 0; u < users; u++) { // our softmax of the counts gives the reference's weights
      Map<Integer, Double> want = new HashMap<>();
      for (int q = 0; q < k; q++) {
        want.merge((int) index[u * k + q], (double) weight[u * k + q], Double::sum);
      }
      for (int p = w.rowPtr[u]; p < w.rowPtr[u + 1]; p++) {
        assertThat((double) w.values[p]).isCloseTo(want.get(w.colIdx[p]), offset(1e-6));
      }
    }
    return w;
  }

  /** (user, neighbour) → co-interaction count, from the reference preprocessing's user_graph_dict. */
  private static Map<Long, Float> referenceGraph(ParityFixture f) {
    int users = f.dataset().numUsers();
    float[] rows = f.extra("user_graph");
    Map<Long, Float> out = new HashMap<>();
    for (int r = 0; r < rows.length / 3; r++) {
      out.put((long) rows[3 * r] * users + (long) rows[3 * r + 1], rows[3 * r + 2]);
    }
    return out;
  }

  @Test
  void ourUserGraphIsTheReferencePreprocessings() {
    ParityFixture f = ParityFixture.load(MODEL);
    Dataset ds = f.dataset();
    int users = ds.numUsers();
    Map<Long, Float> want = referenceGraph(f);
    UserGraph all = UserGraph.build(users, ds.numItems(), ds.train(), users, 1L);
    Map<Long, Float> ours = new HashMap<>();
    int isolated = 0;
    for (int u = 0; u < users; u++) {
      int[] nb = all.neighbours(u);
      int[] cn = all.counts(u);
      for (int q = 0; q < nb.length; q++) {
        ours.put((long) u * users + nb[q], (float) cn[q]);
      }
      isolated += nb.length == 0 ? 1 : 0;
    }
    assertThat(ours).isEqualTo(want);
    assertThat(isolated).as("the fixture has a user without neighbours").isEqualTo(1);

    // the model's own graph (40 neighbours) pads every short list as the reference's sample does: each of the
    // user's neighbours at least once, k entries in all, nothing else
    Cohesion m = (Cohesion) ModelRegistry.create(MODEL, new ModelContext(f.config(), ds, new SplittableRandom(1)));
    UserGraph g = m.userGraph();
    int k = f.extraShape("user_graph_index")[1];
    assertThat(g.k()).isEqualTo(k);
    float[] index = f.extra("user_graph_index");
    for (int u = 0; u < users; u++) {
      int n = g.degree(u);
      assertThat(n).isLessThan(k); // every list of the tiny dataset is padded
      assertThat(g.neighbours(u)).containsExactlyInAnyOrder(all.neighbours(u));
      if (n == 0) {
        continue;
      }
      java.util.Set<Integer> drawn = new java.util.HashSet<>();
      for (int q = 0; q < k; q++) {
        drawn.add((int) index[u * k + q]);
      }
      java.util.Set<Integer> mine = new java.util.HashSet<>();
      for (int v : g.neighbours(u)) {
        mine.add(v);
      }
      assertThat(drawn).isEqualTo(mine);
    }
  }
}
