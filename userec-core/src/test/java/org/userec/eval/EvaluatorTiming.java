package org.userec.eval;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.userec.data.Dataset;
import org.userec.data.Interactions;
import org.userec.model.Scorer;
import org.userec.util.Parallel;

/**
 * Times one valid+test evaluation on a Baby-sized random case (19,445 users × 7,050 items, d = 64; train /
 * valid / test 118,551 / 20,559 / 21,682 rows, every user in all three), split into scoring and ranking.
 * Then the same with canned score rows, which isolates the evaluator's own cost. Not a unit test (surefire runs only *Test): run after {@code mvn -o -pl userec-core test-compile} with
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp userec-core/target/classes:userec-core/target/test-classes \
 *     org.userec.eval.EvaluatorTiming [threads] [blockUsers] [reps]
 * </pre>
 */
public final class EvaluatorTiming {
  private EvaluatorTiming() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int block = args.length > 1 ? Integer.parseInt(args[1]) : Evaluator.defaultBlockUsers(7050);
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int users = 19_445;
    int items = 7_050;
    int d = 64;
    SplittableRandom rng = new SplittableRandom(999);
    Dataset data =
        new Dataset(
            "baby-sized",
            users,
            items,
            split(rng, users, items, 118_551),
            split(rng, users, items, 20_559),
            split(rng, users, items, 21_682),
            List.of());
    float[] ue = gaussian(rng, users * d);
    float[] ie = gaussian(rng, items * d);
    DotScorer dot = new DotScorer(ue, ie, d);
    Scorer canned = canned(rng, items, 256);
    Parallel.setThreads(threads);
    Evaluator evaluator = new Evaluator(data, new int[] {5, 10, 20, 50}, block);
    System.out.printf(Locale.ROOT, "threads=%d blockUsers=%d%n", threads, block);
    for (int rep = 0; rep < 2 * reps; rep++) {
      boolean useDot = rep < reps;
      Scorer scorer = useDot ? dot : canned;
      long[] nanos = new long[2];
      long t0 = System.nanoTime();
      EvalResult r = evaluator.evaluate(scorer, nanos);
      long total = System.nanoTime() - t0;
      System.out.printf(
          Locale.ROOT,
          "%s rep %d: wall %.3f s; cpu: scoring %.3f s, ranking (mask+top-50+hits) %.3f s; test recall@20 %s%n",
          useDot ? "DotScorer   " : "canned rows ",
          rep,
          total / 1e9,
          nanos[0] / 1e9,
          nanos[1] / 1e9,
          MetricsFormat.fixed4(r.test().get("recall@20")));
    }
  }

  /** Copies one of a few precomputed random rows per user: a stand-in for an infinitely fast gemm. */
  private static Scorer canned(SplittableRandom rng, int items, int distinct) {
    float[] rows = gaussian(rng, distinct * items);
    return new Scorer() {
      @Override
      public int numItems() {
        return items;
      }

      @Override
      public void score(int[] users, float[] out) {
        for (int r = 0; r < users.length; r++) {
          System.arraycopy(rows, (users[r] * 31 % distinct) * items, out, r * items, items);
        }
      }
    };
  }

  /** Every user gets one row, the rest go to random users; items uniform. */
  private static Interactions split(SplittableRandom rng, int users, int items, int rows) {
    int[] u = new int[rows];
    int[] i = new int[rows];
    for (int p = 0; p < rows; p++) {
      u[p] = p < users ? p : rng.nextInt(users);
      i[p] = rng.nextInt(items);
    }
    return new Interactions(u, i);
  }

  private static float[] gaussian(SplittableRandom rng, int n) {
    float[] a = new float[n];
    for (int k = 0; k < n; k++) {
      a[k] = (float) (rng.nextGaussian() * 0.1);
    }
    return a;
  }
}
