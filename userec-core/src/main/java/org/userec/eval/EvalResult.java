package org.userec.eval;

/** Metrics of one evaluation pass over validation and test (scores computed once for both). */
public record EvalResult(Metrics valid, Metrics test) {}
