package org.userec.train;

import org.userec.model.Recommender;

/** Training events, for progress bars, logs, run folders and checkpoints. All methods default to no-ops. */
public interface TrainListener {
  default void onStart(Recommender model, int startEpoch, int batchesPerEpoch) {}

  default void onBatch(int epoch, int batch, int batches, double loss) {}

  /** After an epoch's training and (when due) evaluation; state is what a checkpoint must hold. */
  default void onEpoch(EpochRecord record, TrainerState state) {}

  default void onEnd(TrainResult result) {}
}
