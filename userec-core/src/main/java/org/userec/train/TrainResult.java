package org.userec.train;

import java.util.List;
import org.userec.eval.Metrics;

/**
 * The outcome of one training: the best-validation epoch, its validation metrics and the test metrics at that
 * epoch (what MMRec reports), and the whole history.
 */
public record TrainResult(
    int bestEpoch, Metrics bestValid, Metrics testAtBest, int epochsRun, boolean stoppedEarly, List<EpochRecord> history, double seconds) {
  public TrainResult {
    history = List.copyOf(history);
  }
}
