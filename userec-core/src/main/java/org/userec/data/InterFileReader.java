package org.userec.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.userec.BadInputException;

/**
 * Reads MMRec's {@code .inter} interaction files: a header line naming the columns, then one interaction
 * per line, fields separated by one character (tab by default; MMRec's {@code field_separator}). Only the
 * user, item and split columns are read (MMRec's {@code USER_ID_FIELD}, {@code ITEM_ID_FIELD}, {@code
 * inter_splitting_label}, by default {@code userID}, {@code itemID}, {@code x_label}); other columns, such as
 * rating or timestamp, are skipped but must be present on every line. CRLF line ends, a UTF-8 byte-order
 * mark and blank lines (pandas skips them too) are accepted.
 *
 * <p>The bytes are parsed by hand, without a String per line: Amazon Baby's 160k rows take a few
 * milliseconds. Every problem is a one-line {@link BadInputException} {@code <file>:<line>: <what>; <fix>}.
 */
public final class InterFileReader {
  private InterFileReader() {}

  /** The column names to read and the field separator. */
  public record Columns(String user, String item, String split, char separator) {
    public static final Columns MMREC = new Columns("userID", "itemID", "x_label", '\t');

    public Columns {
      if (user == null || item == null || split == null || user.isBlank() || item.isBlank() || split.isBlank()) {
        throw new BadInputException("USER_ID_FIELD, ITEM_ID_FIELD and inter_splitting_label must all name a column, got '"
            + user + "', '" + item + "', '" + split + "'; set each to a column of the .inter header (MMRec: userID, itemID, x_label)");
      }
      if (user.equals(item) || user.equals(split) || item.equals(split)) {
        throw new BadInputException("USER_ID_FIELD, ITEM_ID_FIELD and inter_splitting_label must name three different columns, got '"
            + user + "', '" + item + "', '" + split + "'; set them to distinct column names");
      }
      if (separator > 0x7f || separator == '\n' || separator == '\r' || Character.isDigit(separator) || separator == '-') {
        throw new BadInputException("field_separator " + printable(separator)
            + " cannot separate .inter fields; use a single ASCII character such as '\\t' or ','");
      }
    }
  }

  /** Reads a tab-separated file with MMRec's default column names. */
  public static InterFile read(Path file) {
    return read(file, Columns.MMREC);
  }

  /** What to do with repeated (user, item) rows, which MMRec would count twice (in training and in the metrics). */
  public enum Duplicates {
    /** An error naming the first repeated row's line (the default: repeated rows are usually a mistake). */
    REJECT,
    /** Keep each pair's first row, drop the rest (config key {@code drop_duplicate_interactions: true}). */
    KEEP_FIRST
  }

  public static InterFile read(Path file, Columns columns) {
    return read(file, columns, Duplicates.REJECT);
  }

