package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * IDFREE against its authors' idfree.py (fixtures by tools/parity/idfree.py): the same loss and every parameter
 * gradient from the same initial parameters on one batch of 16 rows (the in-batch loss scores each of them against
 * all 16 negatives). Graph construction runs on both sides: the frozen top-k cosine graphs of the features and of
 * the users' mean features, the adaptive edge weights, the augmented graph and its clamped normalisation.
 *
 * <ul>
 *   <li>{@code IDFREE}: the ID-free defaults (asg, auige, pe on; use_id false) with dropout 0: no randomness.
 *   <li>{@code IDFREE_use_id}: use_id true, dropout 0.8: the edges the reference's torch.multinomial kept are given
 *       to the model through {@link Idfree#keepEdges} (extra kept_edges), so the sampled graph's normalisation (with
 *       nodes left without edges) is checked too. The edge predictor's gradients are zero on both sides.
 * </ul>
 *
 * <p>Both also compare inference: the scores of users 0–3 for every item (the reference's full_sort_predict at the
 * initial parameters: top-k cosine graphs of the fused embeddings, the full graph normalised, no dropout).
 */
class IdfreeParityTest {
  private static void check(String folder) {
    ParityFixture f = ParityFixture.load("IDFREE", folder);
    Idfree m = (Idfree) ModelRegistry.create("IDFREE", new ModelContext(f.config(), f.dataset(), new SplittableRandom(1)));
    f.loadParams(m.params());
    if (f.config().getDouble("dropout") > 0) {
      float[] kept = f.extra("kept_edges");
      assertThat(f.extraShape("kept_edges")[1]).isEqualTo(2);
      int[] rows = new int[kept.length / 2];
      int[] cols = new int[kept.length / 2];
      for (int k = 0; k < rows.length; k++) {
        rows[k] = (int) kept[2 * k];
        cols[k] = (int) kept[2 * k + 1];
      }
      m.keepEdges(rows, cols);
    }
    // inference first, at the initial parameters (the fixture's scores were taken before any step)
    float[] ref = f.extra("scores");
    int[] shape = f.extraShape("scores");
    int[] users = new int[shape[0]];
    for (int u = 0; u < users.length; u++) {
      users[u] = u;
    }
    float[] scores = new float[ref.length];
    m.scorer().score(users, scores);
    double scale = 0;
    double worst = 0;
    for (int k = 0; k < ref.length; k++) {
      scale = Math.max(scale, Math.abs(ref[k]));
      worst = Math.max(worst, Math.abs(scores[k] - ref[k]));
    }
    assertThat(worst).as("max |score - reference| of users 0-" + (users.length - 1)).isLessThanOrEqualTo(f.tolerance() * scale);
    Tape t = Tape.recording();
    Tensor loss = m.loss(f.batch(), t, new SplittableRandom(3));
    t.backward(loss);
    for (Param p : m.params()) {
      p.gradBuffer(); // a param no gradient reached (the edge predictor's) reads as zeros, as the fixture's
    }
    f.assertMatches(loss, m.params());
  }

  @Test
  void idFreeDefaultsEqualTheReference() {
    check("IDFREE");
  }

  @Test
  void withIdsAndTheReferencesEdgeSampleEqualTheReference() {
    check("IDFREE_use_id");
  }
}
