package org.userec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.ConfigChecks;
import org.userec.config.ConfigLoader;

/**
 * The reader and config findings of the 2026-12-08 newcomer-reliability audit, one test each, named after
 * the audit's case id: every bad input is a one-line {@link BadInputException} naming the file (and line) or
 * key and the fix, raised before anything large is allocated.
 */
class AuditReaderFindingsTest {
  @TempDir Path dir;

  static final String HEADER = "userID\titemID\tx_label\n";

  Path inter(String body) throws IOException {
    Path p = dir.resolve("t.inter");
    Files.writeString(p, HEADER + body);
    return p;
  }

  static String rows(int users, int items) {
    StringBuilder sb = new StringBuilder();
    for (int u = 0; u < users; u++) {
      for (int k = 0; k < 3; k++) {
        sb.append(u).append('\t').append((u + k) % items).append('\t').append(k).append('\n');
      }
    }
    return sb.toString();
  }

  static void oneLine(Throwable t) {
    assertThat(t).isInstanceOf(BadInputException.class);
    assertThat(t.getMessage()).doesNotContain("\n");
  }

  @Test
  void I32_aSparseHugeUserIdIsRejectedBeforeAllocationWithMaxIdAndRowCount() throws IOException {
    Path p = inter(rows(200, 100) + "5000000\t3\t0\n");
    assertThatThrownBy(() -> InterFileReader.read(p)).satisfies(AuditReaderFindingsTest::oneLine)
        .hasMessageContaining("userID goes up to 5000000").hasMessageContaining("201 distinct users").hasMessageContaining("601 rows")
        .hasMessageContaining("dense");
  }

  @Test
  void I08_anIdOfTwoBillionIsRejectedWithoutRunningOutOfMemory() throws IOException {
    Path p = inter(rows(200, 100) + "2000000000\t3\t0\n");
    assertThatThrownBy(() -> DatasetLoader.load(DatasetSpec.of(dir, "t"))).satisfies(AuditReaderFindingsTest::oneLine)
        .hasMessageContaining("goes up to 2000000000");
  }

  @Test
  void I33_aSparseHugeItemIdIsRejected() throws IOException {
    Path p = inter(rows(200, 100) + "3\t1000000\t0\n");
    assertThatThrownBy(() -> InterFileReader.read(p)).satisfies(AuditReaderFindingsTest::oneLine)
        .hasMessageContaining("itemID goes up to 1000000");
  }

  @Test
  void I32_denseIdsWithAFewGapsAreStillAccepted() throws IOException {
    Path p = inter(rows(200, 100).replace("\n7\t", "\n207\t")); // user 7 renamed 207: a gap of 7 ids
    assertThat(InterFileReader.read(p).numUsers()).isEqualTo(208);
  }

  @Test
  void I16_duplicateRowsAreAnErrorNamingTheFirstRepeatAndTheKeyThatDropsThem() throws IOException {
    Path p = inter("0\t1\t0\n0\t2\t1\n1\t1\t2\n0\t1\t2\n1\t1\t0\n");
    assertThatThrownBy(() -> InterFileReader.read(p)).satisfies(AuditReaderFindingsTest::oneLine)
        .hasMessageStartingWith(p + ":5: userID 0, itemID 1 repeats line 2").hasMessageContaining("2 repeated pairs")
        .hasMessageContaining("drop_duplicate_interactions: true");
    InterFile kept = InterFileReader.read(p, InterFileReader.Columns.MMREC, InterFileReader.Duplicates.KEEP_FIRST);
    assertThat(kept.size()).isEqualTo(3);
    assertThat(kept.labels()).containsExactly(0, 1, 2);
  }

  @Test
  void I16_theDropKeyReachesTheLoader() throws IOException {
    Files.writeString(dir.resolve("t.inter"), HEADER + rows(5, 4) + "0\t0\t0\n");
    Config c = new ConfigLoader().overrides(List.of("drop_duplicate_interactions=true")).build();
    DatasetSpec spec = org.userec.run.Datasets.spec(c, new org.userec.run.Datasets.Located("t", dir), false);
    assertThat(DatasetLoader.load(spec).train().size()).isEqualTo(5);
  }

  @Test
  void I20_binaryGarbageIsNotATextFile() throws IOException {
    Path p = dir.resolve("t.inter");
    Files.write(p, new byte[] {'u', 's', 'e', 'r', 'I', 'D', '\t', 0, 1, 2, (byte) 0xff, '\n', 0, 0});
    assertThatThrownBy(() -> InterFileReader.read(p)).satisfies(AuditReaderFindingsTest::oneLine).hasMessageContaining("not a text file");
  }

  @Test
  void I30_utf16IsNamedWithTheFix() throws IOException {
    Path p = dir.resolve("t.inter");
    byte[] utf16 = ("\uFEFF" + HEADER + "0\t1\t0\n").getBytes(StandardCharsets.UTF_16LE);
    Files.write(p, utf16);
    assertThatThrownBy(() -> InterFileReader.read(p)).satisfies(AuditReaderFindingsTest::oneLine)
        .hasMessageContaining("UTF-16").hasMessageContaining("UTF-8");
    Files.write(p, (HEADER + "0\t1\t0\n").getBytes(StandardCharsets.UTF_16LE)); // without a byte-order mark
    assertThatThrownBy(() -> InterFileReader.read(p)).satisfies(AuditReaderFindingsTest::oneLine).hasMessageContaining("UTF-16");
  }

