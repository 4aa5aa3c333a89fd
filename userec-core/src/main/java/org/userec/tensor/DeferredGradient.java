package org.userec.tensor;

/**
 * A part of a parameter's gradient that backward describes but does not compute: it is added when the gradient
 * is read ({@link Param#grad()}), or chunk by chunk by an optimizer that updates each chunk while it is in cache
 * ({@link Param#takeGradientRows}), so that the full gradient array is never written and read back.
 */
interface DeferredGradient {
  /**
   * Adds this part to rows [from, to) of the parameter into out, parameter row r at out row r − from + outRow0.
   * Called concurrently for disjoint ranges; reads no parameter value outside [from, to).
   */
  void addRows(int from, int to, float[] out, int outRow0);

  /** Called once, when the part has been added everywhere or dropped: hands its work arrays back. */
  default void release() {}
}
