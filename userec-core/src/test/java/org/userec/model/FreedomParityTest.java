package org.userec.model;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * FREEDOM against MMRec's freedom.py (fixture by tools/parity/freedom.py): the same loss and every parameter
 * gradient from the same initial parameters on one batch. Edge pruning is off in the fixture (dropout 0), so
 * the epoch graph is the full normalised user–item graph; the frozen kNN item graph is built by both sides from
 * the fixture's features.
 */
class FreedomParityTest {
  @Test
  void lossAndGradientsEqualTheReference() {
    ParityFixture f = ParityFixture.load("FREEDOM");
    Recommender m = ModelRegistry.create("FREEDOM", new ModelContext(f.config(), f.dataset(), new SplittableRandom(1)));
    f.loadParams(m.params());
    m.beforeEpoch(0, new SplittableRandom(2));
    Tape t = Tape.recording();
    Tensor loss = m.loss(f.batch(), t, new SplittableRandom(3));
    t.backward(loss);
    f.assertMatches(loss, m.params());
  }
}
