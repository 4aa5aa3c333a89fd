package org.userec.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
  private final int before = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(before);
  }

  @Test
  void everyIndexRunsExactlyOnceOnAnyTeamSize() {
    for (int threads : new int[] {1, 2, 3, 5}) {
      Parallel.setThreads(threads);
      for (int n : new int[] {1, 7, 64, 1000, 12_345}) {
        for (int grain : new int[] {1, 3, 100, 5000}) {
          AtomicIntegerArray hits = new AtomicIntegerArray(n);
          Parallel.forRange(n, grain, (from, to) -> {
            assertThat(from).isLessThan(to);
            for (int i = from; i < to; i++) {
              hits.incrementAndGet(i);
            }
          });
          for (int i = 0; i < n; i++) {
            assertThat(hits.get(i)).as("index %d of %d, grain %d, %d threads", i, n, grain, threads).isEqualTo(1);
          }
        }
      }
    }
  }

  @Test
  void piecesRunOnSeveralThreadsWhenTheTeamHasThem() {
    Parallel.setThreads(2);
    assertThat(threadsRunningTwoPiecesThatWaitForEachOther()).hasSize(2);
  }

  /**
   * The names of the threads that ran forRange(2, 1, …) whose pieces each wait until both are inside: only a team
   * of two can finish it.
   */
  private static java.util.Set<String> threadsRunningTwoPiecesThatWaitForEachOther() {
    ConcurrentHashMap<String, Boolean> names = new ConcurrentHashMap<>();
    CountDownLatch both = new CountDownLatch(2);
    Parallel.forRange(2, 1, (from, to) -> {
      names.put(Thread.currentThread().getName(), true);
      both.countDown();
      try {
        assertThat(both.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    return names.keySet();
  }

  @Test
  void aPieceThatThrowsFailsTheCallAfterTheOthersFinish() {
    Parallel.setThreads(2);
    AtomicInteger finished = new AtomicInteger();
    assertThatThrownBy(() -> Parallel.forRange(64, 1, (from, to) -> {
      if (from == 0) {
        throw new IllegalArgumentException("piece 0 fails");
      }
      finished.incrementAndGet();
    })).isInstanceOf(IllegalArgumentException.class).hasMessage("piece 0 fails");
    // the team is free again and runs the next range whole
    AtomicIntegerArray hits = new AtomicIntegerArray(100);
    Parallel.forRange(100, 1, (from, to) -> {
      for (int i = from; i < to; i++) {
        hits.incrementAndGet(i);
      }
    });
    for (int i = 0; i < 100; i++) {
      assertThat(hits.get(i)).isEqualTo(1);
    }
  }

  @Test
  void aRangeStartedInsideABodyRunsInlineAndCompletes() {
    Parallel.setThreads(2);
    AtomicIntegerArray hits = new AtomicIntegerArray(40 * 50);
    Parallel.forRange(40, 1, (from, to) -> {
      for (int i = from; i < to; i++) {
        int row = i;
        Parallel.forRange(50, 1, (f, t) -> {
          for (int j = f; j < t; j++) {
            hits.incrementAndGet(row * 50 + j);
          }
        });
      }
    });
    for (int k = 0; k < hits.length(); k++) {
      assertThat(hits.get(k)).isEqualTo(1);
    }
  }

  @Test
  void callersOnTwoThreadsAtOnceBothGetEveryIndex() throws Exception {
    Parallel.setThreads(2);
    int n = 20_000;
    AtomicIntegerArray a = new AtomicIntegerArray(n);
    AtomicIntegerArray b = new AtomicIntegerArray(n);
    Thread other = new Thread(() -> {
      for (int rep = 0; rep < 200; rep++) {
        Parallel.forRange(n, 10, (from, to) -> {
          for (int i = from; i < to; i++) {
            b.incrementAndGet(i);
          }
        });
      }
    });
    other.start();
    for (int rep = 0; rep < 200; rep++) {
      Parallel.forRange(n, 10, (from, to) -> {
        for (int i = from; i < to; i++) {
          a.incrementAndGet(i);
        }
      });
    }
    other.join();
    for (int i = 0; i < n; i++) {
      assertThat(a.get(i)).isEqualTo(200);
      assertThat(b.get(i)).isEqualTo(200);
    }
  }

  @Test
  void aParkedTeamWakesForTheNextRange() throws Exception {
    Parallel.setThreads(2);
    Thread.sleep(50); // past the spin and yield phases: the worker parks
    assertThat(threadsRunningTwoPiecesThatWaitForEachOther()).hasSize(2);
  }

  @Test
  void teamSizeMustBePositive() {
    assertThatThrownBy(() -> Parallel.setThreads(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 1");
  }
}
