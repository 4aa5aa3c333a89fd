package org.userec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;

class DatasetLoaderTest {
  @TempDir Path dir;
  Path folder;

  /*
   * users 0..4, items 0..5. User 3 has only valid/test rows (cold start); user 4 has only a test row.
   * User 2 never appears. Item 5 appears only in test.
   */
  private static final String INTER = """
      userID\titemID\tx_label\trating
      0\t0\t0\t5
      0\t1\t0\t4
      0\t2\t1\t3
      1\t2\t0\t5
      3\t1\t1\t1
      1\t3\t0\t2
      0\t4\t2\t5
      3\t0\t2\t5
      1\t5\t2\t4
      4\t4\t2\t3
      """;

  @BeforeEach
  void setUp() throws IOException {
    folder = dir.resolve("toy");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("toy.inter"), INTER);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertBad(String prefix, Runnable r) {
    return assertThatThrownBy(r::run)
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(prefix)
        .hasMessageNotContaining("\n")
        .hasMessageContaining("; ");
  }

  private static float[] rows(int n, int cols) {
    float[] f = new float[n * cols];
    for (int i = 0; i < f.length; i++) {
      f[i] = i;
    }
    return f;
  }

  @Test
  void loadsCountsSplitsInFileOrderAndDropsColdStartRows() {
    DatasetLoader.Loaded loaded = DatasetLoader.loadWithStats(DatasetSpec.of(folder, "toy"));
    Dataset d = loaded.dataset();
    assertThat(d.name()).isEqualTo("toy");
    assertThat(d.numUsers()).isEqualTo(5);
    assertThat(d.numItems()).isEqualTo(6);
    assertThat(d.train().users()).containsExactly(0, 0, 1, 1);
    assertThat(d.train().items()).containsExactly(0, 1, 2, 3);
    assertThat(d.valid().users()).containsExactly(0); // user 3's valid row dropped
    assertThat(d.valid().items()).containsExactly(2);
    assertThat(d.test().users()).containsExactly(0, 1); // users 3 and 4 dropped
    assertThat(d.test().items()).containsExactly(4, 5);
    assertThat(d.features()).isEmpty();

    DatasetStats s = loaded.stats();
    assertThat(s.rowsInFile()).isEqualTo(new DatasetStats.SplitSizes(4, 2, 4));
    assertThat(s.rowsUsed()).isEqualTo(new DatasetStats.SplitSizes(4, 1, 2));
    assertThat(s.dropped()).isEqualTo(new DatasetStats.SplitSizes(0, 1, 2));
    assertThat(s.usersWithoutTrain()).isEqualTo(3); // users 2, 3, 4
    assertThat(s.itemsWithoutTrain()).isEqualTo(2); // items 4, 5
    assertThat(s.userTrainDegree()).isEqualTo(new DatasetStats.Degree(0, 0.0, 2, 0.8));
    assertThat(s.itemTrainDegree()).isEqualTo(new DatasetStats.Degree(0, 1.0, 1, 4.0 / 6));
    assertThat(s.density()).isEqualTo(7.0 / 30);
  }

  @Test
  void keepsColdStartRowsWhenTheFilterIsOff() {
    Dataset d = DatasetLoader.load(DatasetSpec.of(folder, "toy").withFilterColdStartUsers(false));
    assertThat(d.valid().users()).containsExactly(0, 3);
    assertThat(d.test().users()).containsExactly(0, 3, 1, 4);
    assertThat(d.test().items()).containsExactly(4, 0, 5, 4);
  }

  @Test
  void loadsFeaturesPerModality() throws IOException {
    NpyWriter.writeFloat32(folder.resolve("image_feat.npy"), 6, 3, rows(6, 3));
    NpyWriter.writeFloat32(folder.resolve("text_feat.npy"), 6, 2, rows(6, 2));
    DatasetLoader.Loaded loaded = DatasetLoader.loadWithStats(
        DatasetSpec.of(folder, "toy").withModality("image", "image_feat.npy").withModality("text", "text_feat.npy"));
    Dataset d = loaded.dataset();
    assertThat(d.features()).hasSize(2);
    assertThat(d.feature("image").cols()).isEqualTo(3);
    assertThat(d.feature("text").data()).containsExactly(rows(6, 2));
    assertThat(loaded.stats().modalities())
        .containsExactly(new DatasetStats.ModalityShape("image", 6, 3), new DatasetStats.ModalityShape("text", 6, 2));
    String text = loaded.stats().toText();
    assertThat(text).contains("modalities    image      6 x 3").contains("text       6 x 2");
    assertThat(text.lines()).allMatch(l -> !l.isBlank());
  }

