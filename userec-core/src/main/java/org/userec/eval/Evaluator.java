package org.userec.eval;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.userec.data.Dataset;
import org.userec.model.Scorer;
import org.userec.util.Parallel;

/**
 * Full-ranking evaluation as MMRec does it (PROTOCOL.md, "Evaluation: full ranking"; MMRec's {@code
 * utils/topk_evaluator.py} and {@code utils/metrics.py}): every item scored for every evaluated user, the
 * user's training items set to −∞ (validation items are not masked when testing), the top max(K) kept with
 * ties broken by lower item id, and Recall, NDCG, Precision and MAP read at each K from that one list. One
 * scoring pass serves validation and test: a user with rows in both is scored once.
 *
 * <p>Users are scored in blocks of {@link #blockUsers()}, so memory is O(threads · block · items), never users
 * × items. Blocks run in parallel, each scored and then ranked by one task while its scores are in cache. Each
 * user's hits are stored as bits and the metrics summed afterwards in user order, so the result is bit-for-bit
 * the same for any thread count (and for any block size, when the scorer's rows do not depend on the block).
 *
 * <p>With hits h_r at ranks r = 1..K and held-out items T_u:
 *
 * <ul>
 *   <li>Recall@K = Σ h_r / |T_u|
 *   <li>NDCG@K = (Σ h_r / log2(r+1)) / Σ_{r=1}^{min(|T_u|, K)} 1 / log2(r+1)
 *   <li>Precision@K = Σ h_r / K
 *   <li>MAP@K = Σ h_r · Precision@r / min(|T_u|, K)
 * </ul>
 *
 * each averaged over the users with at least one row in the split. When K exceeds the number of items the
 * list simply ends early (the denominators above are unchanged); MMRec would fail there instead. A split with
 * no evaluated users yields zeros and {@code evaluatedUsers() == 0}.
 *
 * <p>Thread-safe: the constructor precomputes the per-user item lists, and each call allocates its own buffers.
 */
public final class Evaluator {
  /** MMRec's default {@code topk}. */
  private static final int[] DEFAULT_TOP_K = {5, 10, 20, 50};

  /** Metric kinds in the order {@link Metrics} lists them. */
  static final String[] KINDS = {"recall", "ndcg", "precision", "map"};

  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  /** Target size of one block's score buffer, in floats (4 MiB). */
  private static final int BLOCK_FLOATS = 1 << 20;

  private final int numUsers;
  private final int numItems;
  private final int[] topK;
  private final int maxK;
  private final int blockUsers;
  private final int[][] trainItems;
  private final int[][] validItems;
  private final int[][] testItems;
  /** Users with at least one validation or test row, ascending: the users one pass scores. */
  private final int[] evalUsers;
  /** discount[r] = 1 / log2(r + 1) for ranks r = 1..maxK. */
  private final double[] discount;
  /** idcg[m] = Σ_{r=1}^{m} discount[r]. */
  private final double[] idcg;

  /** An evaluator with MMRec's default K ∈ {5, 10, 20, 50}. */
  public Evaluator(Dataset dataset) {
    this(dataset, DEFAULT_TOP_K);
  }

  public Evaluator(Dataset dataset, int[] topK) {
    this(dataset, topK, defaultBlockUsers(dataset.numItems()));
  }

  /**
   * @param topK the cut-offs, each ≥ 1 (sorted and de-duplicated here)
   * @param blockUsers users scored per block; memory is blockUsers · numItems floats
   */
  public Evaluator(Dataset dataset, int[] topK, int blockUsers) {
    if (topK.length == 0) {
      throw new IllegalArgumentException("topk is empty; give at least one cut-off, e.g. [5, 10, 20, 50]");
    }
    int[] ks = Arrays.stream(topK).sorted().distinct().toArray();
    if (ks[0] < 1) {
      throw new IllegalArgumentException("topk values must be >= 1, got " + Arrays.toString(topK));
    }
    if (blockUsers < 1) {
      throw new IllegalArgumentException("blockUsers must be >= 1, got " + blockUsers);
    }
    this.numUsers = dataset.numUsers();
    this.numItems = dataset.numItems();
    this.topK = ks;
    this.maxK = ks[ks.length - 1];
    this.blockUsers = blockUsers;
    this.trainItems = dataset.train().itemsByUser(numUsers);
    this.validItems = dataset.valid().itemsByUser(numUsers);
    this.testItems = dataset.test().itemsByUser(numUsers);
    int count = 0;
    for (int u = 0; u < numUsers; u++) {
      if (validItems[u].length > 0 || testItems[u].length > 0) {
        count++;
      }
    }
    this.evalUsers = new int[count];
    for (int u = 0, w = 0; u < numUsers; u++) {
      if (validItems[u].length > 0 || testItems[u].length > 0) {
        evalUsers[w++] = u;
      }
    }
    this.discount = new double[maxK + 1];
    this.idcg = new double[maxK + 1];
    for (int r = 1; r <= maxK; r++) {
      discount[r] = 1.0 / log2(r + 1);
      idcg[r] = idcg[r - 1] + discount[r];
    }
  }

