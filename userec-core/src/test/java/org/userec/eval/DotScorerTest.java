package org.userec.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DotScorerTest {

  @Test
  void scoresAreUserItemDotProductsForGatheredUsers() {
    SplittableRandom rng = new SplittableRandom(3);
    int users = 9;
    int items = 13;
    int d = 5;
    float[] ue = new float[users * d];
    float[] ie = new float[items * d];
    for (int i = 0; i < ue.length; i++) {
      ue[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < ie.length; i++) {
      ie[i] = (float) rng.nextGaussian();
    }
    DotScorer s = new DotScorer(ue, ie, d);
    assertThat(s.numUsers()).isEqualTo(users);
    assertThat(s.numItems()).isEqualTo(items);
    int[] block = {8, 0, 3, 3};
    float[] out = new float[block.length * items + 2];
    out[out.length - 1] = 42f;
    s.score(block, out);
    for (int r = 0; r < block.length; r++) {
      for (int i = 0; i < items; i++) {
        double want = 0;
        for (int p = 0; p < d; p++) {
          want += (double) ue[block[r] * d + p] * ie[i * d + p];
        }
        assertThat((double) out[r * items + i]).isCloseTo(want, within(1e-5));
      }
    }
    assertThat(out[out.length - 1]).as("untouched beyond the block").isEqualTo(42f);
  }

  @Test
  void rejectsBadShapesAndUsers() {
    assertThatThrownBy(() -> new DotScorer(new float[7], new float[6], 3)).hasMessageContaining("dim 3");
    DotScorer s = new DotScorer(new float[6], new float[9], 3);
    assertThatThrownBy(() -> s.score(new int[] {2}, new float[3])).hasMessageContaining("user 2");
    assertThatThrownBy(() -> s.score(new int[] {0, 1}, new float[5])).hasMessageContaining("need 6");
  }
}
