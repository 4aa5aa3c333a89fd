package org.userec.model;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * MGCN against MMRec's {@code models/mgcn.py} (enoche/MMRec@e775373): the same loss and every parameter gradient
 * from the same initial parameters on one fixed batch (fixture made by {@code tools/parity/mgcn.py}). MGCN's loss
 * draws nothing at random, so nothing is passed as an extra: the kNN graphs, the normalised user–item graph and
 * its user–item block are built by our code from the fixture's features and train rows, as the reference builds
 * them. The fixture's train_batch_size (20) differs from its batch length (16), since the reference divides its L2
 * term by the configured batch size.
 */
class MgcnParityTest {
  @Test
  void lossAndGradientsEqualTheReference() {
    ParityFixture f = ParityFixture.load("MGCN");
    Recommender m = ModelRegistry.create("MGCN", new ModelContext(f.config(), f.dataset(), new SplittableRandom(1)));
    f.loadParams(m.params());
    Tape t = Tape.recording();
    Tensor loss = m.loss(f.batch(), t, new SplittableRandom(1));
    t.backward(loss);
    f.assertMatches(loss, m.params());
  }
}
