package org.userec.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.userec.data.Dataset;
import org.userec.data.Interactions;
import org.userec.util.Parallel;

class EvaluatorTest {
  private static final Offset<Double> EPS = within(1e-12);

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /** Builds a split from (user, item) pairs. */
  private static Interactions pairs(int... userItem) {
    int[] users = new int[userItem.length / 2];
    int[] items = new int[userItem.length / 2];
    for (int p = 0; p < users.length; p++) {
      users[p] = userItem[2 * p];
      items[p] = userItem[2 * p + 1];
    }
    return new Interactions(users, items);
  }

  private static Dataset dataset(int numUsers, int numItems, Interactions train, Interactions valid, Interactions test) {
    return new Dataset("toy", numUsers, numItems, train, valid, test, List.of());
  }

  /*
   * 3 users × 6 items, K ∈ {1, 3, 5}. Let g2 = 1/log2(3) ≈ 0.6309, g3 = 1/log2(4) = 0.5, g5 = 1/log2(6) ≈ 0.3869.
   *
   * user 0: scores .9 .8 .7 .6 .5 .4; train {0} (the top score: masked); valid {1}; test {2, 5}.
   *   ranking 1, 2, 3, 4, 5, 0(−∞). test hits at r = 2, 5; valid hit at r = 1.
   *   test  @1: R 0, N 0, P 0, MAP 0
   *         @3: R 1/2, N g2/(1+g2), P 1/3, MAP (1/2)/2 = 1/4
   *         @5: R 1, N (g2+g5)/(1+g2), P 2/5, MAP (1/2 + 2/5)/2 = 0.45
   *   valid @1: R 1, N 1, P 1, MAP 1;  @3: 1, 1, 1/3, 1;  @5: 1, 1, 1/5, 1
   * user 1: scores .1 .2 .3 .4 .5 .6; train {5}; no valid row; test {0, 3, 4}.
   *   ranking 4, 3, 2, 1, 0, 5(−∞). hits at r = 1, 2, 5.
   *   test  @1: R 1/3, N 1/1 = 1, P 1, MAP 1/min(3,1) = 1
   *         @3: R 2/3, N (1+g2)/(1+g2+g3), P 2/3, MAP (1 + 1)/3 = 2/3
   *         @5: R 1, N (1+g2+g5)/(1+g2+g3), P 3/5, MAP (1 + 1 + 3/5)/3 = 13/15
   * user 2: scores .2 .7 .7 .7 .1 0; train {4}; valid {3}; NO test row (excluded from test averages).
   *   ranking 1, 2, 3 (tie by id), 0, 5, 4(−∞). valid hit at r = 3.
   *   valid @1: 0, 0, 0, 0;  @3: R 1, N g3/1 = 1/2, P 1/3, MAP (1/3)/1;  @5: 1, 1/2, 1/5, 1/3
   *
   * test averages over users {0, 1}; valid averages over users {0, 2}.
   */
  private static final float[][] SCORES = {
    {.9f, .8f, .7f, .6f, .5f, .4f},
    {.1f, .2f, .3f, .4f, .5f, .6f},
    {.2f, .7f, .7f, .7f, .1f, 0f},
  };

  private static Dataset handDataset() {
    return dataset(3, 6, pairs(0, 0, 1, 5, 2, 4), pairs(0, 1, 2, 3), pairs(0, 2, 0, 5, 1, 0, 1, 3, 1, 4));
  }

