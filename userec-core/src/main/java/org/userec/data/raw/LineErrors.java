package org.userec.data.raw;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Corrupt lines of one input file: every one is counted, the first few are kept with their line number and
 * reason, so a report can say "3 corrupt lines (line 4: ...; line 9: ...)" instead of dropping them quietly.
 */
public final class LineErrors {
  /** How many corrupt lines are kept with their reason. */
  public static final int KEPT = 10;

  /** One corrupt line. */
  public record Entry(long line, String reason) {}

  private final Path file;
  private final List<Entry> first = new ArrayList<>();
  private long count;

  public LineErrors(Path file) {
    this.file = file;
  }

  public void add(long line, String reason) {
    count++;
    if (first.size() < KEPT) {
      first.add(new Entry(line, reason));
    }
  }

  public Path file() {
    return file;
  }

  public long count() {
    return count;
  }

  public List<Entry> first() {
    return List.copyOf(first);
  }

  /** One line: the count, then the first few lines with their reason. */
  public String summary() {
    if (count == 0) {
      return file.getFileName() + ": no corrupt lines";
    }
    StringBuilder b = new StringBuilder();
    b.append(file.getFileName()).append(": ").append(count).append(count == 1 ? " corrupt line skipped (" : " corrupt lines skipped (");
    for (int k = 0; k < first.size(); k++) {
      if (k > 0) {
        b.append("; ");
      }
      b.append("line ").append(first.get(k).line()).append(": ").append(first.get(k).reason());
    }
    if (count > first.size()) {
      b.append("; ").append(count - first.size()).append(" more");
    }
    return b.append(')').toString();
  }
}