  public static InterFile read(Path file, Columns columns, Duplicates duplicates) {
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        throw new BadInputException(file + ": is a folder, not an .inter file; point inter_file_name at the file inside it");
      }
      if (Files.size(file) > Integer.MAX_VALUE - 8) {
        throw new BadInputException(file + ": " + Files.size(file) + " bytes is larger than 2 GB, which this reader cannot hold; split the file");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": file not found; check the dataset folder (data_path) and inter_file_name");
    } catch (AccessDeniedException e) {
      throw new BadInputException(file + ": permission denied; make the file readable (chmod a+r)");
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
    }
    return parse(file, bytes, columns, duplicates);
  }

  /** Parses the bytes of a file; {@code file} is only used in messages and the result. */
  public static InterFile parse(Path file, byte[] b, Columns columns) {
    return parse(file, b, columns, Duplicates.REJECT);
  }

  /** Parses the bytes of a file; {@code file} is only used in messages and the result. */
  public static InterFile parse(Path file, byte[] b, Columns columns, Duplicates duplicates) {
    final byte sep = (byte) columns.separator();
    final int n = b.length;
    requireText(file, b);
    int pos = 0;
    if (n >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
      pos = 3; // UTF-8 byte-order mark
    }
    // header
    int headerEnd = indexOf(b, (byte) '\n', pos, n);
    int headerLineEnd = headerEnd > pos && b[headerEnd - 1] == '\r' ? headerEnd - 1 : headerEnd;
    String headerLine = new String(b, pos, headerLineEnd - pos, StandardCharsets.UTF_8);
    if (headerLine.isBlank()) {
      throw new BadInputException(file + ":1: " + (n == 0 ? "the file is empty" : "the header line is empty")
          + "; the first line must name the columns, e.g. " + columns.user() + ", " + columns.item() + ", " + columns.split()
          + " separated by " + sepName(columns.separator()));
    }
    List<String> header = new ArrayList<>();
    for (String h : headerLine.split(java.util.regex.Pattern.quote(String.valueOf(columns.separator())), -1)) {
      header.add(h.strip());
    }
    if (header.stream().allMatch(h -> h.matches("-?[0-9]+(\\.[0-9]*)?"))) {
      throw new BadInputException(file + ":1: the first line " + header + " holds numbers, not column names: the header line is missing"
          + "; add a first line naming the columns: " + columns.user() + ", " + columns.item() + " and " + columns.split()
          + " separated by " + sepName(columns.separator()));
    }
    for (int i = 0; i < header.size(); i++) {
      if (header.lastIndexOf(header.get(i)) != i) {
        throw new BadInputException(file + ":1: column '" + header.get(i) + "' appears twice in the header " + header + "; give every column its own name");
      }
    }
    int ncols = header.size();
    int uc = column(file, header, columns.user(), "USER_ID_FIELD", columns);
    int ic = column(file, header, columns.item(), "ITEM_ID_FIELD", columns);
    int lc = column(file, header, columns.split(), "inter_splitting_label", columns);
    pos = headerEnd + 1;

    int cap = Math.max(16, n / 12);
    int[] users = new int[cap];
    int[] items = new int[cap];
    byte[] labels = new byte[cap];
    int[] lines = new int[cap];
    int rows = 0;
    int maxUser = -1;
    int maxItem = -1;
    int[] perLabel = new int[3];
    int line = 1;
    int[] fieldStart = new int[ncols];
    int[] fieldEnd = new int[ncols];

    while (pos < n) {
      line++;
      int end = indexOf(b, (byte) '\n', pos, n);
      int lineEnd = end > pos && b[end - 1] == '\r' ? end - 1 : end;
      if (lineEnd == pos) {
        pos = end + 1;
        continue; // blank line
      }
      // split into fields
      int f = 0;
      int start = pos;
      for (int p = pos; p <= lineEnd; p++) {
        if (p == lineEnd || b[p] == sep) {
          if (f < ncols) {
            fieldStart[f] = start;
            fieldEnd[f] = p;
          }
          f++;
          start = p + 1;
        }
      }
      if (f != ncols) {
        throw ragged(file, line, f, header, columns.separator(), b, pos, lineEnd);
      }
      int u = parseId(file, line, b, fieldStart[uc], fieldEnd[uc], columns.user(), "USER_ID_FIELD");
      int i = parseId(file, line, b, fieldStart[ic], fieldEnd[ic], columns.item(), "ITEM_ID_FIELD");
      int l = parseLabel(file, line, b, fieldStart[lc], fieldEnd[lc], columns.split());
      if (rows == users.length) {
        int grow = users.length + (users.length >> 1) + 16;
        users = Arrays.copyOf(users, grow);
        items = Arrays.copyOf(items, grow);
        labels = Arrays.copyOf(labels, grow);
        lines = Arrays.copyOf(lines, grow);
      }
      lines[rows] = line;
      users[rows] = u;
      items[rows] = i;
      labels[rows] = (byte) l;
      rows++;
      perLabel[l]++;
      if (u > maxUser) {
        maxUser = u;
      }
      if (i > maxItem) {
        maxItem = i;
      }
      pos = end + 1;
    }
    if (rows == 0) {
      throw new BadInputException(file + ": no interaction rows after the header; add one line per interaction: user, item, split label");
    }
    requireDense(file, users, rows, maxUser, columns.user(), "users");
    requireDense(file, items, rows, maxItem, columns.item(), "items");
    int kept = duplicates(file, users, items, labels, lines, rows, columns, duplicates);
    if (kept < rows) {
      perLabel = new int[3];
      for (int r = 0; r < kept; r++) {
        perLabel[labels[r]]++;
      }
      rows = kept;
    }
    String[] splitNames = {"train", "validation", "test"};
    for (int l = 0; l < 3; l++) {
      if (perLabel[l] == 0) {
        throw new BadInputException(file + ": no " + splitNames[l] + " rows (" + columns.split() + " = " + l + ") among " + rows
            + " rows (train/valid/test: " + perLabel[0] + "/" + perLabel[1] + "/" + perLabel[2] + ")"
            + "; every split needs rows: label each user's rows with MMRec's split rule (n<10: n-2/1/1 train/valid/test, else 80/10/10)");
      }
    }
    return new InterFile(file, maxUser + 1, maxItem + 1, Arrays.copyOf(users, rows), Arrays.copyOf(items, rows), Arrays.copyOf(labels, rows));
  }

  /**
   * A binary or UTF-16 file is refused before parsing: its bytes would otherwise be quoted in a message (and
   * UTF-16 text has a NUL in every other byte).
   */
  private static void requireText(Path file, byte[] b) {
    if (b.length >= 2 && ((b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE || (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF)) {
      throw new BadInputException(file + ": is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8");
    }
    int limit = Math.min(b.length, 1 << 16);
    for (int p = 0; p < limit; p++) {
      if (b[p] == 0) {
        boolean utf16 = p < 4 && limit > 8 && (b[p ^ 1] != 0);
        throw new BadInputException(file + ": is not a text file (a 0x00 byte at offset " + p + ")" + (utf16 ? "; it looks like UTF-16: save it as UTF-8"
            : "; an .inter file is UTF-8 text, one interaction per line with fields separated by tabs"));
      }
    }
  }

  /**
   * Ids must be dense (0..n-1): every id up to the maximum gets a row of parameters, so a few sparse raw ids
   * (one userID of 5,000,000 in 2,000 rows) would allocate gigabytes. Checked before anything is sized by the
   * maximum: refused when more than half the id range (and over 1,000 ids) never occurs.
   */
  private static void requireDense(Path file, int[] ids, int rows, int max, String column, String what) {
    long range = (long) max + 1;
    if (range <= 1000 || range <= 2L * rows) {
      return; // cannot be badly sparse (rows bound the distinct ids), or small enough not to matter
    }
    int[] sorted = Arrays.copyOf(ids, rows);
    Arrays.sort(sorted);
    int distinct = 0;
    for (int k = 0; k < rows; k++) {
      if (k == 0 || sorted[k] != sorted[k - 1]) {
        distinct++;
      }
    }
    long unused = range - distinct;
    if (unused > Math.max(1000, distinct)) {
      throw new BadInputException(file + ": " + column + " goes up to " + max + " but only " + distinct + " distinct " + what + " occur in "
          + rows + " rows; ids must be dense 0-based integers (every id up to the maximum gets parameters): map the raw ids to 0.."
          + (distinct - 1) + " first (userec prepare does)");
    }
  }

  /**
   * Finds repeated (user, item) rows. {@link Duplicates#REJECT}: an error naming the first repeat's line and the
   * line it repeats; {@link Duplicates#KEEP_FIRST}: compacts the arrays in place to each pair's first row and
   * returns the new row count.
   */
  private static int duplicates(Path file, int[] users, int[] items, byte[] labels, int[] lines, int rows, Columns columns,
      Duplicates policy) {
    long[] keys = new long[rows];
    for (int r = 0; r < rows; r++) {
      keys[r] = ((long) users[r] << 32) | (items[r] & 0xffffffffL);
    }
    long[] sorted = keys.clone();
    Arrays.sort(sorted);
    boolean any = false;
    for (int k = 1; k < rows && !any; k++) {
      any = sorted[k] == sorted[k - 1];
    }
    if (!any) {
      return rows;
    }
    java.util.HashMap<Long, Integer> first = new java.util.HashMap<>();
    if (policy == Duplicates.REJECT) {
      int dups = 0;
      int firstDup = -1;
      for (int r = 0; r < rows; r++) {
        if (first.putIfAbsent(keys[r], r) != null) {
          dups++;
          firstDup = firstDup < 0 ? r : firstDup;
        }
      }
      int orig = first.get(keys[firstDup]);
      throw new BadInputException(file + ":" + lines[firstDup] + ": " + columns.user() + " " + users[firstDup] + ", " + columns.item() + " "
          + items[firstDup] + " repeats line " + lines[orig] + " (" + dups + " repeated pair" + (dups == 1 ? "" : "s")
          + " in all; each would count twice in training and metrics); remove them, or set drop_duplicate_interactions: true to keep each pair's first row");
    }
    int w = 0;
    for (int r = 0; r < rows; r++) {
      if (first.putIfAbsent(keys[r], r) != null) {
        continue;
      }
      users[w] = users[r];
      items[w] = items[r];
      labels[w] = labels[r];
      lines[w] = lines[r];
      w++;
    }
    return w;
  }

  private static int column(Path file, List<String> header, String name, String key, Columns columns) {
    int idx = header.indexOf(name);
    if (idx >= 0) {
      return idx;
    }
    String hint = "";
    if (header.size() == 1) {
      String only = header.get(0);
      for (char c : new char[] {'\t', ',', ';', ' ', '|'}) {
        if (c != columns.separator() && only.indexOf(c) >= 0) {
          hint = " (the header seems to be separated by " + sepName(c) + ", not " + sepName(columns.separator()) + ": set field_separator)";
          break;
        }
      }
    }
    for (String h : header) {
      if (h.equalsIgnoreCase(name) && hint.isEmpty()) {
        hint = " (column names are case-sensitive: found '" + h + "')";
      }
    }
    throw new BadInputException(file + ":1: no column '" + name + "' (" + key + ")" + hint + "; the header has " + header
        + "; rename the column in the file or set " + key + " to the column's name");
  }

  private static int parseId(Path file, int line, byte[] b, int start, int end, String column, String key) {
    int s = start;
    int e = end;
    while (s < e && (b[s] == ' ' || b[s] == '\t')) {
      s++;
    }
    while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
      e--;
    }
    if (s == e) {
      throw new BadInputException(file + ":" + line + ": " + column + " is empty; every row needs an integer id in column '" + column + "'");
    }
    long v = 0;
    for (int p = s; p < e; p++) {
      int d = b[p] - '0';
      if (d < 0 || d > 9) {
        String text = new String(b, start, end - start, StandardCharsets.UTF_8);
        if (b[s] == '-' && allDigits(b, s + 1, e)) {
          throw new BadInputException(file + ":" + line + ": " + column + " " + text.strip()
              + " is negative; ids must be dense 0-based integers: map the raw ids to 0..n-1 first");
        }
        throw new BadInputException(file + ":" + line + ": " + column + " '" + text + "' is not a non-negative integer"
            + "; ids must be dense 0-based integers (map raw ids to 0..n-1 first), or if this is the wrong column set " + key);
      }
      v = v * 10 + d;
      if (v > Integer.MAX_VALUE - 1) {
        throw new BadInputException(file + ":" + line + ": " + column + " " + new String(b, s, e - s, StandardCharsets.UTF_8)
            + " is too large for an id; ids must be dense 0-based integers: map the raw ids to 0..n-1 first");
      }
    }
    return (int) v;
  }

  private static int parseLabel(Path file, int line, byte[] b, int start, int end, String column) {
    int s = start;
    int e = end;
    while (s < e && (b[s] == ' ' || b[s] == '\t')) {
      s++;
    }
    while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
      e--;
    }
    if (e - s == 1 && b[s] >= '0' && b[s] <= '2') {
      return b[s] - '0';
    }
    String text = new String(b, start, end - start, StandardCharsets.UTF_8);
    throw new BadInputException(file + ":" + line + ": " + column + " '" + text
        + "' is not a split label; it must be 0 (train), 1 (validation) or 2 (test), or if this is the wrong column set inter_splitting_label");
  }

  private static BadInputException ragged(Path file, int line, int fields, List<String> header, char sep, byte[] b, int start, int end) {
    String hint = "";
    if (fields == 1 && sep != ' ' && sep != ',') {
      for (int p = start; p < end; p++) {
        if (b[p] == ' ' || b[p] == ',') {
          hint = " (the line seems separated by " + sepName((char) b[p]) + ")";
          break;
        }
      }
    }
    return new BadInputException(file + ":" + line + ": " + fields + (fields == 1 ? " field" : " fields") + " but the header has "
        + header.size() + " " + header + hint + "; every line needs one value per column, separated by " + sepName(sep));
  }

  private static boolean allDigits(byte[] b, int s, int e) {
    if (s >= e) {
      return false;
    }
    for (int p = s; p < e; p++) {
      if (b[p] < '0' || b[p] > '9') {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, byte target, int from, int n) {
    for (int p = from; p < n; p++) {
      if (b[p] == target) {
        return p;
      }
    }
    return n;
  }

  static String sepName(char c) {
    return switch (c) {
      case '\t' -> "tabs";
      case ' ' -> "spaces";
      case ',' -> "commas";
      case ';' -> "semicolons";
      default -> "'" + c + "'";
    };
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }
}
