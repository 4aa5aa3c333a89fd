package org.userec.optim;

/**
 * MMRec's learning-rate schedule, {@code learning_rate_scheduler: [a, b]}: a LambdaLR with
 * factor(epoch) = a^(epoch / b) (real division), so lr(epoch) = base · factor(epoch). Epochs count from 0
 * (the first epoch trains at the base rate), as LambdaLR's counter stepped once after every epoch.
 * [1.0, 50] (the default) is constant; LATTICE, MGCN and PGL use [0.96, 50].
 */
public record LrSchedule(double a, double b) {
  public LrSchedule {
    if (!(a > 0) || !(b > 0) || Double.isInfinite(a) || Double.isInfinite(b)) {
      throw new IllegalArgumentException(
          "learning_rate_scheduler [a, b] needs finite a > 0 and b > 0, got [" + a + ", " + b + "]");
    }
  }

  /** [1.0, 50]: a constant learning rate. */
  public static LrSchedule constant() {
    return new LrSchedule(1.0, 50);
  }

  /** a^(epoch / b). */
  public double factor(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    return Math.pow(a, epoch / b);
  }

  /** base · factor(epoch). */
  public double learningRate(double base, int epoch) {
    return base * factor(epoch);
  }

  /** Sets the optimiser's learning rate for the given epoch. */
  public void apply(Adam adam, double base, int epoch) {
    adam.setLearningRate(learningRate(base, epoch));
  }
}
