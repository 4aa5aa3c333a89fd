package org.userec.data.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.util.Parallel;

class SyntheticGeneratorTest {
  private static SyntheticDataset tiny;
  /** More than 2,048 items: exercises the candidate-pool path rather than the exact one. */
  private static final SyntheticSpec POOLED =
      new SyntheticSpec("pooled", 2_000, 3_000, 20_000, 8, 0.75, 0.5, List.of(), 0.3, 7L);

  @BeforeAll
  static void generateTiny() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny());
  }

  @Test
  void tinyHasTheSpecsCountsAndDenseIds() {
    SyntheticSpec s = tiny.spec();
    assertThat(tiny.size()).isEqualTo(s.interactions()).isEqualTo(2_000);
    assertThat(Arrays.stream(tiny.users()).distinct().count()).isEqualTo(s.users());
    assertThat(Arrays.stream(tiny.users()).max().getAsInt()).isEqualTo(s.users() - 1);
    assertThat(Arrays.stream(tiny.items()).min().getAsInt()).isZero();
    assertThat(Arrays.stream(tiny.items()).max().getAsInt()).isEqualTo(s.items() - 1);
    assertThat(Arrays.stream(tiny.itemCounts()).min().getAsInt()).as("every item has >= 5 rows").isGreaterThanOrEqualTo(5);
  }

  @Test
  void everyUserFollowsMmrecsSplitRule() {
    assertSplitRule(tiny);
  }

  @Test
  void pooledPathKeepsCountsSplitAndCoverage() {
    SyntheticDataset d = SyntheticGenerator.generate(POOLED);
    assertThat(d.size()).isEqualTo(20_000);
    assertSplitRule(d);
    assertNoDuplicates(d);
    assertThat(Arrays.stream(d.itemCounts()).min().getAsInt()).isGreaterThanOrEqualTo(5);
    assertThat(meanChosenAffinity(d)).isGreaterThan(0.8);
  }

  @Test
  void noDuplicatePairs() {
    assertNoDuplicates(tiny);
  }

  @Test
  void rowsAreSortedByUserLabelItem() {
    for (int k = 1; k < tiny.size(); k++) {
      long prev = ((long) tiny.users()[k - 1] << 40) | ((long) tiny.labels()[k - 1] << 32) | tiny.items()[k - 1];
      long cur = ((long) tiny.users()[k] << 40) | ((long) tiny.labels()[k] << 32) | tiny.items()[k];
      assertThat(cur).as("row %d", k).isGreaterThan(prev);
    }
  }

  @Test
  void popularityIsSkewed() {
    assertThat(topDecileShare(tiny)).isGreaterThan(0.30);
    assertThat(topDecileShare(SyntheticGenerator.generate(SyntheticSpec.small().withModalities(List.of()))))
        .isGreaterThan(0.35);
  }

  @Test
  void featuresHaveTheRightShapeAndAreFinite() {
    List<FeatureTable> f = tiny.features();
    assertThat(f).extracting(FeatureTable::name).containsExactly("image", "text");
    assertThat(f.get(0).rows()).isEqualTo(100);
    assertThat(f.get(0).cols()).isEqualTo(32);
    assertThat(f.get(1).cols()).isEqualTo(16);
    for (FeatureTable t : f) {
      for (float v : t.data()) {
        assertThat(Float.isFinite(v)).isTrue();
      }
    }
  }

  @Test
  void interactionsFollowTheLatentAffinity() {
    assertThat(meanChosenAffinity(tiny)).isGreaterThan(0.5);
  }

  /** Content carries the latent signal: feature similarity correlates with latent-factor similarity. */
  @Test
  void featureSimilarityCorrelatesWithLatentSimilarity() {
    SyntheticSpec s = tiny.spec();
    for (FeatureTable t : tiny.features()) {
      int n = s.items();
      int pairs = n * (n - 1) / 2;
      double[] fx = new double[pairs];
      double[] zx = new double[pairs];
      int p = 0;
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          fx[p] = cosine(t.data(), i * t.cols(), j * t.cols(), t.cols());
          zx[p++] = cosine(tiny.itemFactors(), i * s.latentDim(), j * s.latentDim(), s.latentDim());
        }
      }
      assertThat(pearson(fx, zx)).as(t.name()).isGreaterThan(0.4);
    }
  }

  @Test
  void toDatasetSplitsMatchLabels() {
    Dataset d = tiny.toDataset();
    assertThat(d.numUsers()).isEqualTo(200);
    assertThat(d.numItems()).isEqualTo(100);
    assertThat(d.train().size() + d.valid().size() + d.test().size()).isEqualTo(2_000);
    assertThat(d.feature("text").cols()).isEqualTo(16);
  }

  @Test
  void writesAnMmrecFolder(@TempDir Path dir) throws IOException {
    Path yaml = tiny.write(dir);
    assertThat(yaml).isEqualTo(dir.resolve("tiny.yaml"));
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(x -> x.getFileName().toString()))
          .containsExactlyInAnyOrder("tiny.yaml", "tiny.inter", "image_feat.npy", "text_feat.npy");
    }
    List<String> lines = Files.readAllLines(dir.resolve("tiny.inter"), StandardCharsets.US_ASCII);
    assertThat(lines.get(0)).isEqualTo("userID\titemID\tx_label");
    assertThat(lines).hasSize(2_001);
    for (int k = 1; k < lines.size(); k++) {
      String[] f = lines.get(k).split("\t", -1);
      assertThat(f).hasSize(3);
      assertThat(Integer.parseInt(f[0])).isEqualTo(tiny.users()[k - 1]);
      assertThat(Integer.parseInt(f[1])).isEqualTo(tiny.items()[k - 1]);
      assertThat(Integer.parseInt(f[2])).isEqualTo(tiny.labels()[k - 1]);
    }
    String y = Files.readString(yaml);
    assertThat(y).contains(
        "inter_file_name: tiny.inter\n",
        "USER_ID_FIELD: userID\n",
        "ITEM_ID_FIELD: itemID\n",
        "inter_splitting_label: x_label\n",
        "filter_out_cod_start_users: True\n",
        "feature_files:\n  image: image_feat.npy\n  text: text_feat.npy\n",
        "vision_feature_file: image_feat.npy\n",
        "text_feature_file: text_feat.npy\n");
    byte[] npy = Files.readAllBytes(dir.resolve("image_feat.npy"));
    String header = new String(npy, 10, 118, StandardCharsets.ISO_8859_1);
    assertThat(header).contains("'descr': '<f4'", "'shape': (100, 32)");
    assertThat(npy.length).isEqualTo(128 + 100 * 32 * 4);
  }

  @Test
  void otherModalityNamesGetOnlyFeatureFiles(@TempDir Path dir) throws IOException {
    SyntheticSpec s = SyntheticSpec.tiny().withName("tt")
        .withModalities(List.of(new SyntheticSpec.Modality("audio", 8)));
    String y = Files.readString(SyntheticGenerator.write(s, dir));
    assertThat(y).contains("feature_files:\n  audio: audio_feat.npy\n")
        .doesNotContain("vision_feature_file").doesNotContain("text_feature_file");
    assertThat(dir.resolve("audio_feat.npy")).exists();
  }

  @Test
  void sameSeedGivesIdenticalFilesOnAnyThreadCount(@TempDir Path dir) throws IOException {
    int threads = Parallel.threads();
    SyntheticSpec s = SyntheticSpec.tiny();
    try {
      Parallel.setThreads(1);
      SyntheticGenerator.write(s, dir.resolve("a"));
      Parallel.setThreads(Math.max(2, threads));
      SyntheticGenerator.write(s, dir.resolve("b"));
    } finally {
      Parallel.setThreads(threads);
    }
    SyntheticGenerator.write(POOLED, dir.resolve("c"));
    SyntheticGenerator.write(POOLED, dir.resolve("d"));
    for (String f : List.of("tiny.inter", "tiny.yaml", "image_feat.npy", "text_feat.npy")) {
      assertThat(Files.readAllBytes(dir.resolve("b").resolve(f)))
          .as(f).isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(f)));
    }
    assertThat(Files.readAllBytes(dir.resolve("d/pooled.inter")))
        .isEqualTo(Files.readAllBytes(dir.resolve("c/pooled.inter")));
  }

  @Test
  void differentSeedGivesDifferentData(@TempDir Path dir) throws IOException {
    SyntheticGenerator.write(SyntheticSpec.tiny(), dir.resolve("a"));
    SyntheticGenerator.write(SyntheticSpec.tiny().withSeed(1000), dir.resolve("b"));
    for (String f : List.of("tiny.inter", "image_feat.npy", "text_feat.npy")) {
      assertThat(Files.readAllBytes(dir.resolve("b").resolve(f)))
          .as(f).isNotEqualTo(Files.readAllBytes(dir.resolve("a").resolve(f)));
    }
  }

  @Test
  void denseCornerCasesWork() {
    // every user takes every item
    SyntheticDataset all = SyntheticGenerator.generate(
        new SyntheticSpec("all", 10, 5, 50, 4, 1.0, 0.5, List.of(), 0.0, 1L));
    assertThat(all.itemCounts()).containsOnly(10);
    assertSplitRule(all);
    // one user, five items
    SyntheticDataset one = SyntheticGenerator.generate(
        new SyntheticSpec("one", 1, 5, 5, 4, 1.0, 0.5, SyntheticSpec.modalities(3, 2), 0.0, 1L));
    assertThat(one.labels()).containsExactly(0, 0, 0, 1, 2);
  }

  @Test
  void interactionsPerUserSumExactlyWithinBounds() {
    for (SyntheticSpec s : List.of(SyntheticSpec.tiny(), SyntheticSpec.small(), SyntheticSpec.baby(), POOLED,
        new SyntheticSpec("dense", 50, 20, 900, 4, 1.0, 0.5, List.of(), 0.0, 3L))) {
      int[] n = SyntheticGenerator.interactionsPerUser(s);
      int cap = SyntheticGenerator.maxPerUser(s);
      assertThat(Arrays.stream(n).asLongStream().sum()).as(s.name()).isEqualTo(s.interactions());
      assertThat(Arrays.stream(n).min().getAsInt()).as(s.name()).isGreaterThanOrEqualTo(5);
      assertThat(Arrays.stream(n).max().getAsInt()).as(s.name()).isLessThanOrEqualTo(cap);
    }
    int[] baby = SyntheticGenerator.interactionsPerUser(SyntheticSpec.baby());
    int[] sorted = baby.clone();
    Arrays.sort(sorted);
    assertThat(sorted[sorted.length / 2]).as("median user").isBetween(5, 8);
    assertThat(sorted[sorted.length - 1]).as("heaviest user").isGreaterThan(50);
  }

  @Test
  void heldOutFollowsMmrecsRule() {
    assertThat(SyntheticGenerator.heldOut(5)).containsExactly(1, 1);
    assertThat(SyntheticGenerator.heldOut(9)).containsExactly(1, 1);
    assertThat(SyntheticGenerator.heldOut(10)).containsExactly(1, 1);
    assertThat(SyntheticGenerator.heldOut(14)).containsExactly(1, 1);
    assertThat(SyntheticGenerator.heldOut(15)).containsExactly(1, 2);
    assertThat(SyntheticGenerator.heldOut(20)).containsExactly(2, 2);
    assertThat(SyntheticGenerator.heldOut(29)).containsExactly(2, 3);
  }

  @Test
  void topKeysPicksTheLargest() {
    SplittableRandom rng = new SplittableRandom(5);
    for (int len : new int[] {1, 3, 7, 8, 17, 64, 65, 300}) {
      double[] keys = new double[len];
      int[] ids = new int[len];
      for (int c = 0; c < len; c++) {
        keys[c] = rng.nextDouble();
        ids[c] = 1000 + c;
      }
      int k = Math.max(1, len / 3);
      int[] got = SyntheticGenerator.topKeys(keys, ids, len, k);
      Integer[] order = new Integer[len];
      for (int c = 0; c < len; c++) {
        order[c] = c;
      }
      Arrays.sort(order, (a, b) -> Double.compare(keys[b], keys[a]));
      Set<Integer> want = new HashSet<>();
      for (int c = 0; c < k; c++) {
        want.add(ids[order[c]]);
      }
      assertThat(Arrays.stream(got).boxed().toList()).as("len %d", len).containsExactlyInAnyOrderElementsOf(want);
    }
  }

  // ---- helpers ----

  static void assertSplitRule(SyntheticDataset d) {
    int[][] perLabel = new int[d.numUsers()][3];
    for (int k = 0; k < d.size(); k++) {
      perLabel[d.users()[k]][d.labels()[k]]++;
    }
    for (int u = 0; u < d.numUsers(); u++) {
      int[] c = perLabel[u];
      int n = c[0] + c[1] + c[2];
      assertThat(n).as("user %d rows", u).isGreaterThanOrEqualTo(5);
      assertThat(c[0]).as("user %d train", u).isGreaterThanOrEqualTo(1);
      int valid;
      int test;
      if (n < 10) {
        valid = 1;
        test = 1;
      } else {
        int vt = (int) Math.floor(0.2 * n);
        valid = vt / 2;
        test = vt - valid;
      }
      assertThat(new int[] {c[1], c[2]}).as("user %d of %d rows: valid, test", u, n).containsExactly(valid, test);
    }
  }

  static void assertNoDuplicates(SyntheticDataset d) {
    Set<Long> seen = new HashSet<>();
    for (int k = 0; k < d.size(); k++) {
      assertThat(seen.add(((long) d.users()[k] << 32) | d.items()[k])).as("row %d", k).isTrue();
    }
  }

  static double topDecileShare(SyntheticDataset d) {
    int[] c = d.itemCounts();
    Arrays.sort(c);
    long top = 0;
    for (int k = 0; k < Math.max(1, c.length / 10); k++) {
      top += c[c.length - 1 - k];
    }
    return top / (double) d.size();
  }

  /** Mean affinity of the chosen pairs minus that of random pairs (about 0). */
  static double meanChosenAffinity(SyntheticDataset d) {
    double chosen = 0;
    for (int k = 0; k < d.size(); k++) {
      chosen += d.affinity(d.users()[k], d.items()[k]);
    }
    SplittableRandom rng = new SplittableRandom(11);
    double random = 0;
    for (int k = 0; k < d.size(); k++) {
      random += d.affinity(rng.nextInt(d.numUsers()), rng.nextInt(d.numItems()));
    }
    return (chosen - random) / d.size();
  }

  static double cosine(float[] a, int pa, int pb, int n) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int k = 0; k < n; k++) {
      dot += (double) a[pa + k] * a[pb + k];
      na += (double) a[pa + k] * a[pa + k];
      nb += (double) a[pb + k] * a[pb + k];
    }
    return dot / Math.sqrt(na * nb);
  }

  static double pearson(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int k = 0; k < x.length; k++) {
      sxy += (x[k] - mx) * (y[k] - my);
      sxx += (x[k] - mx) * (x[k] - mx);
      syy += (y[k] - my) * (y[k] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
