package org.userec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.data.FeatureTable;
import org.userec.data.NpyReader;
import org.userec.data.NpyWriter;

/** userec prepare and userec features: exit codes, outputs, one-line errors. */
class FeaturesCliTest {
  @TempDir Path tmp;

  @Test
  void prepareWritesADatasetThatTrainsAndReportsCorruptLines() throws Exception {
    StringBuilder csv = new StringBuilder("user,item,rating,timestamp\n");
    SplittableRandom rng = new SplittableRandom(1);
    for (int u = 0; u < 40; u++) {
      for (int k = 0; k < 8; k++) {
        csv.append("u").append(u).append(",i").append(rng.nextInt(30)).append(",5,").append(1000 + k).append('\n');
      }
    }
    csv.append("a line,with,too,many,fields\n");
    Path in = tmp.resolve("r.csv");
    Files.writeString(in, csv);
    Path out = tmp.resolve("mini");
    CliTest.Result r = CliTest.run("prepare", "--reviews", in.toString(), "--name", "mini", "--out", out.toString(), "--kcore", "3", "--split", "chrono");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 corrupt line skipped (line 322: expected 2 to 4 fields").contains("kept:");
    assertThat(out.resolve("mini.inter")).exists();
    assertThat(out.resolve("items.tsv")).exists();
    CliTest.Result s = CliTest.run("stats", "-d", out.toString(), "--no-features");
    assertThat(s.code()).as(s.err()).isZero();
  }

  @Test
  void prepareErrorsAreExitTwoOneLine() {
    CliTest.Result r = CliTest.run("prepare", "--reviews", tmp.resolve("nope.json").toString(), "--name", "x", "--out", tmp.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("nope.json: no such file").doesNotContain("Exception");
    CliTest.Result f = CliTest.run("prepare", "--reviews", "x", "--name", "x", "--out", tmp.toString(), "--split", "weekly");
    assertThat(f.code()).isEqualTo(2);
    assertThat(f.err()).contains("--split weekly");
  }

  @Test
  void pcaOnAnyNpy() throws Exception {
    int n = 50;
    int d = 10;
    float[] x = new float[n * d];
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian() * (1 + i % d);
    }
    Path in = tmp.resolve("x.npy");
    NpyWriter.writeFloat32(in, n, d, x);
    CliTest.Result r = CliTest.run("features", "pca", "--in", in.toString(), "--out", tmp.resolve("y.npy").toString(), "--dims", "3");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("PCA 10 -> 3 over 50 rows: explained variance ratio");
    FeatureTable y = NpyReader.read(tmp.resolve("y.npy"));
    assertThat(y.cols()).isEqualTo(3);
    CliTest.Result bad = CliTest.run("features", "pca", "--in", in.toString(), "--out", tmp.resolve("z.npy").toString(), "--dims", "11");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--dims").doesNotContain("Exception");
  }

  @Test
  void mllmAgainstNoServerStopsWithResumeAdvice() throws Exception {
    Path items = tmp.resolve("items.tsv");
    Files.writeString(items, "itemID\ttitle\n0\ta\n1\tb\n");
    CliTest.Result r = CliTest.run("features", "mllm", "--items", items.toString(), "--server", "http://127.0.0.1:1", "--model", "m",
        "--retries", "0", "--out", tmp.resolve("image_feat.npy").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("rerun the same command to resume").doesNotContain("\tat ");
  }
}
