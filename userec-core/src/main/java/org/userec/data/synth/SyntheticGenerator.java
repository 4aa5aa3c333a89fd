package org.userec.data.synth;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.userec.data.FeatureTable;
import org.userec.util.HeapPeak;
import org.userec.util.Parallel;
import org.userec.util.Seeds;

/**
 * Generates a seeded synthetic dataset from a {@link SyntheticSpec}: MMRec's format, split and 5-core-like
 * shape, with a known latent structure that ID-based models can learn and a noisy non-linear content view
 * that feature-based models can use.
 *
 * <ol>
 *   <li>User and item factors p_u, z_i ~ N(0, I); affinity a(u, i) = p_u·z_i / √d.
 *   <li>Item popularity w_i = (rank_i + q)^(−α), q = 1 + 0.003 × items, for a random permutation of ranks
 *       (Zipf–Mandelbrot).
 *   <li>Interactions per user: 5 plus a share of the rest proportional to a Lomax (Pareto II, shape 2) draw,
 *       capped at 15× the mean (and half the items), so the total is exactly the spec's count.
 *   <li>Each user's items: distinct, with probability ∝ w_i · exp(a(u, i) / T), by the Gumbel-top-k trick
 *       (W. Kool, H. van Hoof, M. Welling, "Stochastic beams and where to find them", ICML 2019). Exact over
 *       all items when there are few; otherwise over a candidate pool drawn by popularity from an alias
 *       table, each distinct candidate keyed by log(its multiplicity) + a/T + Gumbel (sampling-importance
 *       resampling: the pool supplies w_i, the key the affinity), which is linear in the pool size and
 *       keeps Elec's scale to seconds.
 *   <li>Item coverage: while an item has fewer than min(5, interactions / items) interactions, it replaces
 *       the least-liked item (one with spare interactions) of a user chosen by affinity among random
 *       users; counts per user and the total are unchanged.
 *   <li>Split per user with MMRec's rule after a seeded shuffle of that user's rows: n &lt; 10 → n−2 train,
 *       1 valid, 1 test; else vt = ⌊0.2n⌋, valid = ⌊vt/2⌋, test = vt − valid, the rest train.
 *   <li>Features per modality: x_i = tanh(1.5 · W z_i / √d + b) + σ ε, with W ~ N(0, 1) of shape dim × d,
 *       b ~ N(0, 0.5²), ε ~ N(0, 1).
 * </ol>
 *
 * <p>Every step draws from its own generator, {@link Seeds#rng}(seed, component, index), per user or per
 * item where the work runs in parallel, and the elementary functions are {@link StrictMath}'s, so the same
 * spec gives byte-identical files on any machine and thread count.
 */
public final class SyntheticGenerator {
  /** Below this many items, each user's draw is exact over all items. */
  private static final int EXACT_ITEMS = 2048;
  /**
   * Zipf–Mandelbrot offset q = 1 + 0.003 × items: flattens the head so that the top item's share does not
   * grow with the catalogue (with α 0.75 the Baby preset's top-10% share, median and largest item counts,
   * 0.44 / 13 / 768, land near real Baby's 0.45 / 11 / 780).
   */
  private static final double POPULARITY_OFFSET_PER_ITEM = 0.003;
  private static final int MIN_POOL = 256;
  private static final int POOL_PER_PICK = 16;
  private static final int MAX_POOL_ROUNDS = 8;
  private static final double ACTIVITY_SHAPE = 2.0;
  private static final double MAX_ACTIVITY_OVER_MEAN = 15.0;
  private static final int MIN_PER_ITEM = 5;
  private static final int COVERAGE_CANDIDATES = 32;
  private static final int COVERAGE_ATTEMPTS = 16;
  private static final double FEATURE_GAIN = 1.5;
  private static final double FEATURE_BIAS_SD = 0.5;

  private SyntheticGenerator() {}

