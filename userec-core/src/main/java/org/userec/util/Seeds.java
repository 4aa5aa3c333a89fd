package org.userec.util;

import java.util.SplittableRandom;

/**
 * Derives independent random generators from the run seed: one per component and index (e.g. "negatives",
 * epoch 7), so a run is reproducible and resumable at any epoch boundary without saving generator state.
 */
public final class Seeds {
  private Seeds() {}

  /** A generator for (seed, component, indices), stable across JVMs and thread counts. */
  public static SplittableRandom rng(long seed, String component, long... indices) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    for (int i = 0; i < component.length(); i++) {
      h = mix(h ^ component.charAt(i));
    }
    for (long x : indices) {
      h = mix(h ^ (x * 0xD1B54A32D192ED03L));
    }
    return new SplittableRandom(h);
  }

  /** SplitMix64's finaliser. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
