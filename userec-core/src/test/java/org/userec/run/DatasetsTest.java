package org.userec.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @Test
  void aNameUnderDataPathIgnoresTheModelsKeys(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("baby"));
    Datasets.Located loc = Datasets.locate("baby", List.of("data_path=" + dir, "n_layers=2", "LightGCN:reg_weight=1e-4"));
    assertThat(loc.name()).isEqualTo("baby");
    assertThat(loc.folder()).isEqualTo(dir.resolve("baby").toAbsolutePath().normalize());
  }
}
