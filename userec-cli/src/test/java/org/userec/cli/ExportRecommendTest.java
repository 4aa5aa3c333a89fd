package org.userec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.config.Yaml;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.export.ExportedModel;

/**
 * train → export → recommend on a generated dataset: test Recall@20 and NDCG@20 computed from recs.tsv by
 * formulas written here (not the evaluator's) equal the run's results.json at 4 decimals.
 */
class ExportRecommendTest {
  @TempDir static Path dir;
  static Path data;
  static Path run;
  static Path model;

  @BeforeAll
  static void trainAndExport() throws Exception {
    data = dir.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), data);
    CliTest.Result t = CliTest.run("train", "-m", "LightGCN", "-d", data.toString(), "--run-dir", dir.resolve("runs").toString(),
        "--set", "epochs=6", "--set", "train_batch_size=256", "--set", "reg_weight=1e-4", "--set", "n_layers=2", "-q");
    assertThat(t.code()).as(t.err()).isZero();
    try (var s = Files.list(dir.resolve("runs/tiny"))) {
      run = s.findFirst().orElseThrow();
    }
    model = dir.resolve("model");
    CliTest.Result e = CliTest.run("export", "--run", run.toString(), "--out", model.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.out()).contains("exported LightGCN").contains("item encoder: no (LightGCN represents an item by its trained ID embedding");
  }

  @Test
  void exportRefusesToOverwriteWithoutForce() {
    CliTest.Result again = CliTest.run("export", "--run", run.toString(), "--out", model.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err().strip()).contains("already exists").contains("--force").doesNotContain("Exception");
    CliTest.Result forced = CliTest.run("export", "--run", run.toString(), "--out", model.toString(), "--force");
    assertThat(forced.code()).as(forced.err()).isZero();
    CliTest.Result notARun = CliTest.run("export", "--run", data.toString(), "--out", dir.resolve("m2").toString());
    assertThat(notARun.code()).isEqualTo(2);
    assertThat(notARun.err()).contains("not a userec run folder");
  }

  @Test
  void recommendationsReproduceTheTestMetrics() throws Exception {
    Path recs = dir.resolve("recs.tsv");
    CliTest.Result r = CliTest.run("recommend", "--model", model.toString(), "--k", "20", "--out", recs.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(recs);
    ExportedModel m = ExportedModel.load(model);
    assertThat(lines).hasSize(m.numUsers());
    int[][] lists = new int[m.numUsers()][];
    for (String line : lines) {
      String[] f = line.split("\t");
      int[] items = Arrays.stream(f[1].split(",")).mapToInt(Integer::parseInt).toArray();
      assertThat(items).hasSize(20).doesNotHaveDuplicates();
      int u = Integer.parseInt(f[0]);
      for (int i : items) {
        assertThat(m.trainItems()[u]).doesNotContain(i);
      }
      lists[u] = items;
    }
    double[] ours = recallNdcg(lists, testItems(data.resolve("tiny.inter"), m.numUsers()), 20);
    Map<String, Object> results = Yaml.parseFile(run.resolve("results.json"));
    Map<?, ?> test = (Map<?, ?>) results.get("test");
    assertThat(fmt(ours[0])).isEqualTo(fmt(((Number) test.get("recall@20")).doubleValue()));
    assertThat(fmt(ours[1])).isEqualTo(fmt(((Number) test.get("ndcg@20")).doubleValue()));
    assertThat(ours[0]).isGreaterThan(0);

    // --users and jsonl: the same lists, with scores in descending order
    Path users = dir.resolve("users.txt");
    Files.writeString(users, "# two users\n5\n\n17\n");
    Path jsonl = dir.resolve("recs.jsonl");
    CliTest.Result j = CliTest.run("recommend", "--model", model.toString(), "--k", "5", "--users", users.toString(), "--out", jsonl.toString());
    assertThat(j.code()).as(j.err()).isZero();
    List<String> jl = Files.readAllLines(jsonl);
    assertThat(jl).hasSize(2);
    Map<String, Object> first = Yaml.parseMap(jl.get(0), "recs.jsonl");
    assertThat(first.get("user")).isEqualTo("5");
    List<?> items = (List<?>) first.get("items");
    assertThat(items.stream().map(o -> Integer.parseInt(o.toString())).toList())
        .isEqualTo(Arrays.stream(lists[5]).limit(5).boxed().toList());
    List<?> scores = (List<?>) first.get("scores");
    for (int q = 1; q < scores.size(); q++) {
      assertThat(((Number) scores.get(q)).doubleValue()).isLessThanOrEqualTo(((Number) scores.get(q - 1)).doubleValue());
    }
  }

  @Test
  void badInputIsOneLineExitTwo() throws Exception {
    Path users = dir.resolve("bad-users.txt");
    Files.writeString(users, "3\nnobody\n");
    CliTest.Result a = CliTest.run("recommend", "--model", model.toString(), "--users", users.toString(), "--out", dir.resolve("x.tsv").toString());
    assertThat(a.code()).isEqualTo(2);
    assertThat(a.err()).contains("bad-users.txt:2: unknown user 'nobody'");
    CliTest.Result b = CliTest.run("recommend", "--model", model.toString(), "--out", dir.resolve("x.csv").toString());
    assertThat(b.code()).isEqualTo(2);
    assertThat(b.err()).contains(".tsv or .jsonl");
    CliTest.Result c = CliTest.run("recommend", "--model", dir.toString(), "--out", dir.resolve("x.tsv").toString());
    assertThat(c.code()).isEqualTo(2);
    assertThat(c.err()).contains("not a userec model folder");
    CliTest.Result d = CliTest.run("recommend", "--model", model.toString(), "--k", "0", "--out", dir.resolve("x.tsv").toString());
    assertThat(d.code()).isEqualTo(2);
    assertThat(d.err()).contains("--k must be >= 1");
    CliTest.Result e = CliTest.run("serve", "--model", dir.toString());
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.err()).contains("not a userec model folder");
    CliTest.Result f = CliTest.run("loadtest", "--url", "ftp://x");
    assertThat(f.code()).isEqualTo(2);
    assertThat(f.err()).contains("must be http://HOST:PORT");
    CliTest.Result g = CliTest.run("loadtest", "--url", "http://127.0.0.1:1", "--seconds", "1", "--warmup", "0");
    assertThat(g.code()).isEqualTo(2);
    assertThat(g.err()).contains("cannot reach").contains("userec serve");
  }

  static String fmt(double x) {
    return String.format(Locale.ROOT, "%.4f", x);
  }

  /** The test split (x_label 2) of an MMRec .inter file, per user. */
  static List<List<Integer>> testItems(Path inter, int users) throws Exception {
    List<List<Integer>> out = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      out.add(new ArrayList<>());
    }
    List<String> lines = Files.readAllLines(inter);
    List<String> header = Arrays.asList(lines.get(0).split("\t"));
    int cu = header.indexOf("userID");
    int ci = header.indexOf("itemID");
    int cl = header.indexOf("x_label");
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t");
      if (Integer.parseInt(f[cl].trim()) == 2) {
        out.get(Integer.parseInt(f[cu].trim())).add(Integer.parseInt(f[ci].trim()));
      }
    }
    return out;
  }

  /**
   * Mean over users with test items of Recall@k = |top-k ∩ T| / |T| and NDCG@k = DCG / IDCG with DCG = Σ over
   * hits at rank r of 1/log2(r + 1) and IDCG the same sum over ranks 1 … min(|T|, k).
   */
  static double[] recallNdcg(int[][] lists, List<List<Integer>> test, int k) {
    double recall = 0;
    double ndcg = 0;
    int n = 0;
    for (int u = 0; u < lists.length; u++) {
      List<Integer> t = test.get(u);
      if (t.isEmpty()) {
        continue;
      }
      n++;
      int hits = 0;
      double dcg = 0;
      for (int r = 0; r < k && r < lists[u].length; r++) {
        if (t.contains(lists[u][r])) {
          hits++;
          dcg += 1 / (Math.log(r + 2) / Math.log(2));
        }
      }
      double idcg = 0;
      for (int r = 0; r < Math.min(t.size(), k); r++) {
        idcg += 1 / (Math.log(r + 2) / Math.log(2));
      }
      recall += (double) hits / t.size();
      ndcg += dcg / idcg;
    }
    return new double[] {recall / n, ndcg / n};
  }
}
