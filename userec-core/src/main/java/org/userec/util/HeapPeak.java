package org.userec.util;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * The JVM's peak heap: the sum of the heap pools' peak usage since the last {@link #reset()}. An upper bound of
 * the peak of live data (a pool's peak counts garbage not yet collected), and what a run needs as {@code -Xmx}
 * at most. It is process-wide: two trainings at once in one JVM share it.
 */
public final class HeapPeak {
  private HeapPeak() {}

  /** Collects garbage, then starts the peaks from the heap's current use. */
  public static void reset() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /** Sum of the heap pools' peak usage since the last reset (since start-up without one), in bytes. */
  public static long bytes() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