  /** Generates the dataset in memory. */
  public static SyntheticDataset generate(SyntheticSpec spec) {
    int d = spec.latentDim();
    float[] userFactors = new Draws.Normal(Seeds.rng(spec.seed(), "synth/user-factors"))
        .fill(checkedSize(spec.users(), d, "user factors"));
    float[] itemFactors = new Draws.Normal(Seeds.rng(spec.seed(), "synth/item-factors"))
        .fill(checkedSize(spec.items(), d, "item factors"));
    double[] popularity = popularity(spec);
    int[] perUser = interactionsPerUser(spec);
    Affinity aff = new Affinity(userFactors, itemFactors, d, spec.affinityTemperature());
    int[][] lists = chooseItems(spec, aff, popularity, perUser);
    coverItems(spec, aff, lists);
    Rows rows = split(spec, lists);
    List<FeatureTable> features = new ArrayList<>();
    for (SyntheticSpec.Modality m : spec.modalities()) {
      features.add(features(spec, itemFactors, m));
    }
    return new SyntheticDataset(
        spec, rows.users, rows.items, rows.labels, userFactors, itemFactors, popularity, features);
  }

  /** Generates and writes the dataset folder; returns the yaml's path. */
  public static Path write(SyntheticSpec spec, Path folder) {
    return generate(spec).write(folder);
  }

  // ---- popularity and activity ----

