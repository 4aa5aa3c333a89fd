package org.userec.data.raw;

import java.nio.file.Path;
import java.util.Locale;
import org.userec.BadInputException;

/** The layout of a raw review file. */
public enum RawFormat {
  /** Sniffed from the first non-blank line: '{' means Amazon JSON lines, anything else CSV. */
  AUTO,
  /**
   * Amazon reviews 2014 (McAuley et al., SIGIR 2015): one JSON object per line with {@code reviewerID},
   * {@code asin}, {@code overall}, {@code unixReviewTime} (plus text fields we skip). Its metadata is
   * Python-literal style.
   */
  AMAZON2014,
  /**
   * Amazon reviews 2018 (Ni et al., EMNLP 2019): the same keys, plus {@code style}, {@code vote},
   * {@code verified}, {@code image}; its metadata is strict JSON.
   */
  AMAZON2018,
  /** user,item[,rating[,timestamp]] per line, comma or tab separated, header line optional. */
  CSV;

  public static RawFormat parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    return switch (t) {
      case "auto" -> AUTO;
      case "amazon2014", "amazon14" -> AMAZON2014;
      case "amazon2018", "amazon18" -> AMAZON2018;
      case "csv", "tsv" -> CSV;
      default -> throw new BadInputException("--format " + s + ": unknown format; use amazon2014, amazon2018, csv or auto");
    };
  }

  /** Resolves AUTO by looking at the file's first non-blank line. */
  static RawFormat sniff(Path file) {
    String[] first = {null};
    try {
      RawFiles.forEachLine(file, (n, line) -> {
        if (!line.isBlank()) {
          first[0] = line;
          throw new Stop();
        }
      });
    } catch (Stop stop) {
      // found it
    }
    if (first[0] == null) {
      throw new BadInputException(file + ": the file is empty; give a review file with one review per line");
    }
    return first[0].stripLeading().startsWith("{") ? AMAZON2014 : CSV;
  }

  private static final class Stop extends RuntimeException {
    Stop() {
      super(null, null, false, false);
    }
  }
}
