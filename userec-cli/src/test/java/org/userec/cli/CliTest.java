package org.userec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
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
    assertThat(r.out).contains("demo", "train", "eval", "stats", "generate", "bench", "Exit codes");
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

  @Test
  void generateWritesAFolder(@TempDir Path dir) {
    Result r = run("generate", "--preset", "tiny", "--out", dir.resolve("g").toString(), "--seed", "5");
    assertThat(r.code).as(r.err).isZero();
    assertThat(dir.resolve("g/g.inter")).exists();
    assertThat(dir.resolve("g/image_feat.npy")).exists();
  }
}