  /** (rank_i + q)^(−α) for a seeded random permutation of ranks. */
  static double[] popularity(SyntheticSpec spec) {
    int n = spec.items();
    int[] rank = new int[n];
    for (int i = 0; i < n; i++) {
      rank[i] = i;
    }
    SplittableRandom rng = Seeds.rng(spec.seed(), "synth/popularity");
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = rank[i];
      rank[i] = rank[j];
      rank[j] = t;
    }
    double offset = 1 + POPULARITY_OFFSET_PER_ITEM * n;
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = StrictMath.pow(rank[i] + offset, -spec.popularityExponent());
    }
    return w;
  }

  /** The most interactions one user gets. */
  static int maxPerUser(SyntheticSpec spec) {
    double mean = spec.interactions() / (double) spec.users();
    long soft = Math.min(spec.items() / 2, Math.round(MAX_ACTIVITY_OVER_MEAN * mean));
    long cap = Math.max((long) Math.ceil(mean), Math.max(SyntheticSpec.MIN_PER_USER, soft));
    return (int) Math.min(spec.items(), cap);
  }

  /**
   * Interactions per user: 5 each, the rest shared ∝ a Lomax draw by water-filling under the cap, the last
   * few (rounding) one each to the heaviest users. Sums to exactly spec.interactions().
   */
  static int[] interactionsPerUser(SyntheticSpec spec) {
    int nu = spec.users();
    int cap = maxPerUser(spec);
    SplittableRandom rng = Seeds.rng(spec.seed(), "synth/activity");
    double[] r = new double[nu];
    for (int u = 0; u < nu; u++) {
      r[u] = StrictMath.pow(Draws.openUniform(rng), -1.0 / ACTIVITY_SHAPE) - 1.0;
    }
    int[] n = new int[nu];
    Arrays.fill(n, SyntheticSpec.MIN_PER_USER);
    long rest = spec.interactions() - (long) nu * SyntheticSpec.MIN_PER_USER;
    boolean[] full = new boolean[nu];
    while (rest > 0) {
      double w = 0;
      for (int u = 0; u < nu; u++) {
        if (!full[u]) {
          w += r[u];
        }
      }
      if (!(w > 0)) {
        break;
      }
      long given = 0;
      boolean filled = false;
      for (int u = 0; u < nu; u++) {
        if (full[u]) {
          continue;
        }
        long add = Math.min((long) Math.floor(rest * (r[u] / w)), cap - n[u]);
        n[u] += (int) add;
        given += add;
        if (n[u] == cap) {
          full[u] = true;
          filled = true;
        }
      }
      rest -= given;
      if (!filled) {
        break;
      }
    }
    if (rest > 0) {
      Integer[] order = new Integer[nu];
      for (int u = 0; u < nu; u++) {
        order[u] = u;
      }
      Arrays.sort(order, (a, b) -> r[a] != r[b] ? Double.compare(r[b], r[a]) : Integer.compare(a, b));
      while (rest > 0) {
        for (int k = 0; k < nu && rest > 0; k++) {
          int u = order[k];
          if (n[u] < cap) {
            n[u]++;
            rest--;
          }
        }
      }
    }
    return n;
  }

  // ---- choosing items ----

  /** a(u, i) / T, with the ground-truth factors. */
  static final class Affinity {
    final float[] users;
    final float[] items;
    final int d;
    final double scale;

    Affinity(float[] users, float[] items, int d, double temperature) {
      this.users = users;
      this.items = items;
      this.d = d;
      this.scale = 1.0 / (Math.sqrt(d) * temperature);
    }

    double logWeight(int u, int i) {
      int pu = u * d;
      int pi = i * d;
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      int k = 0;
      for (; k + 3 < d; k += 4) { // four independent sums: the additions overlap instead of queueing
        s0 += (double) users[pu + k] * items[pi + k];
        s1 += (double) users[pu + k + 1] * items[pi + k + 1];
        s2 += (double) users[pu + k + 2] * items[pi + k + 2];
        s3 += (double) users[pu + k + 3] * items[pi + k + 3];
      }
      for (; k < d; k++) {
        s0 += (double) users[pu + k] * items[pi + k];
      }
      double s = (s0 + s1) + (s2 + s3);
      return s * scale;
    }
  }

  static int[][] chooseItems(SyntheticSpec spec, Affinity aff, double[] popularity, int[] perUser) {
    int ni = spec.items();
    double[] logPop = new double[ni];
    for (int i = 0; i < ni; i++) {
      logPop[i] = StrictMath.log(popularity[i]);
    }
    AliasTable alias = ni > EXACT_ITEMS ? new AliasTable(popularity) : null;
    int[][] lists = new int[spec.users()][];
    Parallel.forRange(spec.users(), 256, (from, to) -> {
      UserDraw draw = new UserDraw(spec.seed(), aff, logPop, alias);
      for (int u = from; u < to; u++) {
        lists[u] = draw.choose(u, perUser[u]);
      }
    });
    return lists;
  }

  /** One worker's scratch space for choosing users' items. */
  private static final class UserDraw {
    private final long seed;
    private final Affinity aff;
    private final double[] logPop;
    private final AliasTable alias;
    /** Per item: (user who last drew it) << 32 | its slot in cand, one word per lookup. */
    private final long[] mark;
    private final int[] cand;
    private final int[] mult;
    private final double[] keys;

    UserDraw(long seed, Affinity aff, double[] logPop, AliasTable alias) {
      this.seed = seed;
      this.aff = aff;
      this.logPop = logPop;
      this.alias = alias;
      int ni = logPop.length;
      this.mark = new long[ni];
      Arrays.fill(mark, -1L);
      this.cand = new int[ni];
      this.mult = new int[ni];
      this.keys = new double[ni];
    }

    /** n distinct items for user u, sorted ascending. */
    int[] choose(int u, int n) {
      SplittableRandom rng = Seeds.rng(seed, "synth/choices", u);
      int ni = logPop.length;
      int pool = Math.max(MIN_POOL, POOL_PER_PICK * n);
      int len = 0;
      if (alias != null && 4L * pool < ni) {
        long draws = 0;
        while (len < n && draws < (long) MAX_POOL_ROUNDS * pool) {
          for (int t = 0; t < pool; t++) {
            int i = alias.sample(rng);
            long m = mark[i];
            if ((int) (m >>> 32) != u) {
              mark[i] = ((long) u << 32) | len;
              cand[len] = i;
              mult[len++] = 1;
            } else {
              mult[(int) m]++;
            }
          }
          draws += pool;
        }
        for (int c = 0; c < len; c++) {
          keys[c] = (mult[c] == 1 ? 0.0 : StrictMath.log(mult[c])) + aff.logWeight(u, cand[c]) + Draws.gumbel(rng);
        }
      }
      if (len < n) { // exact over all items: few items, or a pool too concentrated to supply n
        len = ni;
        for (int i = 0; i < ni; i++) {
          cand[i] = i;
          keys[i] = logPop[i] + aff.logWeight(u, i) + Draws.gumbel(rng);
        }
      }
      int[] out = topKeys(keys, cand, len, n);
      Arrays.sort(out);
      return out;
    }
  }

  /** The ids of the k largest keys among the first len (a min-heap of size k). */
  static int[] topKeys(double[] keys, int[] ids, int len, int k) {
    double[] hk = new double[k];
    int[] hi = new int[k];
    int size = 0;
    for (int c = 0; c < len; c++) {
      double key = keys[c];
      if (size < k) {
        int pos = size++;
        while (pos > 0) {
          int parent = (pos - 1) >>> 1;
          if (hk[parent] <= key) {
            break;
          }
          hk[pos] = hk[parent];
          hi[pos] = hi[parent];
          pos = parent;
        }
        hk[pos] = key;
        hi[pos] = ids[c];
      } else if (key > hk[0]) {
        int pos = 0;
        while (true) {
          int child = 2 * pos + 1;
          if (child >= k) {
            break;
          }
          if (child + 1 < k && hk[child + 1] < hk[child]) {
            child++;
          }
          if (hk[child] >= key) {
            break;
          }
          hk[pos] = hk[child];
          hi[pos] = hi[child];
          pos = child;
        }
        hk[pos] = key;
        hi[pos] = ids[c];
      }
    }
    if (size < k) {
      throw new IllegalStateException("asked for " + k + " items among " + len + " candidates");
    }
    return hi;
  }

  // ---- item coverage ----

  /** The fewest interactions each item ends with. */
  static int minPerItem(SyntheticSpec spec) {
    return (int) Math.min(MIN_PER_ITEM, spec.interactions() / spec.items());
  }

  static void coverItems(SyntheticSpec spec, Affinity aff, int[][] lists) {
    int ni = spec.items();
    int nu = spec.users();
    int min = minPerItem(spec);
    int[] count = new int[ni];
    for (int[] l : lists) {
      for (int i : l) {
        count[i]++;
      }
    }
    SplittableRandom rng = Seeds.rng(spec.seed(), "synth/coverage");
    for (int j = 0; j < ni; j++) {
      while (count[j] < min) {
        int u = pickUser(j, lists, count, min, aff, rng, nu);
        int[] l = lists[u];
        int worst = -1;
        double worstKey = Double.POSITIVE_INFINITY;
        for (int s = 0; s < l.length; s++) {
          if (count[l[s]] > min) {
            double key = aff.logWeight(u, l[s]);
            if (key < worstKey) {
              worstKey = key;
              worst = s;
            }
          }
        }
        count[l[worst]]--;
        l[worst] = j;
        count[j]++;
      }
    }
  }

  /** A user without item j who holds an item with interactions to spare, chosen by affinity to j. */
  private static int pickUser(
      int j, int[][] lists, int[] count, int min, Affinity aff, SplittableRandom rng, int nu) {
    for (int attempt = 0; attempt < COVERAGE_ATTEMPTS; attempt++) {
      int best = -1;
      double bestKey = Double.NEGATIVE_INFINITY;
      for (int t = 0; t < COVERAGE_CANDIDATES; t++) {
        int u = rng.nextInt(nu);
        if (canTake(lists[u], j, count, min)) {
          double key = aff.logWeight(u, j) + Draws.gumbel(rng);
          if (key > bestKey) {
            bestKey = key;
            best = u;
          }
        }
      }
      if (best >= 0) {
        return best;
      }
    }
    for (int u = 0; u < nu; u++) {
      if (canTake(lists[u], j, count, min)) {
        return u;
      }
    }
    // Unreachable: the total is at least items × min, so while j is short some item k has more than min,
    // and k's holders outnumber j's, so one of them lacks j.
    throw new IllegalStateException("no user can take item " + j);
  }

  private static boolean canTake(int[] l, int j, int[] count, int min) {
    boolean donor = false;
    for (int i : l) {
      if (i == j) {
        return false;
      }
      donor |= count[i] > min;
    }
    return donor;
  }

  // ---- split ----

  private record Rows(int[] users, int[] items, byte[] labels) {}

  /** Validation and test rows for a user with n rows, by MMRec's rule: {valid, test}. */
  static int[] heldOut(int n) {
    if (n < 10) {
      return new int[] {1, 1};
    }
    int vt = n / 5;
    int valid = vt / 2;
    return new int[] {valid, vt - valid};
  }

  private static Rows split(SyntheticSpec spec, int[][] lists) {
    int total = spec.interactions();
    int[] users = new int[total];
    int[] items = new int[total];
    byte[] labels = new byte[total];
    int p = 0;
    for (int u = 0; u < lists.length; u++) {
      int[] a = lists[u];
      Arrays.sort(a);
      SplittableRandom rng = Seeds.rng(spec.seed(), "synth/split", u);
      for (int k = a.length - 1; k > 0; k--) {
        int s = rng.nextInt(k + 1);
        int t = a[k];
        a[k] = a[s];
        a[s] = t;
      }
      int[] vt = heldOut(a.length);
      int train = a.length - vt[0] - vt[1];
      Arrays.sort(a, 0, train);
      Arrays.sort(a, train, train + vt[0]);
      Arrays.sort(a, train + vt[0], a.length);
      for (int k = 0; k < a.length; k++) {
        users[p] = u;
        items[p] = a[k];
        labels[p++] = (byte) (k < train ? SyntheticDataset.TRAIN
            : k < train + vt[0] ? SyntheticDataset.VALID : SyntheticDataset.TEST);
      }
    }
    if (p != total) {
      throw new IllegalStateException("generated " + p + " rows for " + total + " interactions");
    }
    return new Rows(users, items, labels);
  }

  // ---- features ----

  static FeatureTable features(SyntheticSpec spec, float[] itemFactors, SyntheticSpec.Modality m) {
    int d = spec.latentDim();
    int dim = m.dim();
    String component = "synth/features/" + m.name();
    Draws.Normal mapDraw = new Draws.Normal(Seeds.rng(spec.seed(), component));
    float[] w = mapDraw.fill(checkedSize(dim, d, "modality " + m.name() + "'s map"));
    double[] bias = new double[dim];
    for (int k = 0; k < dim; k++) {
      bias[k] = FEATURE_BIAS_SD * mapDraw.next();
    }
    double gain = FEATURE_GAIN / Math.sqrt(d);
    double noise = spec.featureNoise();
    int ni = spec.items();
    float[] out = new float[checkedSize(ni, dim, "modality " + m.name() + "'s features")];
    String noiseComponent = component + "/noise";
    Parallel.forRange(ni, 64, (from, to) -> {
      for (int i = from; i < to; i++) {
        Draws.Normal eps = noise > 0 ? new Draws.Normal(Seeds.rng(spec.seed(), noiseComponent, i)) : null;
        int zi = i * d;
        int row = i * dim;
        for (int k = 0; k < dim; k++) {
          int wk = k * d;
          double s = 0;
          for (int c = 0; c < d; c++) {
            s += (double) w[wk + c] * itemFactors[zi + c];
          }
          double x = StrictMath.tanh(gain * s + bias[k]);
          if (eps != null) {
            x += noise * eps.next();
          }
          out[row + k] = (float) x;
        }
      }
    });
    return new FeatureTable(m.name(), ni, dim, out);
  }

  private static int checkedSize(int rows, int cols, String what) {
    long n = (long) rows * cols;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          what + ": " + rows + " x " + cols + " = " + n + " values exceed one Java array; use a smaller dimension");
    }
    return (int) n;
  }

  // ---- command line ----

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * Generates a preset and writes it, printing time and peak heap: {@code <preset> <folder> [--seed N]
   * [--dims a,b,...] [--name NAME] [--threads N]}.
   */
  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: SyntheticGenerator <" + String.join("|", SyntheticSpec.presetNames())
          + "> <folder> [--seed N] [--dims a,b,...] [--name NAME] [--threads N]");
      System.exit(2);
    }
    SyntheticSpec spec = SyntheticSpec.preset(args[0]);
    Path folder = Path.of(args[1]);
    for (int k = 2; k < args.length; k++) {
      String key = args[k];
      if (k + 1 >= args.length) {
        throw new IllegalArgumentException(key + " needs a value");
      }
      String value = args[++k];
      switch (key) {
        case "--seed":
          spec = spec.withSeed(Long.parseLong(value));
          break;
        case "--dims":
          spec = spec.withFeatureDims(Arrays.stream(value.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray());
          break;
        case "--name":
          spec = spec.withName(value);
          break;
        case "--threads":
          Parallel.setThreads(Integer.parseInt(value));
          break;
        default:
          throw new IllegalArgumentException("unknown option " + key + "; known: --seed --dims --name --threads");
      }
    }
    System.out.println("generating " + spec.describe() + " on " + Parallel.threads() + " threads");
    long c0 = processCpuNanos();
    long t0 = System.nanoTime();
    SyntheticDataset data = generate(spec);
    long t1 = System.nanoTime();
    Path yaml = data.write(folder);
    long t2 = System.nanoTime();
    long c2 = processCpuNanos();
    System.out.printf(Locale.ROOT, "generate %.2f s, write %.2f s, total %.2f s wall, %.2f s process CPU -> %s%n",
        (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t0) / 1e9, (c2 - c0) / 1e9, yaml);
    long peak = HeapPeak.bytes();
    System.out.printf(Locale.ROOT, "peak heap (sum of pool peaks) %.0f MiB, max heap %.0f MiB%n",
        peak / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
  }
}
