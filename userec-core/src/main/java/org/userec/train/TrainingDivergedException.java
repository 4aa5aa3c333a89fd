package org.userec.train;

/** The loss became NaN or infinite. The message names the epoch, the batch and what to try. */
public final class TrainingDivergedException extends RuntimeException {
  public TrainingDivergedException(String message) {
    super(message);
  }
}
