package org.userec.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.ConfigChecks;
import org.userec.config.ConfigLoader;
import org.userec.config.Yaml;
import org.userec.data.raw.ItemTable;
import org.userec.data.raw.PrepareDataset;
import org.userec.data.raw.RawFormat;
import org.userec.util.ParamFile;

/**
 * Property-based fuzzing of every reader of user input: a valid file is mutated at random (truncated, a byte
 * flipped, bytes inserted, two ranges swapped, re-encoded as UTF-16 or with a BOM and CRLF line ends) and
 * read. Each read must either succeed or fail with our one-line {@link BadInputException}, never another
 * exception (an index error, an OutOfMemoryError, a NumberFormatException). Where a mutation cannot change
 * the content (a checksummed .params file, a UTF-8 BOM, CRLF) a successful read must give the original
 * content. Bounded: at most {@value #TRIES} tries per reader, files of a few hundred bytes (about 10 s in all on
 * a quiet 2-core host). jqwik picks a fresh seed per run and prints it with any failure, so a found input can
 * be replayed with {@code @Property(seed = "...")}.
 */
class ReaderFuzzTest {
  static final int TRIES = 250;
  static Path dir;

  @BeforeContainer
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("userec-fuzz");
  }

  @AfterContainer
  static void removeDir() throws IOException {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** One mutation of a byte string. */
  record Mutation(int kind, double at, double to, byte[] bytes) {
    byte[] apply(byte[] in) {
      int n = in.length;
      int i = (int) (at * n);
      int j = (int) (to * n);
      switch (kind) {
        case 0: // truncate
          return Arrays.copyOf(in, i);
        case 1: { // flip bits of one byte
          byte[] out = in.clone();
          if (n > 0) {
            out[Math.min(i, n - 1)] ^= (byte) (bytes.length == 0 || bytes[0] == 0 ? 1 : bytes[0]);
          }
          return out;
        }
        case 2: { // insert bytes
          byte[] out = new byte[n + bytes.length];
          System.arraycopy(in, 0, out, 0, i);
          System.arraycopy(bytes, 0, out, i, bytes.length);
          System.arraycopy(in, i, out, i + bytes.length, n - i);
          return out;
        }
        case 3: { // swap two ranges of equal length
          byte[] out = in.clone();
          int len = Math.max(1, Math.min(bytes.length + 1, Math.min(n - Math.max(i, j), Math.abs(i - j))));
          if (n == 0 || i == j || Math.max(i, j) + len > n) {
            return out;
          }
          byte[] tmp = Arrays.copyOfRange(out, i, i + len);
          System.arraycopy(out, j, out, i, len);
          System.arraycopy(tmp, 0, out, j, len);
          return out;
        }
        case 4: // re-encode as UTF-16 (with its byte-order mark)
          return new String(in, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16);
        case 5: { // delete a range
          int a = Math.min(i, j);
          int b = Math.max(i, j);
          byte[] out = new byte[n - (b - a)];
          System.arraycopy(in, 0, out, 0, a);
          System.arraycopy(in, b, out, a, n - b);
          return out;
        }
        default: // same text, UTF-8 BOM and CRLF line ends: content-preserving for the text readers
          return ("\uFEFF" + new String(in, StandardCharsets.UTF_8).replace("\n", "\r\n")).getBytes(StandardCharsets.UTF_8);
      }
    }

    boolean preservesText() {
      return kind == 6;
    }
  }

  @Provide
  Arbitrary<Mutation> mutations() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 6),
            Arbitraries.doubles().between(0, 1),
            Arbitraries.doubles().between(0, 1),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(12))
        .as(Mutation::new);
  }

  /** Runs {@code read}; returns its result, or null when it threw BadInputException; any other throwable fails. */
  static <T> T readOrBadInput(Callable<T> read, byte[] bytes) {
    try {
      return read.call();
    } catch (BadInputException e) {
      assertThat(e.getMessage()).as("one line").doesNotContain("\n");
      return null;
    } catch (Throwable t) {
      throw new AssertionError("not a BadInputException for input " + printable(bytes) + ": " + t, t);
    }
  }

  static String printable(byte[] b) {
    return Arrays.toString(Arrays.copyOf(b, Math.min(b.length, 400)));
  }

  static Path write(String name, byte[] bytes) throws IOException {
    Path p = Files.createTempFile(dir, "f", name);
    Files.write(p, bytes);
    return p;
  }

  // --- .inter ---

  static final byte[] INTER;

  static {
    StringBuilder sb = new StringBuilder("userID\titemID\tx_label\ttimestamp\n");
    for (int u = 0; u < 12; u++) {
      for (int k = 0; k < 4; k++) {
        sb.append(u).append('\t').append((u * 3 + k) % 9).append('\t').append(k < 2 ? 0 : k - 1).append('\t').append(1000 + k).append('\n');
      }
    }
    INTER = sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String content(InterFile f) {
    return f.numUsers() + "/" + f.numItems() + Arrays.toString(f.users()) + Arrays.toString(f.items()) + Arrays.toString(f.labels());
  }

  @Property(tries = TRIES)
  void interFile(@ForAll("mutations") Mutation m) {
    byte[] b = m.apply(INTER);
    InterFile f = readOrBadInput(() -> InterFileReader.parse(Path.of("t.inter"), b, InterFileReader.Columns.MMREC), b);
    if (f != null) {
      assertThat(f.size()).isPositive();
      assertThat(Arrays.stream(f.users()).max().getAsInt()).isLessThan(f.numUsers());
      if (m.preservesText()) {
        assertThat(content(f)).isEqualTo(content(InterFileReader.parse(Path.of("t.inter"), INTER, InterFileReader.Columns.MMREC)));
      }
    }
  }

  // --- .npy ---

  static final byte[] NPY;

  static {
    try {
      Path p = Files.createTempFile("userec-fuzz", ".npy");
      float[] x = new float[6 * 5];
      for (int i = 0; i < x.length; i++) {
        x[i] = i * 0.25f - 3;
      }
      NpyWriter.writeFloat32(p, 6, 5, x);
      NPY = Files.readAllBytes(p);
      Files.delete(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Property(tries = TRIES)
  void npy(@ForAll("mutations") Mutation m) throws IOException {
    byte[] b = m.apply(NPY);
    Path p = write(".npy", b);
    FeatureTable t = readOrBadInput(() -> NpyReader.read(p), b);
    if (t != null) {
      assertThat(t.data()).hasSize(t.rows() * t.cols());
      for (float v : t.data()) {
        assertThat(Float.isFinite(v)).isTrue();
      }
    }
    readOrBadInput(() -> NpyReader.readHeader(p), b);
  }

  // --- yaml (a --config file, merged and checked as a run would) ---

  static final byte[] YAML = ("# a user's config\nepochs: 20\nlearning_rate: 0.001\ntopk: [10, 20]\nvalid_metric: Recall@20\n"
      + "n_layers: [1, 2]\nreg_weight: 1e-04\nhyper_parameters: [\"n_layers\"]\nfeature_files: {image: image_feat.npy}\n").getBytes(StandardCharsets.UTF_8);

  @Property(tries = TRIES / 2)
  void yamlConfig(@ForAll("mutations") Mutation m) throws IOException {
    byte[] b = m.apply(YAML);
    Path p = write(".yaml", b);
    Map<String, Object> parsed = readOrBadInput(() -> Yaml.parseFile(p), b);
    Config c = readOrBadInput(() -> {
      Config built = new ConfigLoader().model("LightGCN", List.of("LightGCN")).file(p).build();
      ConfigChecks.check(built, new ConfigChecks.DataFacts(9));
      built.getMap("feature_files");
      return built;
    }, b);
    if (m.preservesText()) {
      assertThat(parsed).isEqualTo(Yaml.parseMap(new String(YAML, StandardCharsets.UTF_8), "x"));
      assertThat(c).isNotNull();
    }
  }

  // --- items.tsv ---

  static final byte[] ITEMS = ("itemID\tasin\ttitle\tbrand\n0\tA1\tSoft blanket\tCozy\n1\tA2\tBottle\\twith tab\tBaby\n2\tA3\tRattle\t\n")
      .getBytes(StandardCharsets.UTF_8);

  @Property(tries = TRIES)
  void itemTable(@ForAll("mutations") Mutation m) throws IOException {
    byte[] b = m.apply(ITEMS);
    Path p = write(".tsv", b);
    ItemTable t = readOrBadInput(() -> ItemTable.read(p), b);
    if (t != null) {
      for (int i = 0; i < t.size(); i++) {
        t.meta(i);
      }
    }
  }

  // --- raw reviews (JSON lines and CSV) through prepare, and Python-literal metadata ---

  static final byte[] REVIEWS_JSON;
  static final byte[] REVIEWS_CSV;
  static final byte[] META;

  static {
    StringBuilder json = new StringBuilder();
    StringBuilder csv = new StringBuilder("user,item,rating,timestamp\n");
    StringBuilder meta = new StringBuilder();
    for (int u = 0; u < 6; u++) {
      for (int k = 0; k < 4; k++) {
        String item = "I" + ((u + k) % 5);
        json.append("{\"reviewerID\": \"U").append(u).append("\", \"asin\": \"").append(item).append("\", \"overall\": 4.0, \"unixReviewTime\": ")
            .append(1000 + k).append("}\n");
        csv.append('U').append(u).append(',').append(item).append(",5,").append(1000 + k).append('\n');
      }
    }
    for (int i = 0; i < 5; i++) {
      meta.append("{'asin': 'I").append(i).append("', 'title': 'thing ").append(i).append("', 'categories': [['Baby', 'Toys']], 'brand': 'B'}\n");
    }
    REVIEWS_JSON = json.toString().getBytes(StandardCharsets.UTF_8);
    REVIEWS_CSV = csv.toString().getBytes(StandardCharsets.UTF_8);
    META = meta.toString().getBytes(StandardCharsets.UTF_8);
  }

  static int outs;

  static void prepare(byte[] reviews, byte[] meta, String suffix) throws IOException {
    Path r = write(suffix, reviews);
    Path mp = meta == null ? null : write(".meta.json", meta);
    Path out = dir.resolve("prep-" + outs++);
    byte[] shown = meta == null ? reviews : meta;
    readOrBadInput(() -> PrepareDataset.run(new PrepareDataset.Spec(r, mp, RawFormat.AUTO, "toy", out, 1, PrepareDataset.Split.parse("random"), 999),
        line -> {}), shown);
  }

  @Property(tries = TRIES / 3)
  void rawJsonReviews(@ForAll("mutations") Mutation m) throws IOException {
    prepare(m.apply(REVIEWS_JSON), null, ".json");
  }

  @Property(tries = TRIES / 3)
  void rawCsvReviews(@ForAll("mutations") Mutation m) throws IOException {
    prepare(m.apply(REVIEWS_CSV), null, ".csv");
  }

  @Property(tries = TRIES / 3)
  void rawMetadata(@ForAll("mutations") Mutation m) throws IOException {
    prepare(REVIEWS_JSON, m.apply(META), ".json");
  }

  // --- .params (checkpoints, best.params) ---

  static final byte[] PARAMS;
  static final Path PARAMS_FILE;

  static {
    try {
      PARAMS_FILE = Files.createTempFile("userec-fuzz", ".params");
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("epoch", "3");
      meta.put("state.nextEpoch", "4");
      Map<String, float[]> arrays = new LinkedHashMap<>();
      arrays.put("param.user", new float[] {1, 2, 3, 4, 5, 6});
      arrays.put("param.item", new float[] {-1, 0.5f});
      ParamFile.write(PARAMS_FILE, meta, arrays);
      PARAMS = Files.readAllBytes(PARAMS_FILE);
      Files.delete(PARAMS_FILE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Property(tries = TRIES)
  void params(@ForAll("mutations") Mutation m) throws IOException {
    byte[] b = m.apply(PARAMS);
    Path p = write(".params", b);
    ParamFile.Contents c = readOrBadInput(() -> ParamFile.read(p), b);
    Map<String, String> meta = readOrBadInput(() -> ParamFile.readMeta(p), b);
    if (c != null || meta != null) { // checksummed: whatever reads must be the original
      assertThat(b).isEqualTo(PARAMS);
    }
  }
}
