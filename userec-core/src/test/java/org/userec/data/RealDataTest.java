package org.userec.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Loads the shared research datasets ({@code ../shared/data} from the project root). Skips, saying why,
 * when they are not on this machine.
 */
class RealDataTest {
  /** The shared data folder: {@code -Duserec.shared.data} (or env USEREC_SHARED_DATA) when set, else the first {@code shared/data} above the cwd. */
  static Path sharedData() {
    String prop = System.getProperty("userec.shared.data", System.getenv("USEREC_SHARED_DATA"));
    if (prop != null) {
      return Files.isDirectory(Path.of(prop)) ? Path.of(prop) : null;
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared").resolve("data");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static Path dataset(String name) {
    Path root = sharedData();
    Assumptions.assumeTrue(root != null, "shared data not found (looked at -Duserec.shared.data, USEREC_SHARED_DATA, then shared/data above "
        + Path.of("").toAbsolutePath() + "); skipping real-data test");
    Path folder = root.resolve(name);
    Assumptions.assumeTrue(Files.isDirectory(folder), folder + " is absent; skipping real-data test");
    return folder;
  }

  @Test
  void tiktokLoadsWithPublishedCounts() {
    Path folder = dataset("tiktok");
    DatasetLoader.Loaded loaded = DatasetLoader.loadWithStats(
        DatasetSpec.of(folder, "tiktok").withModality("image", "image_feat.npy").withModality("audio", "audio_feat.npy"));
    Dataset d = loaded.dataset();
    DatasetStats s = loaded.stats();
    assertThat(d.numUsers()).isEqualTo(9_308);
    assertThat(d.numItems()).isEqualTo(6_710);
    assertThat(s.rowsInFile()).isEqualTo(new DatasetStats.SplitSizes(59_541, 3_051, 6_130));
    assertThat(s.rowsInFile().total()).isEqualTo(68_722);
    assertThat(s.usersWithoutTrain()).isEqualTo(10); // the README's ten cold-start users
    assertThat(s.dropped().train()).isZero();
    assertThat(s.dropped().valid() + s.dropped().test()).isPositive();
    assertThat(d.feature("image").rows()).isEqualTo(6_710);
    assertThat(d.feature("image").cols()).isEqualTo(128);
    assertThat(d.feature("audio").rows()).isEqualTo(6_710);
    assertThat(d.feature("audio").cols()).isEqualTo(128);
  }

  @Test
  void tiktokFloat16CopiesMatchFloat32WithinHalfPrecision() {
    Path folder = dataset("tiktok");
    Assumptions.assumeTrue(Files.isDirectory(folder.resolve("float16")), "no tiktok/float16 folder; skipping");
    for (String m : new String[] {"image_feat.npy", "audio_feat.npy"}) {
      FeatureTable f32 = NpyReader.read(folder.resolve(m));
      FeatureTable f16 = NpyReader.read(folder.resolve("float16").resolve(m));
      assertThat(NpyReader.readHeader(folder.resolve("float16").resolve(m)).descr()).isEqualTo("<f2");
      assertThat(f16.rows()).isEqualTo(f32.rows());
      assertThat(f16.cols()).isEqualTo(f32.cols());
      float[] a = f32.data();
      float[] b = f16.data();
      for (int i = 0; i < a.length; i++) {
        // half precision: 11 significant bits, so a relative error of at most 2^-11 (absolute near subnormals)
        double tol = Math.max(Math.abs(a[i]) * 0x1p-11, 0x1p-24);
        if (Math.abs(a[i] - b[i]) > tol) {
          throw new AssertionError(m + " index " + i + ": float32 " + a[i] + " vs float16 " + b[i]);
        }
      }
    }
  }

  @Test
  void babyLoadsWithMmrecCounts() {
    Path folder = dataset("baby");
    DatasetLoader.Loaded loaded = DatasetLoader.loadWithStats(DatasetSpec.of(folder, "baby"));
    Dataset d = loaded.dataset();
    assertThat(d.numUsers()).isEqualTo(19_445);
    assertThat(d.numItems()).isEqualTo(7_050);
    assertThat(d.train().size()).isEqualTo(118_551);
    assertThat(d.valid().size()).isEqualTo(20_559);
    assertThat(d.test().size()).isEqualTo(21_682);
    assertThat(loaded.stats().dropped().total()).isZero();
  }

  @Test
  void microlensLoadsIgnoringThePosColumn() {
    Path folder = dataset("microlens");
    Dataset d = DatasetLoader.load(DatasetSpec.of(folder, "microlens50k"));
    assertThat(d.numUsers()).isEqualTo(50_000);
    assertThat(d.numItems()).isEqualTo(19_220);
    assertThat(d.train().size()).isEqualTo(255_185);
    assertThat(d.valid().size()).isEqualTo(51_519);
    assertThat(d.test().size()).isEqualTo(53_004);
  }
}
