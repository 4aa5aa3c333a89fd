package org.userec.train;

import org.userec.BadInputException;
import org.userec.config.Config;

/** The trainer's settings, read once from the config (MMRec's keys). */
public record TrainSettings(
    long seed,
    int epochs,
    int batchSize,
    double learningRate,
    double lrDecayBase,
    double lrDecayStep,
    double weightDecay,
    int stoppingStep,
    String validMetric,
    int evalStep,
    double clipGradNorm,
    int[] topK) {

  public TrainSettings {
    if (epochs < 1) {
      throw new BadInputException("epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new BadInputException("train_batch_size must be >= 1, got " + batchSize);
    }
    if (!(learningRate > 0)) {
      throw new BadInputException("learning_rate must be > 0, got " + learningRate);
    }
    if (lrDecayStep == 0) {
      throw new BadInputException("learning_rate_scheduler: the step (second value) must not be 0");
    }
    if (evalStep < 1) {
      throw new BadInputException("eval_step must be >= 1, got " + evalStep);
    }
  }

  public static TrainSettings from(Config c) {
    double[] sched = c.getDoubleList("learning_rate_scheduler");
    if (sched.length != 2) {
      throw new BadInputException(
          c.source("learning_rate_scheduler") + ": learning_rate_scheduler must be [factor, step], e.g. [0.96, 50]");
    }
    String learner = c.getString("learner");
    if (!learner.equalsIgnoreCase("adam")) {
      throw new BadInputException(c.source("learner") + ": learner '" + learner + "' is not supported; use adam");
    }
    double clip = 0;
    if (c.has("clip_grad_norm")) {
      Object v = c.raw("clip_grad_norm");
      if (v instanceof java.util.Map<?, ?> m && m.get("max_norm") != null) {
        clip = Double.parseDouble(String.valueOf(m.get("max_norm")));
      } else {
        clip = c.getDouble("clip_grad_norm");
      }
    }
    String metric = c.getString("valid_metric").toLowerCase();
    int[] topK = c.getIntList("topk");
    return new TrainSettings(
        c.getLong("seed"),
        c.getInt("epochs"),
        c.getInt("train_batch_size"),
        c.getDouble("learning_rate"),
        sched[0],
        sched[1],
        c.getDouble("weight_decay"),
        c.getInt("stopping_step"),
        metric,
        c.getInt("eval_step"),
        clip,
        topK);
  }

  /** MMRec's LambdaLR factor for an epoch: a^(epoch / b). */
  public double learningRateAt(int epoch) {
    return learningRate * Math.pow(lrDecayBase, epoch / lrDecayStep);
  }
}
