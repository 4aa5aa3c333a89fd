package org.userec.model;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * LATTICE against MMRec's lattice.py (fixture by tools/parity/lattice.py): the same loss and every parameter
 * gradient from the same initial parameters on one batch, the first of an epoch, which learns the item graph:
 * the gradients of the modality projections, the fine-tuned features and the modality weights flow through the
 * kept top-k similarities. Nothing in this loss is random (the LightGCN backbone has no dropout); both sides
 * build the raw features' kNN graphs and the learned graph's top-k themselves.
 */
class LatticeParityTest {
  @Test
  void lossAndGradientsEqualTheReference() {
    ParityFixture f = ParityFixture.load("LATTICE");
    Recommender m = ModelRegistry.create("LATTICE", new ModelContext(f.config(), f.dataset(), new SplittableRandom(1)));
    f.loadParams(m.params());
    m.beforeEpoch(0, new SplittableRandom(2));
    Tape t = Tape.recording();
    Tensor loss = m.loss(f.batch(), t, new SplittableRandom(3));
    t.backward(loss);
    f.assertMatches(loss, m.params());
  }
}
