package org.userec.train;

import org.userec.eval.Metrics;

/** What one epoch did. valid/test are null on epochs without evaluation (eval_step > 1). */
public record EpochRecord(
    int epoch,
    double loss,
    double learningRate,
    double trainSeconds,
    double evalSeconds,
    Metrics valid,
    Metrics test,
    boolean improved) {}
