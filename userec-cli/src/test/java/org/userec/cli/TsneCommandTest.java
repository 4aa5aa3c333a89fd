package org.userec.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.model.Scorer;

/** train → tsne on a generated dataset: the CSV, its determinism, and one-line errors for bad input. */
class TsneCommandTest {
  @TempDir static Path dir;
  static Path run;

  @BeforeAll
  static void train() throws Exception {
    Path data = dir.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), data);
    CliTest.Result t = CliTest.run("train", "-m", "LightGCN", "-d", data.toString(), "--run-dir", dir.resolve("runs").toString(),
        "--set", "epochs=2", "--set", "train_batch_size=256", "--set", "reg_weight=1e-4", "--set", "n_layers=2", "-q");
    assertThat(t.code()).as(t.err()).isZero();
    try (var s = Files.list(dir.resolve("runs/tiny"))) {
      run = s.findFirst().orElseThrow();
    }
  }

  @Test
  void writesOneRowPerSampledUserTheSameOnEveryRun() throws Exception {
    Path csv = dir.resolve("map.csv");
    String[] args = {"tsne", "--run", run.toString(), "--users", "60", "--perplexity", "10", "--iterations", "120", "--out", csv.toString()};
    CliTest.Result r = CliTest.run(args);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("t-SNE of 60 of").contains("iteration 50/120: KL").contains("iteration 100/120").contains("wrote " + csv);
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo("user,x,y");
    assertThat(lines).hasSize(61);
    Set<Integer> users = new HashSet<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      assertThat(f).hasSize(3);
      users.add(Integer.parseInt(f[0]));
      assertThat(Double.parseDouble(f[1])).isFinite();
      assertThat(Double.parseDouble(f[2])).isFinite();
    }
    assertThat(users).hasSize(60);
    byte[] first = Files.readAllBytes(csv);
    CliTest.Result again = CliTest.run(args);
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(Files.readAllBytes(csv)).isEqualTo(first);
  }

  @Test
  void badInputIsOneLineAndExit2() {
    Path csv = dir.resolve("bad.csv");
    CliTest.Result noRun = CliTest.run("tsne", "--run", dir.resolve("nope").toString(), "--out", csv.toString());
    assertThat(noRun.code()).isEqualTo(2);
    assertThat(noRun.err().strip()).contains("no such run folder").doesNotContain("Exception").doesNotContain("\n");
    CliTest.Result few = CliTest.run("tsne", "--run", run.toString(), "--users", "2", "--out", csv.toString());
    assertThat(few.code()).isEqualTo(2);
    assertThat(few.err().strip()).isEqualTo("error: --users must be >= 3, got 2");
    CliTest.Result perplexity = CliTest.run("tsne", "--run", run.toString(), "--users", "20", "--out", csv.toString());
    assertThat(perplexity.code()).isEqualTo(2);
    assertThat(perplexity.err().strip()).contains("--perplexity 30.0 needs more than 31 users").doesNotContain("\n");
    assertThat(csv).doesNotExist();
  }

  @Test
  void aModelWithoutADotProductScorerIsRefused() {
    Scorer other = new Scorer() {
      @Override
      public int numItems() {
        return 1;
      }

      @Override
      public void score(int[] users, float[] out) {}
    };
    assertThatThrownBy(() -> TsneCommand.dotScorer("Other", other))
        .isInstanceOf(BadInputException.class).hasMessage("Other: its scorer is not a user·item dot product, so it has no user embeddings to map");
  }

  @Test
  void sampleIsDistinctSortedAndSeeded() {
    int[] a = TsneCommand.sample(1000, 50, 999);
    assertThat(a).hasSize(50).doesNotHaveDuplicates().isSorted();
    assertThat(TsneCommand.sample(1000, 50, 999)).isEqualTo(a);
    assertThat(TsneCommand.sample(1000, 50, 1)).isNotEqualTo(a);
    assertThat(TsneCommand.sample(10, 50, 999)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }
}
