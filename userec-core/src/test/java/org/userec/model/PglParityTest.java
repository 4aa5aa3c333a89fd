package org.userec.model;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * PGL (local mode) against MMRec's pgl.py (fixture by tools/parity/pgl.py): the same loss and every parameter
 * gradient from the same initial parameters on one batch. The epoch's principal subgraph is the reference's own
 * sample (extra kept_edges, one (user, item) row per kept edge), normalised by our code; the contrastive term is
 * on at the PGL authors' weight with dropout 0.
 */
class PglParityTest {
  @Test
  void lossAndGradientsEqualTheReference() {
    ParityFixture f = ParityFixture.load("PGL");
    Pgl m = (Pgl) ModelRegistry.create("PGL", new ModelContext(f.config(), f.dataset(), new SplittableRandom(1)));
    f.loadParams(m.params());
    float[] kept = f.extra("kept_edges");
    int[] users = new int[kept.length / 2];
    int[] items = new int[kept.length / 2];
    for (int k = 0; k < users.length; k++) {
      users[k] = (int) kept[2 * k];
      items[k] = (int) kept[2 * k + 1];
    }
    m.keepEdges(users, items);
    Tape t = Tape.recording();
    Tensor loss = m.loss(f.batch(), t, new SplittableRandom(3));
    t.backward(loss);
    f.assertMatches(loss, m.params());
  }
}
