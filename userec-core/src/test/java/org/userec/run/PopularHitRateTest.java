package org.userec.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.userec.data.Dataset;
import org.userec.data.Interactions;

class PopularHitRateTest {
  /** Training counts: item 0 three times, items 1 and 2 twice, item 3 once. */
  private static final Dataset DS =
      new Dataset(
          "hand",
          3,
          4,
          new Interactions(new int[] {0, 1, 2, 0, 1, 1, 2, 2}, new int[] {0, 0, 0, 1, 1, 2, 2, 3}),
          new Interactions(new int[0], new int[0]),
          new Interactions(new int[] {0, 0, 1, 2, 2}, new int[] {0, 2, 1, 3, 0}),
          List.of());

  @Test
  void popularItemsAreTheMostTrainedTiesByLowerId() {
    assertThat(PopularHitRate.popular(DS, 2)).containsExactly(0, 1);
    assertThat(PopularHitRate.popular(DS, 10)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void countsTestPairsOfPopularItemsFoundInTheTopK() {
    int[] users = {0, 1, 2};
    int[][] top = {{0, 3}, {2, 3}, {1, 0}};
    // popular {0, 1}: pairs (0,0) hit, (1,1) miss, (2,0) hit at rank 2; (0,2) and (2,3) are not popular
    PopularHitRate.Result r = PopularHitRate.of(DS.test(), users, top, PopularHitRate.popular(DS, 2), 2);
    assertThat(r.pairs()).isEqualTo(3);
    assertThat(r.hits()).isEqualTo(2);
    assertThat(r.rate()).isEqualTo(2.0 / 3);
    // at k = 1 user 2's hit at rank 2 no longer counts
    assertThat(PopularHitRate.of(DS.test(), users, top, PopularHitRate.popular(DS, 2), 1).hits()).isEqualTo(1);
    // pooled over two runs
    assertThat(r.plus(r).rate()).isEqualTo(2.0 / 3);
    assertThat(r.plus(r).pairs()).isEqualTo(6);
  }

  @Test
  void noPopularTestPairIsNaNAndAMissingListIsAnError() {
    PopularHitRate.Result none = PopularHitRate.of(DS.test(), new int[] {0, 1, 2}, new int[][] {{}, {}, {}}, new int[] {3}, 20);
    assertThat(none.pairs()).isEqualTo(1);
    assertThat(none.hits()).isZero();
    PopularHitRate.Result empty = PopularHitRate.of(new Interactions(new int[0], new int[0]), new int[0], new int[0][], new int[] {0}, 20);
    assertThat(empty.rate()).isNaN();
    assertThatThrownBy(() -> PopularHitRate.of(DS.test(), new int[] {0, 1}, new int[][] {{0}, {1}}, new int[] {0}, 20))
        .hasMessageContaining("user 2 has a test pair but no list");
  }
}
