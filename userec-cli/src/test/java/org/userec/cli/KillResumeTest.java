package org.userec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;

/** A real `kill -9` of a training process, then --resume: the final metrics equal an uninterrupted run's. */
class KillResumeTest {
  private static final String[] SETTINGS = {
    "--set", "n_layers=2", "--set", "reg_weight=1e-4", "--set", "epochs=12", "--set", "stopping_step=100",
    "--set", "train_batch_size=16", "--set", "learning_rate=0.005", "--threads", "2"
  };

  @Test
  void killNineThenResume(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), data);

    // uninterrupted reference, in process
    Path refRuns = dir.resolve("ref");
    List<String> args = new ArrayList<>(List.of("train", "-m", "LightGCN", "-d", data.toString(), "--run-dir", refRuns.toString(), "-q"));
    args.addAll(List.of(SETTINGS));
    assertThat(CliTest.run(args.toArray(String[]::new)).code()).isZero();
    String reference = Files.readString(only(refRuns.resolve("tiny")).resolve("results.json"));

    // the same run in a child JVM, killed with SIGKILL after a few epochs
    Path runs = dir.resolve("killed");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), "org.userec.cli.Main"));
    cmd.addAll(List.of("train", "-m", "LightGCN", "-d", data.toString(), "--run-dir", runs.toString(), "-q"));
    cmd.addAll(List.of(SETTINGS));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    Path run = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && p.isAlive()) {
      if (run == null && Files.isDirectory(runs.resolve("tiny"))) {
        try (var s = Files.list(runs.resolve("tiny"))) {
          run = s.findFirst().orElse(null);
        }
      }
      if (run != null && Files.exists(run.resolve("log.tsv")) && Files.readAllLines(run.resolve("log.tsv")).size() >= 4) {
        break;
      }
      Thread.sleep(5);
    }
    assertThat(p.isAlive()).as("the child must still be training when killed; log: %s", dir.resolve("child.log")).isTrue();
    p.destroyForcibly(); // SIGKILL on Unix
    p.waitFor(30, TimeUnit.SECONDS);
    assertThat(run.resolve("results.json")).doesNotExist();
    assertThat(run.resolve("checkpoint.params")).exists();

    CliTest.Result resumed = CliTest.run("train", "--resume", run.toString(), "-q");
    assertThat(resumed.code()).as(resumed.err()).isZero();
    String after = Files.readString(run.resolve("results.json"));
    assertThat(strip(after)).isEqualTo(strip(reference));
  }

  private static Path only(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.findFirst().orElseThrow();
    }
  }

  /** results.json without the wall-clock seconds. */
  private static String strip(String json) {
    return json.replaceAll("\"seconds\": [0-9.]+,", "");
  }
}
