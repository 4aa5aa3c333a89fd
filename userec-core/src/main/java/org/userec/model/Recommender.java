package org.userec.model;

import java.util.List;
import java.util.random.RandomGenerator;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;

/**
 * A trainable recommender: its parameters, a training loss recorded on a tape, and an inference scorer.
 * A model holds maths only: no file I/O, no trainer flags.
 */
public interface Recommender {
  /** The trainable parameters, in a stable order (checkpoints rely on names). */
  List<Param> params();

  /** Called at the start of every epoch (e.g. to resample a pruned graph). */
  default void beforeEpoch(int epoch, RandomGenerator rng) {}

  /** Forward pass and loss for one batch, recorded on the tape (1×1). rng drives dropout and sampling. */
  Tensor loss(Batch batch, Tape tape, RandomGenerator rng);

  /** A snapshot for full ranking with the current parameters. */
  Scorer scorer();
}
