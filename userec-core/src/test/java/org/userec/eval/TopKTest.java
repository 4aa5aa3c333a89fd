package org.userec.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {

  /** The reference: sort every item by score descending, then id ascending (-0.0 == 0.0, as in the evaluator). */
  static int[] fullSortTop(float[] scores, int off, int n, int k) {
    Integer[] ids = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Comparator<Integer> order =
        (a, b) -> {
          float sa = scores[off + a];
          float sb = scores[off + b];
          return sa > sb ? -1 : sa < sb ? 1 : Integer.compare(a, b);
        };
    Arrays.sort(ids, order);
    return Arrays.stream(ids).limit(Math.min(k, n)).mapToInt(Integer::intValue).toArray();
  }

  private static int[] select(float[] scores, int off, int n, int k) {
    int[] out = new int[k + 2];
    Arrays.fill(out, -7);
    int m = new TopK(k).select(scores, off, n, out, 1);
    assertThat(out[0]).isEqualTo(-7);
    assertThat(out[m + 1]).as("writes nothing past its count").isEqualTo(-7);
    return Arrays.copyOfRange(out, 1, 1 + m);
  }

  @Test
  void equalsFullSortOnRandomRowsWithTiesInfinitiesAndSignedZeros() {
    SplittableRandom rng = new SplittableRandom(42);
    int[] sizes = {1, 2, 3, 7, 8, 15, 16, 17, 49, 50, 51, 63, 64, 65, 200, 1000, 4099};
    int[] ks = {1, 2, 5, 20, 50, 64, 100};
    int cases = 0;
    for (int n : sizes) {
      for (int k : ks) {
        for (int rep = 0; rep < 4; rep++) {
          int off = rng.nextInt(5);
          float[] scores = new float[off + n + 3];
          int levels = 1 + rng.nextInt(rep == 0 ? 3 : 1000); // rep 0: almost all ties
          for (int i = 0; i < scores.length; i++) {
            int kind = rng.nextInt(20);
            scores[i] =
                kind == 0
                    ? Float.NEGATIVE_INFINITY
                    : kind == 1 ? Float.POSITIVE_INFINITY : kind == 2 ? -0.0f : kind == 3 ? 0.0f : rng.nextInt(levels) - levels / 2f;
          }
          if (rep == 3) { // ascending: every item improves on the root, the heap's worst case
            for (int i = 0; i < n; i++) {
              scores[off + i] = i;
            }
          }
          assertThat(select(scores, off, n, k))
              .as("n=%d k=%d rep=%d", n, k, rep)
              .containsExactly(fullSortTop(scores, off, n, k));
          cases++;
        }
      }
    }
    assertThat(cases).isEqualTo(sizes.length * ks.length * 4);
  }

  @Test
  void exactWhenTheSampleMisleadsOrTheCandidateBufferOverflows() {
    SplittableRandom rng = new SplittableRandom(5);
    int n = 4099;
    // k = 50 samples every 6th item: make exactly those high, so fewer than k items reach the sample's
    // threshold and the row must be scanned again.
    float[] sampledHigh = new float[n];
    for (int i = 0; i < n; i++) {
      sampledHigh[i] = i % 6 == 0 ? 10 + rng.nextInt(50) : rng.nextInt(50) / 10f;
    }
    assertThat(select(sampledHigh, 0, n, 50)).containsExactly(fullSortTop(sampledHigh, 0, n, 50));
    // All equal (an untrained model): every item is a candidate until the buffer compacts.
    float[] flat = new float[n];
    assertThat(select(flat, 0, n, 50)).containsExactly(IntStream.range(0, 50).toArray());
    // Ascending scores: the best items come last.
    float[] ascending = new float[n];
    for (int i = 0; i < n; i++) {
      ascending[i] = i / 7;
    }
    assertThat(select(ascending, 0, n, 20)).containsExactly(fullSortTop(ascending, 0, n, 20));
  }

  @Test
  void tiesGoToTheLowerId() {
    float[] scores = {1f, 3f, 3f, 1f, 3f, 2f, 3f};
    assertThat(select(scores, 0, 7, 3)).containsExactly(1, 2, 4);
    assertThat(select(scores, 0, 7, 7)).containsExactly(1, 2, 4, 6, 5, 0, 3);
    assertThat(select(new float[] {0.0f, -0.0f, 0.0f}, 0, 3, 2)).containsExactly(0, 1);
  }

  @Test
  void negativeInfinityStillFillsTheList() {
    float inf = Float.NEGATIVE_INFINITY;
    assertThat(select(new float[] {inf, 0.5f, inf, inf}, 0, 4, 3)).containsExactly(1, 0, 2);
  }

  @Test
  void kLargerThanRowReturnsWholeRowSorted() {
    assertThat(select(new float[] {0.1f, 0.3f, 0.2f}, 0, 3, 10)).containsExactly(1, 2, 0);
    assertThat(select(new float[] {0.1f}, 0, 0, 10)).isEmpty();
  }

  @Test
  void nanIsRejectedWithTheItem() {
    assertThatThrownBy(() -> select(new float[] {1f, Float.NaN, 2f}, 0, 3, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("item 1");
    // NaN after the heap is full (the scan path)
    assertThatThrownBy(() -> select(new float[] {1f, 2f, 0f, Float.NaN}, 0, 4, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("item 3");
    assertThatThrownBy(() -> new TopK(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
