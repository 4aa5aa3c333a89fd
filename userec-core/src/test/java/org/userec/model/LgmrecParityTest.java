package org.userec.model;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * LGMRec against MMRec's lgmrec.py (fixture by tools/parity/lgmrec.py): the same loss and every parameter gradient
 * from the same initial parameters on one batch, with two hypergraph layers and the contrastive and norm terms
 * weighted so that their gradients show. The random draws are made deterministic by passing the reference's own
 * through {@link Lgmrec#replayDraws}: the Gumbel noise of its four gumbel_softmax calls and the masks of its four
 * hyperedge-dependency dropouts (keep_rate 0.5, so dropout is on), each recorded by the script from the reference's
 * run.
 */
class LgmrecParityTest {
  @Test
  void lossAndGradientsEqualTheReference() {
    ParityFixture f = ParityFixture.load("LGMRec");
    Lgmrec m = (Lgmrec) ModelRegistry.create("LGMRec", new ModelContext(f.config(), f.dataset(), new SplittableRandom(1)));
    f.loadParams(m.params());
    m.replayDraws(new Lgmrec.Draws() {
      @Override
      public float[] gumbel(String name, int n) {
        return sized(name, n);
      }

      @Override
      public float[] keep(String name, int n) {
        return sized(name, n);
      }

      private float[] sized(String name, int n) {
        float[] v = f.extra(name);
        if (v.length != n) {
          throw new AssertionError("extra/" + name + " has " + v.length + " values; the model draws " + n);
        }
        return v;
      }
    });
    Tape t = Tape.recording();
    Tensor loss = m.loss(f.batch(), t, new SplittableRandom(3));
    t.backward(loss);
    f.assertMatches(loss, m.params());
  }
}