  @Test
  void handComputedMetrics() {
    EvalResult r = new Evaluator(handDataset(), new int[] {5, 1, 3}).evaluate(new MatrixScorer(SCORES));
    double g2 = 1 / log2(3);
    double g3 = 1 / log2(4);
    double g5 = 1 / log2(6);

    Metrics t = r.test();
    assertThat(t.evaluatedUsers()).isEqualTo(2);
    assertThat(t.values().keySet())
        .containsExactly(
            "recall@1", "recall@3", "recall@5", "ndcg@1", "ndcg@3", "ndcg@5",
            "precision@1", "precision@3", "precision@5", "map@1", "map@3", "map@5");
    assertThat(t.get("recall@1")).isCloseTo((0 + 1 / 3.0) / 2, EPS);
    assertThat(t.get("recall@3")).isCloseTo((1 / 2.0 + 2 / 3.0) / 2, EPS);
    assertThat(t.get("recall@5")).isCloseTo((1 + 1) / 2.0, EPS);
    assertThat(t.get("ndcg@1")).isCloseTo((0 + 1) / 2.0, EPS);
    assertThat(t.get("ndcg@3")).isCloseTo((g2 / (1 + g2) + (1 + g2) / (1 + g2 + g3)) / 2, EPS);
    assertThat(t.get("ndcg@5")).isCloseTo(((g2 + g5) / (1 + g2) + (1 + g2 + g5) / (1 + g2 + g3)) / 2, EPS);
    assertThat(t.get("precision@1")).isCloseTo((0 + 1) / 2.0, EPS);
    assertThat(t.get("precision@3")).isCloseTo((1 / 3.0 + 2 / 3.0) / 2, EPS);
    assertThat(t.get("precision@5")).isCloseTo((2 / 5.0 + 3 / 5.0) / 2, EPS);
    assertThat(t.get("map@1")).isCloseTo((0 + 1) / 2.0, EPS);
    assertThat(t.get("map@3")).isCloseTo((1 / 4.0 + 2 / 3.0) / 2, EPS);
    assertThat(t.get("map@5")).isCloseTo((0.45 + 13 / 15.0) / 2, EPS);

    Metrics v = r.valid();
    assertThat(v.evaluatedUsers()).isEqualTo(2);
    assertThat(v.get("recall@1")).isCloseTo(0.5, EPS);
    assertThat(v.get("recall@3")).isCloseTo(1.0, EPS);
    assertThat(v.get("recall@5")).isCloseTo(1.0, EPS);
    assertThat(v.get("ndcg@1")).isCloseTo(0.5, EPS);
    assertThat(v.get("ndcg@3")).isCloseTo((1 + g3) / 2, EPS);
    assertThat(v.get("ndcg@5")).isCloseTo((1 + g3) / 2, EPS);
    assertThat(v.get("precision@1")).isCloseTo(0.5, EPS);
    assertThat(v.get("precision@3")).isCloseTo(1 / 3.0, EPS);
    assertThat(v.get("precision@5")).isCloseTo(0.2, EPS);
    assertThat(v.get("map@1")).isCloseTo(0.5, EPS);
    assertThat(v.get("map@3")).isCloseTo((1 + 1 / 3.0) / 2, EPS);
    assertThat(v.get("map@5")).isCloseTo((1 + 1 / 3.0) / 2, EPS);
  }

  @Test
  void topItemsRanksAsTheEvaluatorDoes() {
    Evaluator e = new Evaluator(handDataset(), new int[] {5});
    MatrixScorer s = new MatrixScorer(SCORES);
    int[][] masked = e.topItems(s, new int[] {2, 0, 1, 0}, 6, true);
    assertThat(masked[0]).containsExactly(1, 2, 3, 0, 5, 4);
    assertThat(masked[1]).containsExactly(1, 2, 3, 4, 5, 0);
    assertThat(masked[2]).containsExactly(4, 3, 2, 1, 0, 5);
    assertThat(masked[3]).containsExactly(masked[1]);
    int[][] raw = e.topItems(s, new int[] {0, 1}, 2, false);
    assertThat(raw[0]).containsExactly(0, 1);
    assertThat(raw[1]).containsExactly(5, 4);
    assertThatThrownBy(() -> e.topItems(s, new int[] {3}, 2, true)).hasMessageContaining("user 3");
  }

  @Test
  void trainItemWithTheHighestScoreDoesNotCountButValidationItemsStayRanked() {
    // user 0: item 0 is a training item with the top score, item 1 (test) comes next.
    // user 1: item 0 is a validation item with the top score; it is NOT masked for test, so test item 1 is 2nd.
    float[][] scores = {{.9f, .8f, .1f, .1f}, {.9f, .8f, .1f, .1f}};
    Dataset d = dataset(2, 4, pairs(0, 0, 1, 3), pairs(1, 0), pairs(0, 1, 1, 1));
    EvalResult r = new Evaluator(d, new int[] {1, 2}).evaluate(new MatrixScorer(scores));
    assertThat(r.test().get("recall@1")).isCloseTo((1 + 0) / 2.0, EPS);
    assertThat(r.test().get("recall@2")).isCloseTo((1 + 1) / 2.0, EPS);
    assertThat(r.valid().get("recall@1")).isCloseTo(1.0, EPS);
    assertThat(r.valid().evaluatedUsers()).isEqualTo(1);
  }

  @Test
  void perUserValuesAreTheUsersOfTheMeans() {
    Evaluator e = new Evaluator(handDataset(), new int[] {3});
    Evaluator.PerUser t = e.perUser(new MatrixScorer(SCORES), true, 3);
    double g2 = 1 / log2(3);
    double g3 = 1 / log2(4);
    assertThat(t.users()).containsExactly(0, 1); // user 2 has no test row
    assertThat(t.recall()).containsExactly(new double[] {1.0 / 2, 2.0 / 3}, EPS);
    assertThat(t.ndcg()).containsExactly(new double[] {g2 / (1 + g2), (1 + g2) / (1 + g2 + g3)}, EPS);
    assertThat(e.perUser(new MatrixScorer(SCORES), false, 3).users()).containsExactly(0, 2);
    Dataset d = randomDataset(new SplittableRandom(5), 120, 40);
    MatrixScorer s = new MatrixScorer(randomScores(new SplittableRandom(6), 120, 40, 20));
    EvalResult all = new Evaluator(d, new int[] {20}).evaluate(s);
    Evaluator.PerUser p = new Evaluator(d, new int[] {20}).perUser(s, true, 20);
    assertThat(Arrays.stream(p.recall()).average().orElseThrow()).isCloseTo(all.test().get("recall@20"), EPS);
    assertThat(Arrays.stream(p.ndcg()).average().orElseThrow()).isCloseTo(all.test().get("ndcg@20"), EPS);
  }

