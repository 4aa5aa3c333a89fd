package org.userec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.userec.train.RunFolder;

/** Clean-up of run folders that a rejected command made. */
final class RunFolders {
  private RunFolders() {}

  /** Deletes {@code dir} when no epoch finished in it (no checkpoint anywhere under it); else leaves it. */
  static void deleteIfNothingTrained(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
      boolean trained = all.stream().anyMatch(p -> {
        String n = p.getFileName().toString();
        return n.equals(RunFolder.CHECKPOINT) || n.equals(RunFolder.BEST) || n.equals(RunFolder.LOG);
      });
      if (trained) {
        return;
      }
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // leave what could not be removed; the error being reported matters more
    }
  }
}