  /** About 4 MiB of scores per block, at least 64 users (so the item matrix is re-read rarely), at most 1024. */
  static int defaultBlockUsers(int numItems) {
    return Math.max(64, Math.min(1024, BLOCK_FLOATS / Math.max(1, numItems)));
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2.0);
  }

  /** The cut-offs, ascending and distinct. */
  public int[] topK() {
    return topK.clone();
  }

  public int blockUsers() {
    return blockUsers;
  }

  /** Scores the validation and test users once and returns both splits' metrics. */
  public EvalResult evaluate(Scorer scorer) {
    return evaluate(scorer, null);
  }

  /**
   * As {@link #evaluate(Scorer)}; when {@code nanos} is given, adds the CPU time all threads spent scoring to
   * nanos[0] and ranking (mask, top-k, hits) to nanos[1]. For the timing harness.
   */
  EvalResult evaluate(Scorer scorer, long[] nanos) {
    checkScorer(scorer);
    int listLen = Math.min(maxK, numItems);
    int words = (listLen + 63) >>> 6;
    int n = evalUsers.length;
    long[] validHits = new long[n * words];
    long[] testHits = new long[n * words];
    forEachBlock(
        scorer,
        evalUsers,
        true,
        nanos,
        (index, top) -> {
          int u = evalUsers[index];
          int at = index * words;
          markHits(top, listLen, validItems[u], validHits, at);
          markHits(top, listLen, testItems[u], testHits, at);
        },
        listLen);
    return new EvalResult(reduce(validHits, validItems, words, listLen), reduce(testHits, testItems, words, listLen));
  }

  /** One split's Recall@k and NDCG@k of each user with held-out rows in it (ascending ids). */
  public record PerUser(int k, int[] users, double[] recall, double[] ndcg) {}

  /**
   * Recall@k and NDCG@k per user of the test split ({@code test}) or the validation split, with the same
   * ranking as {@link #evaluate} (training items masked, ties by lower item id): their means are that pass's
   * metrics. What per-user paired significance tests compare.
   */
  public PerUser perUser(Scorer scorer, boolean test, int k) {
    checkScorer(scorer);
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    int[][] heldOut = test ? testItems : validItems;
    int[] users = java.util.stream.IntStream.range(0, numUsers).filter(u -> heldOut[u].length > 0).toArray();
    int listLen = Math.min(k, numItems);
    double[] recall = new double[users.length];
    double[] ndcg = new double[users.length];
    forEachBlock(
        scorer,
        users,
        true,
        null,
        (index, top) -> {
          int[] held = heldOut[users[index]];
          double hits = 0;
          double dcg = 0;
          double ideal = 0;
          for (int r = 1; r <= listLen; r++) {
            if (Arrays.binarySearch(held, top[r - 1]) >= 0) {
              hits++;
              dcg += 1.0 / log2(r + 1);
            }
          }
          for (int r = 1; r <= Math.min(held.length, k); r++) {
            ideal += 1.0 / log2(r + 1);
          }
          recall[index] = hits / held.length;
          ndcg[index] = dcg / ideal;
        },
        listLen);
    return new PerUser(k, users, recall, ndcg);
  }

  /**
   * The k best items of each given user, best first (ties by lower item id), for serving and the CLI. Returns
   * users.length rows of min(k, numItems) item ids.
   *
   * @param maskTrain when true the user's training items are ranked last (−∞), as in evaluation
   */
  public int[][] topItems(Scorer scorer, int[] users, int k, boolean maskTrain) {
    checkScorer(scorer);
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    for (int u : users) {
      if (u < 0 || u >= numUsers) {
        throw new IllegalArgumentException("user " + u + " out of range [0, " + numUsers + ")");
      }
    }
    int listLen = Math.min(k, numItems);
    int[][] out = new int[users.length][];
    forEachBlock(
        scorer, users, maskTrain, null, (index, top) -> out[index] = Arrays.copyOf(top, listLen), listLen);
    return out;
  }

  /** Receives one ranked row: the index into the user array, and the list (valid only during the call). */
  @FunctionalInterface
  private interface RowSink {
    void accept(int index, int[] top);
  }

  /**
   * Cuts users into blocks of {@link #blockUsers()} and runs the blocks in parallel: each task scores its
   * block and at once masks and ranks the block's rows, while they are still in cache, handing every ranked
   * row to the sink. Block boundaries depend only on the block size, never on the thread count; sinks write
   * to disjoint slots. Memory: one block's scores per running task.
   */
  private void forEachBlock(Scorer scorer, int[] users, boolean maskTrain, long[] nanos, RowSink sink, int listLen) {
    int block = Math.min(blockUsers, Math.max(1, users.length));
    int blocks = (users.length + block - 1) / block;
    LongAdder scoring = new LongAdder();
    LongAdder ranking = new LongAdder();
    Parallel.forRange(
        blocks,
        1,
        (fromBlock, toBlock) -> {
          float[] scores = new float[block * numItems];
          int[] ids = new int[block];
          TopK selector = new TopK(listLen);
          int[] top = new int[listLen];
          for (int b = fromBlock; b < toBlock; b++) {
            int first = b * block;
            int rows = Math.min(block, users.length - first);
            int[] blockIds = rows == block ? ids : new int[rows];
            System.arraycopy(users, first, blockIds, 0, rows);
            long t0 = nanos == null ? 0 : CPU.getCurrentThreadCpuTime();
            scorer.score(blockIds, scores);
            long t1 = nanos == null ? 0 : CPU.getCurrentThreadCpuTime();
            for (int r = 0; r < rows; r++) {
              int u = blockIds[r];
              int off = r * numItems;
              if (maskTrain) {
                for (int item : trainItems[u]) {
                  scores[off + item] = Float.NEGATIVE_INFINITY;
                }
              }
              try {
                selector.select(scores, off, numItems, top, 0);
              } catch (IllegalArgumentException e) {
                throw new IllegalStateException("user " + u + ": " + e.getMessage(), e);
              }
              sink.accept(first + r, top);
            }
            if (nanos != null) {
              scoring.add(t1 - t0);
              ranking.add(CPU.getCurrentThreadCpuTime() - t1);
            }
          }
        });
    if (nanos != null) {
      nanos[0] += scoring.sum();
      nanos[1] += ranking.sum();
    }
  }

  private void checkScorer(Scorer scorer) {
    if (scorer.numItems() != numItems) {
      throw new IllegalArgumentException(
          "scorer ranks " + scorer.numItems() + " items but the dataset has " + numItems);
    }
  }

  /** Sets bit r of hits[at..] when the item at rank r + 1 is held out. */
  private static void markHits(int[] top, int listLen, int[] heldOut, long[] hits, int at) {
    if (heldOut.length == 0) {
      return;
    }
    for (int r = 0; r < listLen; r++) {
      if (Arrays.binarySearch(heldOut, top[r]) >= 0) {
        hits[at + (r >>> 6)] |= 1L << r;
      }
    }
  }

  /** Per-user metrics from the hit bits, summed in user order (deterministic), then averaged. */
  private Metrics reduce(long[] hits, int[][] heldOut, int words, int listLen) {
    int nk = topK.length;
    double[] sums = new double[KINDS.length * nk];
    int users = 0;
    for (int idx = 0; idx < evalUsers.length; idx++) {
      int t = heldOut[evalUsers[idx]].length;
      if (t == 0) {
        continue;
      }
      users++;
      int at = idx * words;
      double hitCount = 0;
      double dcg = 0;
      double precisionSum = 0;
      int ki = 0;
      for (int r = 1; r <= listLen; r++) {
        if ((hits[at + ((r - 1) >>> 6)] & (1L << (r - 1))) != 0) {
          hitCount += 1;
          dcg += discount[r];
          precisionSum += hitCount / r;
        }
        while (ki < nk && topK[ki] == r) {
          add(sums, ki, nk, topK[ki], t, hitCount, dcg, precisionSum);
          ki++;
        }
      }
      for (; ki < nk; ki++) {
        add(sums, ki, nk, topK[ki], t, hitCount, dcg, precisionSum);
      }
    }
    Map<String, Double> values = new LinkedHashMap<>();
    for (int kind = 0; kind < KINDS.length; kind++) {
      for (int ki = 0; ki < nk; ki++) {
        values.put(KINDS[kind] + "@" + topK[ki], users == 0 ? 0.0 : sums[kind * nk + ki] / users);
      }
    }
    return new Metrics(values, users);
  }

  private void add(double[] sums, int ki, int nk, int k, int t, double hitCount, double dcg, double precisionSum) {
    int ideal = Math.min(t, k);
    sums[ki] += hitCount / t;
    sums[nk + ki] += dcg / idcg[ideal];
    sums[2 * nk + ki] += hitCount / k;
    sums[3 * nk + ki] += precisionSum / ideal;
  }
}
