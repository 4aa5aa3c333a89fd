package org.userec.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.data.Interactions;
import org.userec.eval.Evaluator;
import org.userec.model.ModelContext;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.train.RunFolder;
import org.userec.train.TrainSettings;
import org.userec.util.ParamFile;
import org.userec.util.Seeds;

/**
 * The hit rate of the most popular items, the USERec paper's check that pruning does not starve popular items
 * (§4.4: "the recommendation hit rate of the top 100 popular items" on Baby, 38.35% without degree-sensitive
 * pruning, 51.09% with it). The paper names the measure and nothing more; here it is:
 *
 * <ul>
 *   <li>P: the {@code n} items with the most training interactions (ties by lower item id);
 *   <li>T_P: the test pairs (u, i) whose item i is in P;
 *   <li>hit rate = |{(u, i) ∈ T_P : i is among u's top-K items}| / |T_P|, the ranking being the evaluation's
 *       (every item scored, u's training items masked, ties by lower item id), K = 20 as the paper's metrics.
 * </ul>
 *
 * That is Recall@K micro-averaged over the test pairs of popular items: a popular item that a user went on to
 * interact with, did the model recommend it.
 */
public final class PopularHitRate {
  /** The paper's count of popular items. */
  public static final int ITEMS = 100;
  /** The list length. */
  public static final int K = 20;

  /** Test pairs with a popular item, how many of them the top-k lists hit, over how many popular items. */
  public record Result(int popularItems, int k, int pairs, int hits) {
    public Result {
      if (hits < 0 || hits > pairs) {
        throw new IllegalArgumentException("hits " + hits + " outside [0, " + pairs + "]");
      }
    }

    /** hits / pairs; NaN when no test pair has a popular item. */
    public double rate() {
      return pairs == 0 ? Double.NaN : (double) hits / pairs;
    }

    /** Two results pooled (their pairs and hits added), e.g. over seeds. */
    public Result plus(Result o) {
      return new Result(popularItems, k, pairs + o.pairs, hits + o.hits);
    }
  }

  private PopularHitRate() {}

  /** The n items with the most training interactions, most popular first (ties by lower id). */
  public static int[] popular(Dataset ds, int n) {
    int[] count = new int[ds.numItems()];
    for (int i : ds.train().items()) {
      count[i]++;
    }
    Integer[] order = new Integer[ds.numItems()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> count[a] != count[b] ? Integer.compare(count[b], count[a]) : Integer.compare(a, b));
    int m = Math.min(n, order.length);
    int[] out = new int[m];
    for (int i = 0; i < m; i++) {
      out[i] = order[i];
    }
    return out;
  }

  /**
   * The hit rate from ranked lists: {@code top[j]} is user {@code users[j]}'s list (best first; only its first
   * {@code k} entries count), {@code users} holding every user with a test pair.
   */
  public static Result of(Interactions test, int[] users, int[][] top, int[] popular, int k) {
    if (users.length != top.length) {
      throw new IllegalArgumentException(users.length + " users, " + top.length + " lists");
    }
    int maxItem = 0;
    for (int i : popular) {
      maxItem = Math.max(maxItem, i);
    }
    for (int i : test.items()) {
      maxItem = Math.max(maxItem, i);
    }
    boolean[] isPopular = new boolean[maxItem + 1];
    for (int i : popular) {
      isPopular[i] = true;
    }
    int[] row = new int[users.length == 0 ? 0 : Arrays.stream(users).max().getAsInt() + 1];
    Arrays.fill(row, -1);
    for (int j = 0; j < users.length; j++) {
      row[users[j]] = j;
    }
    int pairs = 0;
    int hits = 0;
    for (int p = 0; p < test.size(); p++) {
      int i = test.items()[p];
      if (!isPopular[i]) {
        continue;
      }
      int u = test.users()[p];
      int j = u < row.length ? row[u] : -1;
      if (j < 0) {
        throw new IllegalArgumentException("user " + u + " has a test pair but no list");
      }
      pairs++;
      int[] list = top[j];
      for (int r = 0; r < Math.min(k, list.length); r++) {
        if (list[r] == i) {
          hits++;
          break;
        }
      }
    }
    return new Result(popular.length, k, pairs, hits);
  }

  /** The hit rate of the run in {@code dir} at its best-validation parameters ({@code best.params}). */
  public static Result ofRun(String model, Config cfg, Dataset ds, Path dir, int n, int k) {
    Path best = dir.resolve(RunFolder.BEST);
    if (!Files.isRegularFile(best)) {
      throw new IllegalStateException(dir + ": no " + RunFolder.BEST + " (no evaluation ran); cannot rank its test users");
    }
    Recommender rec = ModelRegistry.create(model, new ModelContext(cfg, ds, Seeds.rng(TrainSettings.from(cfg).seed(), "init")));
    RunFolder.loadParams(rec, ParamFile.read(best).arrays(), best);
    int[] users = Arrays.stream(ds.test().users()).distinct().sorted().toArray();
    int[][] top = new Evaluator(ds, new int[] {k}).topItems(rec.scorer(), users, k, true);
    return of(ds.test(), users, top, popular(ds, n), k);
  }
}
