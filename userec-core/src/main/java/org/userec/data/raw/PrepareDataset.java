package org.userec.data.raw;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.userec.BadInputException;
import org.userec.util.AtomicFiles;
import org.userec.util.Seeds;

/**
 * Raw reviews (and optional metadata) to an MMRec dataset folder: {@code <name>.inter}, {@code u_id_mapping.csv},
 * {@code i_id_mapping.csv}, {@code items.tsv}, {@code prepare_report.txt} and {@code <name>.yaml} (last, so a
 * folder with the yaml is complete). Every file is written atomically.
 *
 * <p>Steps, in order:
 * <ol>
 *   <li>Stream the reviews; corrupt lines are counted and listed ({@link LineErrors}). Raw ids are interned;
 *       each review costs 20 bytes of arrays (user, item, rating, time), the JSON text is never kept.
 *   <li>Repeated (user, item) pairs keep their first occurrence in the file (MMRec's inter files have one row
 *       per pair); the others are counted.
 *   <li>{@link KCore} to a fixed point (default 5, as MMRec's Amazon datasets).
 *   <li>Dense ids, 0-based, by <b>first appearance in the review file</b> among the surviving rows. Amazon 2014
 *       review files are grouped by asin in sorted order, so items come out in asin order, as in MMRec's maps.
 *   <li>Split per user. {@link Split#RANDOM} (default, MMRec): the user's rows in file order are shuffled by
 *       a generator seeded from (seed, "prepare/split", userID); {@link Split#CHRONO}: rows by time, ties in file
 *       order. Then the last rows go to test and those before to validation, sized by MMRec's rule (PROTOCOL.md):
 *       n &lt; 10 → 1 valid, 1 test; else vt = ⌊0.2n⌋, valid = ⌊vt/2⌋, test = vt − valid; about 8:1:1.
 *       Users with fewer than 3 rows (only when k &lt; 3) keep one in train: n = 1 → train; n = 2 → train, test.
 * </ol>
 * The .inter holds, per user in id order, train then validation then test rows, each in time order (file
 * order for ties): {@code userID itemID x_label rating timestamp} (rating/timestamp when the input has them).
 */
public final class PrepareDataset {
  private PrepareDataset() {}

  /** How each user's rows are split into train / validation / test. */
  public enum Split {
    /** MMRec's: a seeded per-user shuffle, then the size rule. */
    RANDOM,
    /** The same sizes on the user's rows in time order: the latest go to test. */
    CHRONO;

    public static Split parse(String s) {
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "random", "mmrec" -> RANDOM;
        case "chrono", "chronological", "time" -> CHRONO;
        default -> throw new BadInputException("--split " + s + ": unknown split; use random (MMRec's) or chrono");
      };
    }
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** What to prepare. {@code meta} may be null. */
  public record Spec(Path reviews, Path meta, RawFormat format, String name, Path out, int kcore, Split split, long seed) {
    public Spec {
      if (reviews == null || out == null || format == null || split == null) {
        throw new IllegalArgumentException("reviews, out, format and split are required");
      }
      if (name == null || !NAME.matcher(name).matches()) {
        throw new BadInputException("--name " + name + ": use letters, digits, '.', '_' or '-' (it names <name>.inter and <name>.yaml)");
      }
      if (kcore < 1) {
        throw new BadInputException("--kcore " + kcore + ": must be at least 1 (1 keeps every interaction)");
      }
    }
  }

