package org.userec.data.raw;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.userec.BadInputException;

/**
 * Streams a raw review file (Amazon 2014/2018 JSON lines or CSV, optionally gzip) one review at a time.
 * Nothing but the current line is held. Corrupt lines go to a {@link LineErrors} with their line number.
 */
public final class ReviewReader {
  /** Receives each well-formed review. Rating is NaN and time is {@link Long#MIN_VALUE} when a CSV lacks them. */
  @FunctionalInterface
  public interface Sink {
    void review(String user, String item, float rating, long time);
  }

  /** Lines looked at before giving up on a file none of whose lines parse. */
  static final int GIVE_UP_AFTER = 1000;

  private static final Set<String> AMAZON_KEYS = Set.of("reviewerID", "asin", "overall", "unixReviewTime");
  private static final Set<String> CSV_USER_HEADERS = Set.of("user", "userid", "user_id", "reviewerid", "reviewer_id", "uid");

  private ReviewReader() {}

  /** Reads the file; returns the resolved format and the corrupt lines. */
  public static Result read(Path file, RawFormat format, Sink sink) {
    RawFormat f = format == RawFormat.AUTO ? RawFormat.sniff(file) : format;
    LineErrors errors = new LineErrors(file);
    long[] good = {0};
    LineParser parser = f == RawFormat.CSV ? new CsvLine() : new AmazonLine();
    long lines =
        RawFiles.forEachLine(
            file,
            (n, line) -> {
              if (line.isBlank()) {
                return;
              }
              if (line.indexOf('\u0000') >= 0) {
                throw new BadInputException(file + ":" + n + ": is not a text file (a 0x00 byte on this line); give the review file"
                    + " (JSON lines or CSV, plain or gzip; UTF-16 text must be saved as UTF-8 first)");
              }
              String why = parser.parse(n, line, sink);
              if (why == null) {
                good[0]++;
              } else if (!why.isEmpty()) { // "" = a header line
                errors.add(n, why);
                if (good[0] == 0 && errors.count() >= GIVE_UP_AFTER) {
                  throw noneParse(file, f, errors);
                }
              }
            });
    if (good[0] == 0) {
      if (errors.count() == 0) {
        throw new BadInputException(file + ": no reviews in the file (" + lines + " lines); give a non-empty review file");
      }
      throw noneParse(file, f, errors);
    }
    if (errors.count() > good[0]) {
      LineErrors.Entry e = errors.first().get(0);
      throw new BadInputException(file + ": most lines are corrupt (" + errors.count() + " of " + (errors.count() + good[0])
          + " lines do not parse as " + f.name().toLowerCase(Locale.ROOT) + "; the first: line " + e.line() + ", " + e.reason()
          + "); is this the review file, and is --format right?");
    }
    return new Result(f, good[0], lines, errors);
  }

  /** What a read found. */
  public record Result(RawFormat format, long reviews, long lines, LineErrors errors) {}

  private static BadInputException noneParse(Path file, RawFormat f, LineErrors errors) {
    LineErrors.Entry e = errors.first().get(0);
    return new BadInputException(
        file + ": none of the first " + errors.count() + " lines parse as " + f.name().toLowerCase(Locale.ROOT)
            + " (line " + e.line() + ": " + e.reason() + "); check --format (amazon2014, amazon2018, csv)");
  }

  /** Parses one line into the sink; returns null when fine, "" for a header, else the reason it is corrupt. */
  private interface LineParser {
    String parse(long n, String line, Sink sink);
  }

  private static final class AmazonLine implements LineParser {
    @Override
    public String parse(long n, String line, Sink sink) {
      Map<String, Object> m;
      try {
        m = Literal.parseObject(line, AMAZON_KEYS);
      } catch (Literal.SyntaxException e) {
        return "not a JSON object: " + e.getMessage();
      }
      Object user = m.get("reviewerID");
      Object item = m.get("asin");
      Object rating = m.get("overall");
      Object time = m.get("unixReviewTime");
      if (!(user instanceof String u) || u.isBlank()) {
        return user == null ? "missing key 'reviewerID'" : "'reviewerID' is not a non-empty string";
      }
      if (!(item instanceof String i) || i.isBlank()) {
        return item == null ? "missing key 'asin'" : "'asin' is not a non-empty string";
      }
      if (!(rating instanceof Number r) || !Double.isFinite(r.doubleValue())) {
        return rating == null ? "missing key 'overall'" : "'overall' is not a number";
      }
      if (!(time instanceof Long t)) {
        return time == null ? "missing key 'unixReviewTime'" : "'unixReviewTime' is not an integer";
      }
      sink.review(u, i, r.floatValue(), t);
      return null;
    }
  }

  private static final class CsvLine implements LineParser {
    private char sep;
    private boolean started; // only the first non-blank line may be a header

    @Override
    public String parse(long n, String line, Sink sink) {
      if (sep == 0) {
        sep = line.indexOf('\t') >= 0 && line.indexOf(',') < 0 ? '\t' : ',';
      }
      boolean first = !started;
      started = true;
      List<String> f = split(line, sep);
      if (f == null) {
        return "unterminated quote";
      }
      if (f.size() < 2 || f.size() > 4) {
        return "expected 2 to 4 fields (user, item, rating, timestamp), found " + f.size();
      }
      String user = f.get(0).trim();
      String item = f.get(1).trim();
      float rating = Float.NaN;
      long time = Long.MIN_VALUE;
      String bad = null;
      if (f.size() >= 3 && !f.get(2).isBlank()) {
        try {
          rating = Float.parseFloat(f.get(2).trim());
          if (!Float.isFinite(rating)) {
            bad = "rating '" + f.get(2).trim() + "' is not finite";
          }
        } catch (NumberFormatException e) {
          bad = "rating '" + f.get(2).trim() + "' is not a number";
        }
      }
      if (bad == null && f.size() == 4 && !f.get(3).isBlank()) {
        String t = f.get(3).trim();
        try {
          time = t.indexOf('.') >= 0 || t.indexOf('e') >= 0 ? (long) Double.parseDouble(t) : Long.parseLong(t);
        } catch (NumberFormatException e) {
          bad = "timestamp '" + t + "' is not a number";
        }
      }
      if (first && (bad != null || CSV_USER_HEADERS.contains(user.toLowerCase(Locale.ROOT)))) {
        return ""; // a header line
      }
      if (bad != null) {
        return bad;
      }
      if (user.isEmpty() || item.isEmpty()) {
        return user.isEmpty() ? "empty user" : "empty item";
      }
      sink.review(user, item, rating, time);
      return null;
    }
  }

  /** Splits a CSV line; double quotes may wrap a field ("" inside is a quote). Null on an open quote. */
  static List<String> split(String line, char sep) {
    List<String> out = new ArrayList<>(4);
    StringBuilder b = new StringBuilder();
    boolean quoted = false;
    for (int k = 0; k < line.length(); k++) {
      char c = line.charAt(k);
      if (quoted) {
        if (c == '"') {
          if (k + 1 < line.length() && line.charAt(k + 1) == '"') {
            b.append('"');
            k++;
          } else {
            quoted = false;
          }
        } else {
          b.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == sep) {
        out.add(b.toString());
        b.setLength(0);
      } else {
        b.append(c);
      }
    }
    if (quoted) {
      return null;
    }
    out.add(b.toString());
    return out;
  }
}
