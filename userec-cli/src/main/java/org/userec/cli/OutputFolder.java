package org.userec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.userec.BadInputException;

/**
 * The guard before a command writes a dataset into a folder: a file is not a folder, and a folder that holds
 * anything already is written into only with {@code --force} (its files of the same names are replaced, which
 * would silently pair an old .inter with new features, or the reverse).
 */
final class OutputFolder {
  private OutputFolder() {}

  static void check(Path out, boolean force, String option) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new BadInputException(option + " " + out + ": is a file, not a folder; give a new or empty folder");
    }
    if (!Files.isDirectory(out) || force) {
      return;
    }
    List<String> names;
    try (Stream<Path> s = Files.list(out)) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new BadInputException(option + " " + out + ": cannot list the folder (" + e.getMessage() + "); check its permissions");
    }
    if (!names.isEmpty()) {
      throw new BadInputException(option + " " + out + ": the folder already holds " + names.size() + " file" + (names.size() == 1 ? "" : "s")
          + " (" + String.join(", ", names.subList(0, Math.min(5, names.size()))) + (names.size() > 5 ? ", ..." : "")
          + "); choose a new or empty folder, or pass --force to write into it (files of the same names are replaced)");
    }
  }
}
