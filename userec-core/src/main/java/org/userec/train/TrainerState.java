package org.userec.train;

import java.util.ArrayList;
import java.util.List;
import org.userec.eval.Metrics;

/** The trainer's bookkeeping that a checkpoint must carry besides parameters and optimizer state. */
public final class TrainerState {
  /** The next epoch to run. */
  public int nextEpoch;

  public double bestScore = -1;
  public int bestEpoch = -1;
  /** Evaluations since the last strict improvement (MMRec's cur_step). */
  public int staleEvaluations;

  /** Early stopping ended the run: resuming it trains no further epoch. */
  public boolean stopped;

  public Metrics bestValid;
  public Metrics testAtBest;
  public final List<EpochRecord> history = new ArrayList<>();
  public double secondsSoFar;

  /** The training's outcome so far (its final result once the run has ended). */
  public TrainResult result() {
    return new TrainResult(bestEpoch, bestValid, testAtBest, nextEpoch, stopped, history, secondsSoFar);
  }
}
