package org.userec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.train.RunLock;

/**
 * One test per finding of the 2026-12-08 newcomer-reliability audit (../shared/audits), named after the case
 * id: each runs the audited command against the generated tiny dataset and asserts the verdict a careful user
 * expects (a one-line error naming the key/file and the fix with exit 2, or correct acceptance).
 */
class AuditFindingsTest {
  @TempDir static Path shared;
  static Path tiny;

  @BeforeAll
  static void makeData() {
    tiny = shared.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), tiny);
  }

  static CliTest.Result run(String... args) {
    return CliTest.run(args);
  }

  /** Exit 2, exactly one line on stderr, no stack trace, and the line holds every fragment. */
  static void oneLineError(CliTest.Result r, String... fragments) {
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ").contains(fragments);
  }

  static String[] train(Path runs, String... more) {
    List<String> a = new java.util.ArrayList<>(List.of("train", "-m", "LightGCN", "-d", tiny.toString(), "-q", "--run-dir", runs.toString(),
        "--set", "epochs=1", "--set", "n_layers=1", "--set", "reg_weight=1e-4"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static long filesUnder(Path p) throws IOException {
    if (!Files.exists(p)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  static Path copyTiny(Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(tiny)) {
      for (Path f : s.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  // --- data loss ---

  @Test
  void X12_generateIntoAFolderHoldingFilesIsRefusedWithoutForce(@TempDir Path dir) throws IOException {
    Path ds = copyTiny(dir.resolve("tiny"));
    byte[] before = Files.readAllBytes(ds.resolve("image_feat.npy"));
    oneLineError(run("generate", "--preset", "tiny", "--seed", "5", "--out", ds.toString()), "--out", "already holds", "--force");
    assertThat(Files.readAllBytes(ds.resolve("image_feat.npy"))).isEqualTo(before);
    assertThat(run("generate", "--preset", "tiny", "--seed", "5", "--out", ds.toString(), "--force").code()).isZero();
    assertThat(Files.readAllBytes(ds.resolve("image_feat.npy"))).isNotEqualTo(before);
  }

  @Test
  void P22_prepareIntoAFolderHoldingFilesIsRefusedWithoutForce(@TempDir Path dir) throws IOException {
    Path ds = copyTiny(dir.resolve("tiny"));
    Path reviews = dir.resolve("r.csv");
    Files.writeString(reviews, "u1,i1\nu1,i2\nu2,i1\nu2,i2\n");
    byte[] before = Files.readAllBytes(ds.resolve("tiny.inter"));
    oneLineError(run("prepare", "--reviews", reviews.toString(), "--name", "tiny", "--kcore", "1", "--out", ds.toString()),
        "already holds", "--force");
    assertThat(Files.readAllBytes(ds.resolve("tiny.inter"))).isEqualTo(before);
  }

  @Test
  void P18_prepareOutIsAFileIsOneLine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("meta.json");
    Files.writeString(file, "{}\n");
    Path reviews = dir.resolve("r.csv");
    Files.writeString(reviews, "u1,i1\nu1,i2\n");
    oneLineError(run("prepare", "--reviews", reviews.toString(), "--name", "x", "--out", file.toString()), "is a file, not a folder");
    assertThat(Files.readString(file)).isEqualTo("{}\n");
  }

  @Test
  void M11_runDirIsAFileIsOneLine(@TempDir Path runs) throws IOException {
    Path file = runs.resolve("afile");
    Files.writeString(file, "x");
    oneLineError(run(train(file)), "--run-dir", "is a file, not a folder");
  }

  @Test
  void M10_runDirUnwritableIsOneLine() {
    oneLineError(run(train(Path.of("/proc/nope"))), "--run-dir", "/proc", "give a writable folder");
  }

  @Test
  void U21_anUnclosedListSaysSo(@TempDir Path runs) {
    oneLineError(run(train(runs, "--set", "n_layers=[2,3")), "n_layers", "unclosed list");
  }

  // --- config values: stack traces and silent acceptance ---

  @Test
  void U26_embeddingSizeZeroIsOneLineAndLeavesNoFolder(@TempDir Path runs) throws IOException {
    oneLineError(run(train(runs, "--set", "embedding_size=0")), "embedding_size", "an integer >= 1", "--set embedding_size=");
    assertThat(filesUnder(runs)).isZero();
  }

  @Test
  void X23_negativeLayersIsOneLine(@TempDir Path runs) {
    oneLineError(run(train(runs, "--set", "n_layers=-2")), "n_layers", ">= 0");
  }

  @Test
  void X24_topkZeroIsOneLine(@TempDir Path runs) {
    oneLineError(run(train(runs, "--set", "topk=[0,10]")), "topk", ">= 1");
  }

  @Test
  void X25_validMetricNotComputedIsRejectedBeforeTraining(@TempDir Path runs) throws IOException {
    oneLineError(run(train(runs, "--set", "valid_metric=Recall@7")), "valid_metric", "Recall@20");
    assertThat(filesUnder(runs)).isZero();
  }

  @Test
  void X27_knnKZeroIsOneLine(@TempDir Path runs) {
    oneLineError(run("train", "-m", "FREEDOM", "-d", tiny.toString(), "-q", "--run-dir", runs.toString(), "--set", "knn_k=0",
        "--set", "dropout=0.8", "--set", "reg_weight=1e-4", "--set", "epochs=1"), "knn_k", "[1, items - 1]", "100 items");
  }

  @Test
  void X28_knnKAboveTheItemCountIsRejected(@TempDir Path runs) {
    oneLineError(run("train", "-m", "FREEDOM", "-d", tiny.toString(), "-q", "--run-dir", runs.toString(), "--set", "knn_k=5000",
        "--set", "dropout=0.8", "--set", "reg_weight=1e-4", "--set", "epochs=1"), "knn_k", "100 items");
  }

  @Test
  void X22_negativeRegWeightIsRejected(@TempDir Path runs) {
    oneLineError(run(train(runs, "--set", "reg_weight=-1")), "reg_weight", ">= 0");
  }

  @Test
  void X30_evalBatchSizeZeroIsRejected(@TempDir Path runs) {
    oneLineError(run(train(runs, "--set", "eval_batch_size=0")), "eval_batch_size", ">= 1");
  }

  @Test
  void U20_badValueInsideAGridFailsBeforeAnyPointTrains(@TempDir Path runs) throws IOException {
    oneLineError(run("train", "-m", "LightGCN", "-d", tiny.toString(), "-q", "--run-dir", runs.toString(), "--set", "epochs=1",
        "--set", "n_layers=[2,abc]", "--set", "reg_weight=1e-4"), "n_layers", "abc", "--set");
    assertThat(filesUnder(runs)).isZero();
  }

  @Test
  void U29_hugeEpochsSaysTooLargeNotNotAnInteger(@TempDir Path runs) {
    oneLineError(run(train(runs, "--set", "epochs=99999999999")), "epochs", "between");
  }

  @Test
  void U16_rejectedValueLeavesNoRunFolder(@TempDir Path runs) throws IOException {
    oneLineError(run(train(runs, "--set", "epochs=0")), "epochs");
    assertThat(filesUnder(runs)).isZero();
  }

  @Test
  void U30_trainTakesEpochs(@TempDir Path runs) throws IOException {
    CliTest.Result r = run("train", "-m", "LightGCN", "-d", tiny.toString(), "-q", "--run-dir", runs.toString(), "--epochs", "2",
        "--set", "n_layers=1", "--set", "reg_weight=1e-4");
    assertThat(r.code()).as(r.err()).isZero();
    Path run = onlyRun(runs);
    assertThat(Files.readAllLines(run.resolve("log.tsv"))).hasSize(3); // header + 2 epochs
  }

  @Test
  void U06_misspelledSubcommandGetsASuggestion() {
    CliTest.Result r = run("trian", "-m", "LightGCN");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("did you mean 'train'");
  }

  // --- run folders: fingerprint, lock, checksums, eval --set ---

  static Path onlyRun(Path runs) throws IOException {
    try (Stream<Path> s = Files.walk(runs, 2)) {
      return s.filter(p -> Files.isRegularFile(p.resolve(Session.RUN_INFO))).findFirst().orElseThrow();
    }
  }

  Path trainedRun(Path dir, Path dataset) throws IOException {
    Path runs = dir.resolve("runs");
    CliTest.Result r = run("train", "-m", "LightGCN", "-d", dataset.toString(), "-q", "--run-dir", runs.toString(), "--set", "epochs=2",
        "--set", "n_layers=1", "--set", "reg_weight=1e-4");
    assertThat(r.code()).as(r.err()).isZero();
    return onlyRun(runs);
  }

  @Test
  void R20_resumeAfterTheDatasetChangedIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
    Path ds = copyTiny(dir.resolve("tiny"));
    Path run = trainedRun(dir, ds);
    assertThat(Files.readString(run.resolve(Session.RUN_INFO))).contains("data.tiny.inter=").contains("sha256:");
    List<String> lines = Files.readAllLines(ds.resolve("tiny.inter"));
    int k = 1;
    while (!lines.get(k).endsWith("\t1")) {
      k++;
    }
    lines.set(k, lines.get(k).substring(0, lines.get(k).length() - 1) + "0"); // a validation row moved to train
    Files.write(ds.resolve("tiny.inter"), lines);
    oneLineError(run("train", "--resume", run.toString(), "--set", "epochs=4"), "tiny.inter", "changed since the run");
    oneLineError(run("eval", "--run", run.toString()), "tiny.inter", "changed since the run"); // E13
  }

  @Test
  void E11_evalWithASetThatChangesTheModelIsRefused(@TempDir Path dir) throws IOException {
    Path run = trainedRun(dir, tiny);
    oneLineError(run("eval", "--run", run.toString(), "--set", "n_layers=3"), "n_layers: 1 there, 3 now", "eval takes only");
    assertThat(run("eval", "--run", run.toString(), "--set", "eval_batch_size=64").code()).isZero();
  }

  @Test
  void R04_truncatedCheckpointOfAFinishedRunIsOneLine(@TempDir Path dir) throws IOException {
    Path run = trainedRun(dir, tiny);
    Path cp = run.resolve("checkpoint.params");
    try (RandomAccessFile f = new RandomAccessFile(cp.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    oneLineError(run("train", "--resume", run.toString()), "checkpoint.params");
  }

  @Test
  void R06_flippedCheckpointHeaderOfAFinishedRunIsOneLine(@TempDir Path dir) throws IOException {
    Path run = trainedRun(dir, tiny);
    Path cp = run.resolve("checkpoint.params");
    byte[] b = Files.readAllBytes(cp);
    for (int i = 20; i < 23; i++) {
      b[i] ^= 0x5a;
    }
    Files.write(cp, b);
    oneLineError(run("train", "--resume", run.toString()), "checkpoint.params", "damaged");
  }

  @Test
  void R05_flippedCheckpointDataOfAFinishedRunIsOneLine(@TempDir Path dir) throws IOException {
    Path run = trainedRun(dir, tiny);
    Path cp = run.resolve("checkpoint.params");
    byte[] b = Files.readAllBytes(cp);
    b[b.length / 2] ^= 1;
    Files.write(cp, b);
    oneLineError(run("train", "--resume", run.toString()), "checkpoint.params", "checksum");
  }

  @Test
  void Concurrency_secondResumeOfOneFolderIsRefusedNamingThePid(@TempDir Path dir) throws IOException {
    Path run = trainedRun(dir, tiny);
    // another process holding the lock is simulated by a lock taken from a separate channel of this JVM:
    // RunLock treats an overlapping lock the same as a foreign one
    try (RunLock held = RunLock.acquire(run)) {
      oneLineError(run("train", "--resume", run.toString()), "in use by another userec process", "pid " + ProcessHandle.current().pid());
    }
    assertThat(run("train", "--resume", run.toString(), "-q").code()).isZero();
  }

  @Test
  void CrashE_staleTmpFilesAreRemovedOnResume(@TempDir Path dir) throws IOException {
    Path run = trainedRun(dir, tiny);
    Path stale = run.resolve(".checkpoint.params.12345.tmp");
    Files.write(stale, new byte[100]);
    assertThat(run("train", "--resume", run.toString(), "-q").code()).isZero();
    assertThat(stale).doesNotExist();
  }

  @Test
  void R03_litterFolderWithoutConfigSaysNoTrainingStarted(@TempDir Path dir) throws IOException {
    Path run = trainedRun(dir, tiny);
    Files.delete(run.resolve("config.yaml"));
    oneLineError(run("eval", "--run", run.toString()), "no config.yaml", "delete it");
  }

  @Test
  void E07_evalParamsTypoSaysCheckThePath(@TempDir Path dir) throws IOException {
    Path run = trainedRun(dir, tiny);
    oneLineError(run("eval", "--run", run.toString(), "--params", dir.resolve("nosuch.params").toString()), "check the --params path");
  }

  @Test
  void R02_resumeOfAMissingFolderSaysNoSuchFolder(@TempDir Path dir) {
    oneLineError(run("train", "--resume", dir.resolve("nosuch").toString()), "no such run folder");
  }

  // --- messages, help ---

  @Test
  void I20_binaryBytesInAMessageAreEscaped() {
    assertThat(Main.printable("a\u0000b\u0001\tc")).isEqualTo("a\\x00b\\x01\\tc");
  }

  @Test
  void WriteFailure_anIoErrorIsOneLineExitOne() {
    java.io.UncheckedIOException e = new java.io.UncheckedIOException("runs/x: cannot write the checkpoint", new IOException("File too large"));
    assertThat(Main.ioFailure(new RuntimeException(e))).isEqualTo("runs/x: cannot write the checkpoint (File too large); check the disk space and permissions there");
  }

  @Test
  void Help_examplesAreNotWrappedMidTokenAndTheListShowsWholeSentences() {
    CliTest.Result r = run("--help");
    assertThat(r.out()).contains("Write a seeded synthetic dataset as an MMRec folder: power-law popularity, latent user/item factors, and per-modality features");
    CliTest.Result t = run("train", "--help");
    assertThat(t.out()).contains("userec train -m LightGCN -d ../shared/data/baby --set n_layers=2 --set reg_weight=1e-4");
    assertThat(t.out()).contains("FREEDOM").contains("USERec");
    CliTest.Result p = run("prepare", "--help");
    assertThat(p.out()).contains("--meta meta_Baby.json.gz --name baby --out data/baby");
  }

  @Test
  void YamlDuplicateKey_isAnErrorNamingFileAndLine(@TempDir Path dir) throws IOException {
    Path cfg = dir.resolve("dup.yaml");
    Files.writeString(cfg, "epochs: 1\nn_layers: 1\nepochs: 2\n");
    oneLineError(run(train(dir.resolve("runs"), "--config", cfg.toString())), "dup.yaml:", "duplicate key", "epochs");
  }

  @Test
  void Y09_aTopLevelListSaysWhatAMappingLooksLike(@TempDir Path dir) throws IOException {
    Path cfg = dir.resolve("list.yaml");
    Files.writeString(cfg, "- epochs: 1\n");
    oneLineError(run(train(dir.resolve("runs"), "--config", cfg.toString())), "a list", "one 'key: value' per line");
  }

  @Test
  void P21_binaryGarbageAsReviewsIsRefusedEvenWithKcore1(@TempDir Path dir) throws IOException {
    Path bin = dir.resolve("binary.bin");
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    byte[] b = new byte[3000];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) rng.nextInt(256);
    }
    Files.write(bin, b);
    oneLineError(run("prepare", "--reviews", bin.toString(), "--kcore", "1", "--name", "toy", "--out", dir.resolve("out").toString()),
        "binary.bin", "not a text file");
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void P10_mostlyCorruptReviewsAreRefusedNamingTheFirstBadLine(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("r.csv");
    Files.writeString(csv, "u1,i1\n\u00ff\u00fe garbage ; ; ;\nxx,yy,zz,ww,vv\n1,2,3,4,5,6\n");
    oneLineError(run("prepare", "--reviews", csv.toString(), "--format", "csv", "--kcore", "1", "--name", "toy", "--out",
        dir.resolve("out").toString()), "most lines are corrupt", "--format");
  }

  @Test
  void U12_aFileGivenAsDatasetSaysItIsAFile() {
    oneLineError(run("stats", "-d", tiny.resolve("tiny.inter").toString()), "is a file, not a dataset folder", "-d " + tiny);
  }

  @Test
  void U11_aMissingDatasetPrintsThePathOnce(@TempDir Path dir) {
    CliTest.Result r = run("stats", "-d", dir.resolve("nosuch").toString());
    oneLineError(r, "no such folder");
    assertThat(r.err()).doesNotContain(" and ");
  }

  @Test
  void F09_pcaDimsZeroAsksForAtLeastOne(@TempDir Path dir) {
    oneLineError(run("features", "pca", "--in", tiny.resolve("image_feat.npy").toString(), "--out", dir.resolve("x.npy").toString(),
        "--dims", "0"), "at least 1");
  }

  @Test
  void Keys_listsTheKeysWithDefaultsDocsAndRules() {
    CliTest.Result r = run("keys", "-m", "LightGCN");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("epochs: 1000").contains("n_layers: [1, 2, 3, 4]").contains("[must be an integer >= 0]")
        .contains("seed: 999  -- one seed drives").contains("# configs/model/LightGCN.yaml");
  }

  static String ascii(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