  @Test
  void I02_aMissingHeaderIsCalledMissingNotADuplicateColumn() throws IOException {
    Path p = dir.resolve("t.inter");
    Files.writeString(p, "0\t11\t0\n1\t12\t1\n");
    assertThatThrownBy(() -> InterFileReader.read(p)).satisfies(AuditReaderFindingsTest::oneLine)
        .hasMessageContaining(":1: ").hasMessageContaining("header line is missing").hasMessageContaining("userID, itemID and x_label");
  }

  @Test
  void I31_anInterThatIsAFolderSaysSo() throws IOException {
    Files.createDirectories(dir.resolve("t.inter"));
    assertThatThrownBy(() -> InterFileReader.read(dir.resolve("t.inter"))).satisfies(AuditReaderFindingsTest::oneLine)
        .hasMessageContaining("is a folder");
  }

  @Test
  void N17_aZeroColumnFeatureFileIsRejected() throws IOException {
    Path p = dir.resolve("image_feat.npy");
    NpyWriter.writeFloat32(p, 100, 0, new float[0]);
    assertThatThrownBy(() -> NpyReader.read(p)).satisfies(AuditReaderFindingsTest::oneLine).hasMessageContaining("0 columns");
    assertThatThrownBy(() -> NpyReader.readHeader(p)).satisfies(AuditReaderFindingsTest::oneLine).hasMessageContaining("0 columns");
  }

  @Test
  void N18_aHeaderClaimingMoreRowsThanTheFileHoldsIsCalledTruncated() throws IOException {
    Path p = dir.resolve("image_feat.npy");
    NpyWriter.writeFloat32(p, 10, 4, new float[40]);
    byte[] b = Files.readAllBytes(p);
    String text = new String(b, StandardCharsets.ISO_8859_1).replace("(10, 4)", "(20, 4)");
    Files.write(p, text.getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> NpyReader.readHeader(p)).satisfies(AuditReaderFindingsTest::oneLine).hasMessageContaining("truncated");
  }

  @Test
  void Fuzz_aLineBreakQuotedFromADamagedNpyHeaderStaysOneLine() throws IOException {
    Path p = dir.resolve("image_feat.npy");
    NpyWriter.writeFloat32(p, 2, 2, new float[4]);
    String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).replace("'descr'", "'\ndescr'");
    Files.write(p, text.getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> NpyReader.read(p)).satisfies(AuditReaderFindingsTest::oneLine).hasMessageContaining("\\n");
  }

  // --- config values (the table of ConfigChecks) ---

  static Config lightGcn(String... sets) {
    return new ConfigLoader().model("LightGCN", List.of("LightGCN")).overrides(List.of(sets)).build();
  }

  @Test
  void X22_X30_U26_X23_X24_X25_everyRuleOfTheTableNamesKeySourceValueAndFix() {
    String[][] cases = {
      {"reg_weight=-1", "reg_weight", ">= 0"},
      {"eval_batch_size=0", "eval_batch_size", ">= 1"},
      {"embedding_size=0", "embedding_size", ">= 1"},
      {"n_layers=-2", "n_layers", ">= 0"},
      {"topk=[0,10]", "topk", ">= 1"},
      {"valid_metric=Recall@7", "valid_metric", "Recall@20"},
      {"learning_rate_scheduler=[0,50]", "learning_rate_scheduler", "factor > 0"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> ConfigChecks.check(lightGcn(c[0], "n_layers=1", "reg_weight=1e-4").with(Map.of(c[1], org.userec.config.Yaml.parseValue(c[0].substring(c[0].indexOf('=') + 1))), "--set"), ConfigChecks.DataFacts.UNKNOWN))
          .as(c[0]).satisfies(AuditReaderFindingsTest::oneLine).hasMessageStartingWith("--set: key '" + c[1] + "'")
          .hasMessageContaining(c[2]).hasMessageContaining("--set " + c[1] + "=");
    }
  }

  @Test
  void U20_everyGridPointIsCheckedAndTheErrorNamesTheLayerThatListedIt() {
    Config c = lightGcn("n_layers=[1,-1]", "reg_weight=[1e-4,1e-3]");
    assertThatThrownBy(() -> ConfigChecks.check(c, ConfigChecks.DataFacts.UNKNOWN)).satisfies(AuditReaderFindingsTest::oneLine)
        .hasMessageStartingWith("--set (grid value -1): key 'n_layers'");
    ConfigChecks.check(lightGcn("n_layers=[1,2]"), ConfigChecks.DataFacts.UNKNOWN); // the packaged grid passes
  }

  @Test
  void X28_knnKIsCheckedAgainstTheItemCount() {
    Config c = new ConfigLoader().model("FREEDOM", List.of("FREEDOM")).overrides(List.of("knn_k=100")).build();
    assertThatThrownBy(() -> ConfigChecks.check(c, new ConfigChecks.DataFacts(100))).satisfies(AuditReaderFindingsTest::oneLine)
        .hasMessageContaining("knn_k").hasMessageContaining("100 items");
    ConfigChecks.check(c.with("knn_k", 99), new ConfigChecks.DataFacts(100));
  }

  @Test
  void Keys_everyPackagedModelsDefaultsPassTheTable() {
    for (String m : org.userec.model.ModelRegistry.names()) {
      Config c = new ConfigLoader().model(m, org.userec.model.ModelRegistry.names()).build();
      ConfigChecks.check(c, new ConfigChecks.DataFacts(1000));
    }
  }
}