  @Test
  void tiesAreBrokenByLowerItemId() {
    // All scores equal: ranking is 0, 1, 2, ... so a test item with id 4 is at rank 5, one with id 1 at rank 2.
    float[][] scores = new float[2][8];
    Dataset d = dataset(2, 8, pairs(0, 7, 1, 7), pairs(), pairs(0, 4, 1, 1));
    EvalResult r = new Evaluator(d, new int[] {2, 4, 5}).evaluate(new MatrixScorer(scores));
    assertThat(r.test().get("recall@2")).isCloseTo(0.5, EPS);
    assertThat(r.test().get("recall@4")).isCloseTo(0.5, EPS);
    assertThat(r.test().get("recall@5")).isCloseTo(1.0, EPS);
    assertThat(r.test().get("ndcg@5")).isCloseTo((1 / log2(6) + 1 / log2(3)) / 2, EPS);
    assertThat(r.valid().evaluatedUsers()).isZero();
    assertThat(r.valid().get("recall@5")).isZero();
  }

  @Test
  void cutOffsLargerThanTheItemCount() {
    // 6 items, K = 10 and 50: the list has 6 items; precision still divides by K, MAP and NDCG by min(|T|, K).
    EvalResult r = new Evaluator(handDataset(), new int[] {10, 50}).evaluate(new MatrixScorer(SCORES));
    double g2 = 1 / log2(3);
    double g3 = 1 / log2(4);
    double g5 = 1 / log2(6);
    Metrics t = r.test();
    assertThat(t.get("recall@10")).isCloseTo(1.0, EPS);
    assertThat(t.get("precision@10")).isCloseTo((2 / 10.0 + 3 / 10.0) / 2, EPS);
    assertThat(t.get("precision@50")).isCloseTo((2 / 50.0 + 3 / 50.0) / 2, EPS);
    assertThat(t.get("ndcg@50")).isCloseTo(((g2 + g5) / (1 + g2) + (1 + g2 + g5) / (1 + g2 + g3)) / 2, EPS);
    assertThat(t.get("map@50")).isCloseTo((0.45 + 13 / 15.0) / 2, EPS);
    assertThat(new Evaluator(handDataset()).topItems(new MatrixScorer(SCORES), new int[] {0}, 100, true)[0])
        .hasSize(6);
  }

  @Test
  void sameBitsForAnyThreadCountAndBlockSize() {
    Dataset d = randomDataset(new SplittableRandom(7), 301, 97);
    float[][] scores = randomScores(new SplittableRandom(8), 301, 97, 20);
    MatrixScorer s = new MatrixScorer(scores);
    int before = Parallel.threads();
    try {
      Parallel.setThreads(1);
      EvalResult one = new Evaluator(d, new int[] {5, 10, 20, 50}, 7).evaluate(s);
      Parallel.setThreads(2);
      EvalResult two = new Evaluator(d, new int[] {5, 10, 20, 50}, 7).evaluate(s); // 37 blocks in parallel
      EvalResult twoOneBlock = new Evaluator(d, new int[] {5, 10, 20, 50}, 1000).evaluate(s);
      assertThat(one.test().evaluatedUsers()).isGreaterThan(150);
      assertThat(two).isEqualTo(one); // Double.equals: bit-for-bit
      assertThat(twoOneBlock).isEqualTo(one);
      assertThat(one.test().get("recall@20")).isNotEqualTo(one.valid().get("recall@20"));
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void agreesWithANaiveFullSortReference() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int rep = 0; rep < 5; rep++) {
      int users = 40 + rng.nextInt(60);
      int items = 3 + rng.nextInt(120);
      Dataset d = randomDataset(rng, users, items);
      float[][] scores = randomScores(rng, users, items, rep == 0 ? 3 : 1000);
      int[] ks = {1, 2, 5, 20, 50};
      EvalResult r = new Evaluator(d, ks, 1 + rng.nextInt(30)).evaluate(new MatrixScorer(scores));
      assertMetricsClose(r.valid(), naive(d, scores, d.valid(), ks));
      assertMetricsClose(r.test(), naive(d, scores, d.test(), ks));
    }
  }

