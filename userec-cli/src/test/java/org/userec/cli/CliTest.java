package org.userec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.model.ModelRegistry;
import picocli.CommandLine;

class CliTest {
  @TempDir static Path shared;
  static Path data;

  @BeforeAll
  static void makeData() {
    data = shared.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), data);
  }

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void helpListsTheCommands() {
    Result r = run("--help");
    assertThat(r.code).isZero();
    assertThat(r.out).contains("demo", "train", "eval", "stats", "generate", "bench", "ablate", "compare", "Exit codes");
  }

  @Test
  void unknownOptionIsExitTwo() {
    Result r = run("train", "--modle", "BPR");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("--modle").doesNotContain("Exception");
  }

  @Test
  void missingDatasetIsExitTwoWithOneLine() {
    Result r = run("stats", "-d", shared.resolve("nope").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip().lines().count()).isEqualTo(1);
    assertThat(r.err).contains("nope").contains("no such folder").doesNotContain("at org.");
  }

  @Test
  void unknownModelIsExitTwo() {
    Result r = run("train", "-m", "LightGNC", "-d", data.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("unknown model 'LightGNC'").contains("LightGCN");
  }

  @Test
  void typoInSetIsExitTwo() {
    Result r = run("train", "-m", "BPR", "-d", data.toString(), "--set", "reg_wieght=0.1");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("unknown config key 'reg_wieght'").contains("reg_weight");
  }

  @Test
  void statsPrintsCounts() {
    Result r = run("stats", "-d", data.toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("200").contains("100").contains("image").contains("text");
  }

  @Test
  void demoRunsUserecWithTikToksRecipeAsItsYamlHoldsIt() {
    Config tiktok = new ConfigLoader().dataset("tiktok", null).model("USERec", ModelRegistry.names()).build();
    Map<String, Object> demo = DemoCommand.DEMO_SETTINGS.get("USERec");
    assertThat(demo).containsKeys("item_id_embedding", "normalize_projections", "pe_scale", "prune_keep", "cl_weight", "standardize_features");
    demo.forEach((k, v) -> {
      if (v instanceof Boolean b) {
        assertThat(tiktok.getBool(k)).as(k).isEqualTo(b);
      } else {
        assertThat(tiktok.getDouble(k)).as(k).isEqualTo(((Number) v).doubleValue());
      }
    });
  }

  @Test
  void benchReportsTimesAndTheDenseProductsWork() {
    // LightGCN trains without dense products and scores by one; FREEDOM projects features for its modality terms
    Result r = run("bench", "-m", "LightGCN", "-d", data.toString(), "--epochs", "1", "--evals", "1", "--threads", "1");
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("train epoch 1:").contains("no dense products").contains("median train epoch").contains("peak heap");
    Matcher m = Pattern.compile("evaluation 1: .*dense products ([0-9.e+-]+) GFLOP").matcher(r.out);
    assertThat(m.find()).as(r.out).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isGreaterThan(0);
    Result u = run("bench", "-m", "FREEDOM", "-d", data.toString(), "--set", "reg_weight=1e-3", "--epochs", "1", "--evals", "0", "--threads", "1");
    assertThat(u.code).as(u.err).isZero();
    assertThat(u.out).containsPattern("train epoch 1: .*dense products [0-9.e+-]+ GFLOP, [0-9]+ GFLOP/s over the epoch");
    // the summary gives the median with the range, and says when nothing was timed
    assertThat(r.out).containsPattern("median train epoch [0-9.]+s \\([0-9.]+–[0-9.]+ over 1\\)");
    assertThat(u.out).contains("median evaluation (valid+test) none timed");
    // the host check brackets the timings, with positive rates
    Matcher h =
        Pattern.compile(
                "host check (before|after): dense product 256³ at ([0-9.]+) GFLOP/s, streaming add at ([0-9.]+) GB/s, "
                    + "row gathers at ([0-9.]+) GB/s")
            .matcher(r.out);
    int checks = 0;
    while (h.find()) {
      assertThat(h.group(1)).isEqualTo(checks == 0 ? "before" : "after");
      assertThat(Double.parseDouble(h.group(2))).isPositive();
      assertThat(Double.parseDouble(h.group(3))).isPositive();
      assertThat(Double.parseDouble(h.group(4))).isPositive();
      checks++;
    }
    assertThat(checks).as(r.out).isEqualTo(2);
    assertThat(r.out.indexOf("host check after")).isLessThan(r.out.indexOf("median train epoch"));
  }

  @Test
  void trainThenEvalReproducesTheBestTestMetrics(@TempDir Path runs) throws Exception {
    Result t =
        run("train", "-m", "BPR", "-d", data.toString(), "--run-dir", runs.toString(), "--set", "reg_weight=1e-3", "--set", "epochs=3",
            "--set", "train_batch_size=256");
    assertThat(t.code).as(t.err).isZero();
    assertThat(t.out).contains("test results").contains("recall@20");
    Path run;
    try (var s = Files.list(runs.resolve("tiny"))) {
      run = s.findFirst().orElseThrow();
    }
    assertThat(run.resolve("results.json")).exists();
    String json = Files.readString(run.resolve("results.json"));
    Result e = run("eval", "--run", run.toString());
    assertThat(e.code).as(e.err).isZero();
    // the evaluation of best.params gives the test recall@20 recorded at the best epoch
    String recall = json.replaceAll("(?s).*\"test\": \\{[^}]*\"recall@20\": ([0-9.E-]+).*", "$1");
    assertThat(e.out).contains(String.format(java.util.Locale.ROOT, "%.4f", Double.parseDouble(recall)));
  }

  @Test
  void gridPrintsBothPicks(@TempDir Path runs) {
    Result t =
        run("train", "-m", "BPR", "-d", data.toString(), "--run-dir", runs.toString(), "--set", "reg_weight=[0.1,0.001]", "--set", "epochs=2",
            "-q");
    assertThat(t.code).as(t.err).isZero();
    assertThat(t.out).contains("chosen by validation").contains("MMRec's pick");
  }

  private static String[] compareArgs(Path dir, String... extra) {
    java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of(
        "compare", "-m", "BPR,FREEDOM", "-d", data.toString(), "--seeds", "1,2", "--run-dir", dir.toString(),
        "--set", "epochs=2", "--set", "train_batch_size=512", "--set", "embedding_size=8", "--set", "BPR:reg_weight=[1e-3,1e-2]",
        "--set", "FREEDOM:reg_weight=1e-4", "--set", "dropout=0.8", "--set", "feat_embed_dim=8"));
    a.addAll(java.util.List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void compareBuildsOneTableThenResumesWithoutTraining(@TempDir Path runs) throws Exception {
    Path dir = runs.resolve("table");
    Result r = run(compareArgs(dir));
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out)
        .contains("compare on tiny: BPR (2 settings), FREEDOM (1 setting) × 2 seeds [1, 2]")
        .contains("--set dropout=0.8 applies to FREEDOM only (BPR has no key 'dropout')")
        .contains("[1/4 BPR, seed 1] start: 2 grid settings")
        .contains("[4/4 FREEDOM, seed 2] start: 1 setting")
        .contains("[2/4 BPR, seed 2, 2/2 reg_weight=0.01] epoch   1  loss")
        .contains("Recall@10", "NDCG@20", " ± ", "chosen grid point per seed", "seed 1", "reg_weight=0.")
        .contains(dir.resolve("compare.md").toString());
    // BPR needs no features but shares FREEDOM's dataset: loaded once
    assertThat(r.out.split("density", -1)).hasSize(2);
    assertThat(dir.resolve("compare.md")).exists();
    assertThat(Files.readString(dir.resolve("compare.json"))).contains("\"complete\": true", "\"label\": \"FREEDOM\"");
    assertThat(dir.resolve("FREEDOM/seed-2/results.json")).exists();

    Result again = run(compareArgs(dir));
    assertThat(again.code).as(again.err).isZero();
    assertThat(again.out).doesNotContain("  loss ").contains("done earlier: best epoch");
    String table = r.out.substring(r.out.indexOf("tiny: test at the best-validation epoch"));
    assertThat(again.out).endsWith(table);
  }

  @Test
  void ablateWritesItsTableThenResumesWithoutTraining(@TempDir Path runs) throws Exception {
    Path dir = runs.resolve("ablation");
    String[] args = {
      "ablate", "-d", data.toString(), "--only", "full,no-att", "--seeds", "1", "--run-dir", dir.toString(),
      "--set", "epochs=2", "--set", "reg_weight=1e-4", "--set", "cl_weight=0.3", "--set", "embedding_size=8"
    };
    Result r = run(args);
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out).contains("2 variants × 1 seeds", "rerun with --run-dir " + dir, "  loss ", "w/o Att", "Recall@20");
    assertThat(dir.resolve("ablation.md")).exists();
    assertThat(dir.resolve("no-att/seed-1")).isDirectory();

    Result again = run(args);
    assertThat(again.code).as(again.err).isZero();
    assertThat(again.out).doesNotContain("  loss ");
    String table = r.out.substring(r.out.indexOf("USERec ablation on"));
    assertThat(again.out).endsWith(table);
  }

  @Test
  void compareErrorsAreOneLineExitTwo() {
    Result unknown = run("compare", "-m", "LightGCN,FREEDOMM", "-d", data.toString());
    assertThat(unknown.code).isEqualTo(2);
    assertThat(unknown.err.strip()).isEqualTo("error: unknown model 'FREEDOMM'; choose one of " + String.join(", ", ModelRegistry.names()));
    Result typo = run("compare", "-m", "LightGCN,BPR", "-d", data.toString(), "--set", "n_layrs=2");
    assertThat(typo.code).isEqualTo(2);
    assertThat(typo.err.strip().lines().count()).isEqualTo(1);
    assertThat(typo.err).contains("no compared model (LightGCN, BPR) has the config key 'n_layrs' (did you mean 'n_layers'?)");
    Result scoped = run("compare", "-m", "LightGCN,BPR", "-d", data.toString(), "--set", "BPR:n_layers=2");
    assertThat(scoped.code).isEqualTo(2);
    assertThat(scoped.err).contains("--set BPR:n_layers=2: BPR has no config key 'n_layers'");
    Result twice = run("compare", "-m", "BPR,bpr", "-d", data.toString());
    assertThat(twice.code).isEqualTo(2);
    assertThat(twice.err).contains("'BPR' is listed twice");
  }

  @Test
  void compareHelpHasExamples() {
    Result r = run("compare", "--help");
    assertThat(r.code).isZero();
    assertThat(r.out).contains("Examples", "--run-dir runs/tiktok-table", "MODEL:key=value", "--seeds", "resume");
  }

  @Test
  void generateWritesAFolder(@TempDir Path dir) {
    Result r = run("generate", "--preset", "tiny", "--out", dir.resolve("g").toString(), "--seed", "5");
    assertThat(r.code).as(r.err).isZero();
    assertThat(dir.resolve("g/g.inter")).exists();
    assertThat(dir.resolve("g/image_feat.npy")).exists();
  }
}