  @Test
  void rejectsFeatureRowCountThatDiffersFromItemCount() throws IOException {
    NpyWriter.writeFloat32(folder.resolve("image_feat.npy"), 5, 3, rows(5, 3));
    Path p = folder.resolve("image_feat.npy");
    assertBad(p + ": ", () -> DatasetLoader.load(DatasetSpec.of(folder, "toy").withModality("image", "image_feat.npy")))
        .hasMessageContaining("5 feature rows")
        .hasMessageContaining("6 items")
        .hasMessageContaining("toy.inter")
        .hasMessageContaining("vision_feature_file");
  }

  @Test
  void rejectsMissingFeatureFileNamingPathAndConfigKey() throws IOException {
    NpyWriter.writeFloat32(folder.resolve("image_feat.npy"), 6, 3, rows(6, 3));
    Path p = folder.resolve("txt_feat.npy");
    assertBad(p + ": ", () -> DatasetLoader.load(DatasetSpec.of(folder, "toy").withModality("text", "txt_feat.npy")))
        .hasMessageContaining("modality 'text' not found")
        .hasMessageContaining("text_feature_file")
        .hasMessageContaining("image_feat.npy"); // what the folder does hold
    Path audio = folder.resolve("audio.npy");
    assertBad(audio + ": ", () -> DatasetLoader.load(DatasetSpec.of(folder, "toy")
            .withModalities(List.of(new DatasetSpec.Modality("audio", "audio.npy", "text_feature_file")))))
        .hasMessageContaining("set text_feature_file");
  }

  @Test
  void rejectsMissingInterFileAndFolder() {
    Path inter = folder.resolve("toys.inter");
    assertBad(inter + ": ", () -> DatasetLoader.load(DatasetSpec.of(folder, "toys")))
        .hasMessageContaining("inter_file_name")
        .hasMessageContaining("toy.inter");
    Path none = dir.resolve("nowhere");
    assertBad(none + ": ", () -> DatasetLoader.load(DatasetSpec.of(none, "nowhere"))).hasMessageContaining("data_path");
  }

  @Test
  void passesInterFileErrorsThrough() throws IOException {
    Files.writeString(folder.resolve("bad.inter"), "userID\titemID\tx_label\n0\t1\t0\n0\t1\n");
    Path p = folder.resolve("bad.inter");
    assertBad(p + ":3: ", () -> DatasetLoader.load(DatasetSpec.of(folder, "toy").withInterFileName("bad.inter")))
        .hasMessageContaining("2 fields");
  }

  @Test
  void specRejectsDuplicateModalitiesAndDerivesConfigKeys() {
    assertThat(new DatasetSpec.Modality("image", "a.npy").configKey()).isEqualTo("vision_feature_file");
    assertThat(new DatasetSpec.Modality("text", "a.npy").configKey()).isEqualTo("text_feature_file");
    assertThat(new DatasetSpec.Modality("audio", "a.npy").configKey()).isEqualTo("audio_feature_file");
    assertThatThrownBy(() -> DatasetSpec.of(folder, "toy").withModality("image", "a.npy").withModality("image", "b.npy"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("listed twice");
  }

  @Test
  void statsOfADatasetWithoutFilterInformation() {
    Dataset d = DatasetLoader.load(DatasetSpec.of(folder, "toy"));
    DatasetStats s = DatasetStats.of(d);
    assertThat(s.dropped()).isEqualTo(new DatasetStats.SplitSizes(0, 0, 0));
    assertThat(s.toText()).startsWith("dataset       toy\n");
  }
}