  @Test
  void rejectsBadInputs() {
    Dataset d = handDataset();
    assertThatThrownBy(() -> new Evaluator(d, new int[] {0, 5})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Evaluator(d, new int[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Evaluator(d).evaluate(new MatrixScorer(new float[3][5])))
        .hasMessageContaining("5 items")
        .hasMessageContaining("6");
    float[][] nan = {SCORES[0].clone(), SCORES[1].clone(), SCORES[2].clone()};
    nan[1][3] = Float.NaN;
    assertThatThrownBy(() -> new Evaluator(d).evaluate(new MatrixScorer(nan)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("user 1")
        .hasMessageContaining("item 3");
  }

  private static void assertMetricsClose(Metrics actual, Metrics expected) {
    assertThat(actual.evaluatedUsers()).isEqualTo(expected.evaluatedUsers());
    assertThat(actual.values().keySet()).containsExactlyElementsOf(expected.values().keySet());
    for (String key : expected.values().keySet()) {
      assertThat(actual.get(key)).as(key).isCloseTo(expected.get(key), within(1e-12));
    }
  }

  /** Straight from PROTOCOL.md: full sort, masking, then each formula with its own loop. */
  private static Metrics naive(Dataset d, float[][] scores, Interactions split, int[] ks) {
    int[][] train = d.train().itemsByUser(d.numUsers());
    int[][] held = split.itemsByUser(d.numUsers());
    Map<String, Double> sums = new LinkedHashMap<>();
    for (String kind : Evaluator.KINDS) {
      for (int k : ks) {
        sums.put(kind + "@" + k, 0.0);
      }
    }
    int users = 0;
    for (int u = 0; u < d.numUsers(); u++) {
      if (held[u].length == 0) {
        continue;
      }
      users++;
      float[] row = scores[u].clone();
      for (int i : train[u]) {
        row[i] = Float.NEGATIVE_INFINITY;
      }
      int[] ranking = TopKTest.fullSortTop(row, 0, row.length, row.length);
      List<Integer> t = new ArrayList<>();
      Arrays.stream(held[u]).forEach(t::add);
      for (int k : ks) {
        double hits = 0;
        double dcg = 0;
        double ap = 0;
        for (int r = 1; r <= Math.min(k, ranking.length); r++) {
          if (t.contains(ranking[r - 1])) {
            hits++;
            dcg += 1 / log2(r + 1);
            ap += hits / r;
          }
        }
        double idcg = 0;
        for (int r = 1; r <= Math.min(t.size(), k); r++) {
          idcg += 1 / log2(r + 1);
        }
        sums.merge("recall@" + k, hits / t.size(), Double::sum);
        sums.merge("ndcg@" + k, dcg / idcg, Double::sum);
        sums.merge("precision@" + k, hits / k, Double::sum);
        sums.merge("map@" + k, ap / Math.min(t.size(), k), Double::sum);
      }
    }
    int n = users;
    sums.replaceAll((key, v) -> n == 0 ? 0.0 : v / n);
    return new Metrics(sums, users);
  }

  /** Random splits: every user some train items; most users a valid and/or a test item, some neither. */
  static Dataset randomDataset(SplittableRandom rng, int numUsers, int numItems) {
    List<int[]> train = new ArrayList<>();
    List<int[]> valid = new ArrayList<>();
    List<int[]> test = new ArrayList<>();
    for (int u = 0; u < numUsers; u++) {
      int n = 1 + rng.nextInt(Math.min(8, numItems));
      for (int j = 0; j < n; j++) {
        train.add(new int[] {u, rng.nextInt(numItems)});
      }
      int kind = rng.nextInt(5);
      if (kind != 0) {
        int nv = rng.nextInt(3);
        for (int j = 0; j < nv; j++) {
          valid.add(new int[] {u, rng.nextInt(numItems)});
        }
        int nt = kind == 1 ? 0 : 1 + rng.nextInt(4);
        for (int j = 0; j < nt; j++) {
          test.add(new int[] {u, rng.nextInt(numItems)});
        }
      }
    }
    return dataset(numUsers, numItems, toSplit(train), toSplit(valid), toSplit(test));
  }

  private static Interactions toSplit(List<int[]> rows) {
    return new Interactions(
        rows.stream().mapToInt(p -> p[0]).toArray(), rows.stream().mapToInt(p -> p[1]).toArray());
  }

  static float[][] randomScores(SplittableRandom rng, int users, int items, int levels) {
    float[][] s = new float[users][items];
    for (float[] row : s) {
      for (int i = 0; i < items; i++) {
        row[i] = rng.nextInt(levels) / (float) levels;
      }
    }
    return s;
  }
}