  /** What a preparation found and wrote. {@code metaErrors} is null without a metadata file. */
  public record Report(
      RawFormat format,
      long reviewLines,
      long reviews,
      LineErrors reviewErrors,
      long duplicates,
      int rawUsers,
      int rawItems,
      int kcoreRounds,
      int users,
      int items,
      int interactions,
      int[] perLabel,
      long metaRecords,
      int itemsWithMeta,
      LineErrors metaErrors,
      double seconds) {

    public String toText() {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "reviews: %,d lines, %,d reviews (%s), %,d corrupt, %,d repeated (user, item) pairs dropped%n",
          reviewLines, reviews, format.name().toLowerCase(Locale.ROOT), reviewErrors.count(), duplicates));
      if (reviewErrors.count() > 0) {
        b.append("  ").append(reviewErrors.summary()).append('\n');
      }
      b.append(String.format(Locale.ROOT, "raw: %,d users, %,d items; k-core fixed point after %d rounds%n", rawUsers, rawItems, kcoreRounds));
      b.append(String.format(Locale.ROOT, "kept: %,d users, %,d items, %,d interactions (train %,d / valid %,d / test %,d)%n",
          users, items, interactions, perLabel[0], perLabel[1], perLabel[2]));
      if (metaErrors != null) {
        b.append(String.format(Locale.ROOT, "metadata: %,d records read, %,d of %,d items have metadata, %,d corrupt lines%n",
            metaRecords, itemsWithMeta, items, metaErrors.count()));
        if (metaErrors.count() > 0) {
          b.append("  ").append(metaErrors.summary()).append('\n');
        }
      }
      return b.toString();
    }
  }

  /** Interned raw ids in first-seen order. */
  private static final class Ids {
    final Map<String, Integer> index = new HashMap<>();
    final List<String> names = new ArrayList<>();

    int intern(String id) {
      Integer k = index.get(id);
      if (k == null) {
        k = names.size();
        index.put(id, k);
        names.add(id);
      }
      return k;
    }
  }

  /** The reviews as compact columns, in file order. */
  private static final class Log implements ReviewReader.Sink {
    final Ids users = new Ids();
    final Ids items = new Ids();
    int[] u = new int[1024];
    int[] i = new int[1024];
    float[] rating = new float[1024];
    long[] time = new long[1024];
    int n;
    boolean anyRating;
    boolean anyTime;
    long missingTime;

    @Override
    public void review(String user, String item, float r, long t) {
      if (n == u.length) {
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, n + (n >> 1) + 16L);
        if (cap == n) {
          throw new BadInputException("more than " + n + " reviews; split the input file");
        }
        u = Arrays.copyOf(u, cap);
        i = Arrays.copyOf(i, cap);
        rating = Arrays.copyOf(rating, cap);
        time = Arrays.copyOf(time, cap);
      }
      u[n] = users.intern(user);
      i[n] = items.intern(item);
      rating[n] = r;
      time[n] = t;
      anyRating |= !Float.isNaN(r);
      if (t == Long.MIN_VALUE) {
        missingTime++;
      } else {
        anyTime = true;
      }
      n++;
    }
  }

  public static Report run(Spec spec, Consumer<String> log) {
    long t0 = System.nanoTime();
    Log raw = new Log();
    ReviewReader.Result read = ReviewReader.read(spec.reviews(), spec.format(), raw);
    log.accept(String.format(Locale.ROOT, "read %,d reviews from %s (%,d users, %,d items) in %.1fs",
        read.reviews(), spec.reviews(), raw.users.names.size(), raw.items.names.size(), (System.nanoTime() - t0) / 1e9));
    if (read.errors().count() > 0) {
      log.accept(read.errors().summary());
    }
    if (spec.split() == Split.CHRONO && raw.missingTime > 0) {
      throw new BadInputException(spec.reviews() + ": --split chrono needs a timestamp on every review, but " + raw.missingTime
          + " have none; add the 4th column (user,item,rating,timestamp) or use --split random");
    }
    int rows = raw.n;
    int nu = raw.users.names.size();
    int ni = raw.items.names.size();
    boolean[] alive = new boolean[rows];
    Arrays.fill(alive, true);

    // Repeated (user, item) pairs: keep the first row. Group rows by user (stable counting sort), then sort
    // each user's (item, row) keys so repeats sit together.
    int[] byUser = groupBy(raw.u, rows, nu, alive);
    int[] start = starts(raw.u, rows, nu, alive);
    long duplicates = 0;
    long[] keys = new long[16];
    for (int user = 0; user < nu; user++) {
      int a = start[user];
      int len = start[user + 1] - a;
      if (keys.length < len) {
        keys = new long[Math.max(len, keys.length * 2)];
      }
      for (int k = 0; k < len; k++) {
        int r = byUser[a + k];
        keys[k] = ((long) raw.i[r] << 32) | r;
      }
      Arrays.sort(keys, 0, len);
      for (int k = 1; k < len; k++) {
        if ((keys[k] >>> 32) == (keys[k - 1] >>> 32)) {
          alive[(int) keys[k]] = false;
          duplicates++;
        }
      }
    }

    int rounds = KCore.filter(raw.u, raw.i, alive, rows, nu, ni, spec.kcore());

    // Dense ids by first appearance among surviving rows.
    int[] newUser = new int[nu];
    int[] newItem = new int[ni];
    Arrays.fill(newUser, -1);
    Arrays.fill(newItem, -1);
    List<String> userNames = new ArrayList<>();
    List<String> itemNames = new ArrayList<>();
    int kept = 0;
    for (int r = 0; r < rows; r++) {
      if (!alive[r]) {
        continue;
      }
      kept++;
      if (newUser[raw.u[r]] < 0) {
        newUser[raw.u[r]] = userNames.size();
        userNames.add(raw.users.names.get(raw.u[r]));
      }
      if (newItem[raw.i[r]] < 0) {
        newItem[raw.i[r]] = itemNames.size();
        itemNames.add(raw.items.names.get(raw.i[r]));
      }
    }
    if (kept == 0) {
      throw new BadInputException(spec.reviews() + ": no interaction survives the " + spec.kcore() + "-core filter (" + rows
          + " reviews, " + nu + " users, " + ni + " items); lower --kcore");
    }
    int users = userNames.size();
    int items = itemNames.size();
    log.accept(String.format(Locale.ROOT, "%d-core after %d rounds: %,d users, %,d items, %,d interactions (%,d repeated pairs dropped)",
        spec.kcore(), rounds, users, items, kept, duplicates));

    // Split per user.
    int[] uOf = new int[rows];
    for (int r = 0; r < rows; r++) {
      uOf[r] = alive[r] ? newUser[raw.u[r]] : 0;
    }
    int[] order = groupBy(uOf, rows, users, alive);
    int[] ustart = starts(uOf, rows, users, alive);
    byte[] label = new byte[rows];
    int[] perLabel = new int[3];
    for (int user = 0; user < users; user++) {
      int a = ustart[user];
      int n = ustart[user + 1] - a;
      if (spec.split() == Split.RANDOM) {
        SplittableRandom rng = Seeds.rng(spec.seed(), "prepare/split", user);
        for (int k = n - 1; k > 0; k--) {
          int s = rng.nextInt(k + 1);
          int t = order[a + k];
          order[a + k] = order[a + s];
          order[a + s] = t;
        }
      } else {
        sortByTime(order, a, n, raw.time);
      }
      int[] vt = heldOut(n);
      int train = n - vt[0] - vt[1];
      for (int k = 0; k < n; k++) {
        byte l = (byte) (k < train ? 0 : k < train + vt[0] ? 1 : 2);
        label[order[a + k]] = l;
        perLabel[l]++;
      }
      // Write order: train, valid, test; each in time order (file order for ties).
      sortByLabelThenTime(order, a, n, label, raw.time);
    }

    // Metadata, only for kept items.
    ItemMeta[] metas = new ItemMeta[items];
    long[] metaRecords = {0};
    LineErrors metaErrors = null;
    if (spec.meta() != null) {
      long tm = System.nanoTime();
      metaErrors = new LineErrors(spec.meta());
      LineErrors errs = metaErrors;
      long metaLines =
          RawFiles.forEachLine(spec.meta(), (n, line) -> {
            if (line.isBlank()) {
              return;
            }
            Map<String, Object> m;
            try {
              m = Literal.parseObject(line, ItemMeta.KEYS);
            } catch (Literal.SyntaxException e) {
              errs.add(n, "not a JSON or Python-literal object: " + e.getMessage());
              return;
            }
            if (!(m.get("asin") instanceof String asin) || asin.isBlank()) {
              errs.add(n, m.containsKey("asin") ? "'asin' is not a non-empty string" : "missing key 'asin'");
              return;
            }
            metaRecords[0]++;
            Integer r = raw.items.index.get(asin);
            if (r != null && newItem[r] >= 0 && metas[newItem[r]] == null) {
              metas[newItem[r]] = ItemMeta.fromMap(m);
            }
          });
      if (metaRecords[0] == 0 && metaLines > 0) {
        LineErrors.Entry e = errs.first().isEmpty() ? null : errs.first().get(0);
        throw new BadInputException(spec.meta() + ": none of its " + metaLines + " lines is a metadata object with an 'asin'"
            + (e == null ? "" : " (line " + e.line() + ": " + e.reason() + ")") + "; give Amazon 2014 or 2018 metadata, one object per line");
      }
      log.accept(String.format(Locale.ROOT, "read %,d metadata records from %s in %.1fs", metaRecords[0], spec.meta(), (System.nanoTime() - tm) / 1e9));
      if (errs.count() > 0) {
        log.accept(errs.summary());
      }
    }
    int withMeta = 0;
    List<ItemMeta> table = new ArrayList<>(items);
    for (int k = 0; k < items; k++) {
      if (metas[k] != null) {
        withMeta++;
        table.add(metas[k]);
      } else {
        table.add(ItemMeta.empty(itemNames.get(k)));
      }
    }

    Report report = new Report(read.format(), read.lines(), read.reviews(), read.errors(), duplicates, nu, ni, rounds, users, items, kept,
        perLabel, metaRecords[0], withMeta, metaErrors, 0);
    try {
      Path out = spec.out();
      Files.createDirectories(out);
      AtomicFiles.write(out.resolve(spec.name() + ".inter"), o -> writeInter(o, raw, order, ustart, users, label, newItem));
      AtomicFiles.write(out.resolve("u_id_mapping.csv"), o -> writeMap(o, "user_id", "userID", userNames));
      AtomicFiles.write(out.resolve("i_id_mapping.csv"), o -> writeMap(o, "asin", "itemID", itemNames));
      ItemTable.of(table).write(out.resolve("items.tsv"));
      double seconds = (System.nanoTime() - t0) / 1e9;
      report = new Report(read.format(), read.lines(), read.reviews(), read.errors(), duplicates, nu, ni, rounds, users, items, kept,
          perLabel, metaRecords[0], withMeta, metaErrors, seconds);
      AtomicFiles.writeString(out.resolve("prepare_report.txt"), describe(spec) + report.toText());
      AtomicFiles.writeString(out.resolve(spec.name() + ".yaml"), yaml(spec, report));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dataset to " + spec.out() + ": " + e.getMessage(), e);
    }
    return report;
  }

  /** Validation and test sizes for a user with n rows: MMRec's rule, with one train row kept for n ≤ 2. */
  public static int[] heldOut(int n) {
    if (n <= 1) {
      return new int[] {0, 0};
    }
    if (n == 2) {
      return new int[] {0, 1};
    }
    if (n < 10) {
      return new int[] {1, 1};
    }
    int vt = n / 5;
    int valid = vt / 2;
    return new int[] {valid, vt - valid};
  }

  private static String describe(Spec spec) {
    return String.format(Locale.ROOT, "userec prepare --reviews %s%s --name %s --kcore %d --split %s --seed %d%n",
        spec.reviews(), spec.meta() == null ? "" : " --meta " + spec.meta(), spec.name(), spec.kcore(),
        spec.split().name().toLowerCase(Locale.ROOT), spec.seed());
  }

  private static String yaml(Spec spec, Report r) {
    StringBuilder y = new StringBuilder();
    y.append("# Written by userec prepare (org.userec.data.raw.PrepareDataset); see prepare_report.txt.\n");
    y.append("# ").append(describe(spec));
    y.append(String.format(Locale.ROOT, "# %d users, %d items, %d interactions (train %d / valid %d / test %d)%n",
        r.users(), r.items(), r.interactions(), r.perLabel()[0], r.perLabel()[1], r.perLabel()[2]));
    y.append("# Item metadata: items.tsv. Features: userec features text|mllm --items items.tsv --out <this folder>\n");
    y.append("inter_file_name: ").append(spec.name()).append(".inter\n");
    y.append("USER_ID_FIELD: userID\n");
    y.append("ITEM_ID_FIELD: itemID\n");
    y.append("TIME_FIELD: timestamp\n");
    y.append("inter_splitting_label: x_label\n");
    y.append("filter_out_cod_start_users: true\n");
    y.append("vision_feature_file: image_feat.npy\n");
    y.append("text_feature_file: text_feat.npy\n");
    return y.toString();
  }

  private static void writeInter(OutputStream out, Log raw, int[] order, int[] ustart, int users, byte[] label, int[] newItem) throws IOException {
    StringBuilder b = new StringBuilder(1 << 17);
    b.append("userID\titemID\tx_label");
    if (raw.anyRating) {
      b.append("\trating");
    }
    if (raw.anyTime) {
      b.append("\ttimestamp");
    }
    b.append('\n');
    for (int user = 0; user < users; user++) {
      for (int k = ustart[user]; k < ustart[user + 1]; k++) {
        int r = order[k];
        b.append(user).append('\t').append(newItem[raw.i[r]]).append('\t').append(label[r]);
        if (raw.anyRating) {
          b.append('\t');
          if (!Float.isNaN(raw.rating[r])) {
            b.append(raw.rating[r]);
          }
        }
        if (raw.anyTime) {
          b.append('\t');
          if (raw.time[r] != Long.MIN_VALUE) {
            b.append(raw.time[r]);
          }
        }
        b.append('\n');
      }
      if (b.length() > 1 << 16) {
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        b.setLength(0);
      }
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** MMRec's map files: tab-separated despite the .csv name, header {@code user_id userID} / {@code asin itemID}. */
  private static void writeMap(OutputStream out, String rawHeader, String idHeader, List<String> names) throws IOException {
    StringBuilder b = new StringBuilder(1 << 17);
    b.append(rawHeader).append('\t').append(idHeader).append('\n');
    for (int k = 0; k < names.size(); k++) {
      ItemTable.escape(names.get(k), b);
      b.append('\t').append(k).append('\n');
      if (b.length() > 1 << 16) {
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        b.setLength(0);
      }
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Row indices of the alive rows grouped by key, in row order within a group (a stable counting sort). */
  private static int[] groupBy(int[] key, int rows, int keys, boolean[] alive) {
    int[] next = starts(key, rows, keys, alive);
    int[] out = new int[next[keys]];
    for (int r = 0; r < rows; r++) {
      if (alive[r]) {
        out[next[key[r]]++] = r;
      }
    }
    return out;
  }

  private static int[] starts(int[] key, int rows, int keys, boolean[] alive) {
    int[] start = new int[keys + 1];
    for (int r = 0; r < rows; r++) {
      if (alive[r]) {
        start[key[r] + 1]++;
      }
    }
    for (int k = 0; k < keys; k++) {
      start[k + 1] += start[k];
    }
    return start;
  }

  /** Sorts order[a, a+n) by (time, row). Time is compared as given; rows without one sort first. */
  private static void sortByTime(int[] order, int a, int n, long[] time) {
    Integer[] box = new Integer[n];
    for (int k = 0; k < n; k++) {
      box[k] = order[a + k];
    }
    Arrays.sort(box, (x, y) -> time[x] != time[y] ? Long.compare(time[x], time[y]) : Integer.compare(x, y));
    for (int k = 0; k < n; k++) {
      order[a + k] = box[k];
    }
  }

  private static void sortByLabelThenTime(int[] order, int a, int n, byte[] label, long[] time) {
    Integer[] box = new Integer[n];
    for (int k = 0; k < n; k++) {
      box[k] = order[a + k];
    }
    Arrays.sort(box, (x, y) -> label[x] != label[y] ? Integer.compare(label[x], label[y])
        : time[x] != time[y] ? Long.compare(time[x], time[y]) : Integer.compare(x, y));
    for (int k = 0; k < n; k++) {
      order[a + k] = box[k];
    }
  }
}
