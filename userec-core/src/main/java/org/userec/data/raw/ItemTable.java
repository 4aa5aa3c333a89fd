package org.userec.data.raw;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.userec.BadInputException;
import org.userec.util.AtomicFiles;

/**
 * An item table ({@code items.tsv}): tab-separated, a header line, one row per item, column {@code itemID}
 * dense 0-based. {@code userec prepare} writes the columns {@link #COLUMNS}; other tables work as long as they
 * have {@code itemID} (MicroLens' is {@code itemID microlens_item title}). Tabs, newlines, carriage returns
 * and backslashes inside a field are escaped as {@code \t \n \r \\}; {@link #read} undoes it.
 *
 * @param rows rows in item id order; each row has one field per column
 */
public record ItemTable(List<String> columns, String[][] rows) {
  /** The columns {@code userec prepare} writes. */
  public static final List<String> COLUMNS = List.of("itemID", "asin", "title", "description", "price", "brand", "categories", "image");

  public ItemTable {
    columns = List.copyOf(columns);
    for (String[] r : rows) {
      if (r.length != columns.size()) {
        throw new IllegalArgumentException("row of " + r.length + " fields for " + columns.size() + " columns");
      }
    }
  }

  public int size() {
    return rows.length;
  }

  public boolean has(String column) {
    return columns.contains(column);
  }

  /** The field, or "" when the table has no such column. */
  public String get(int item, String column) {
    int c = columns.indexOf(column);
    return c < 0 ? "" : rows[item][c];
  }

  /** Builds the table {@code userec prepare} writes from metadata in item id order. */
  public static ItemTable of(List<ItemMeta> items) {
    String[][] rows = new String[items.size()][];
    for (int i = 0; i < rows.length; i++) {
      ItemMeta m = items.get(i);
      rows[i] = new String[] {String.valueOf(i), m.asin(), m.title(), m.description(), m.price(), m.brand(), m.categoriesText(), m.image()};
    }
    return new ItemTable(COLUMNS, rows);
  }

  /** The metadata of one row (columns the table lacks are empty). */
  public ItemMeta meta(int item) {
    return new ItemMeta(get(item, "asin"), get(item, "title"), get(item, "description"), get(item, "price"), get(item, "brand"),
        ItemMeta.parseCategories(get(item, "categories")), get(item, "image"));
  }

  /** Writes the table atomically. */
  public void write(Path file) {
    try {
      AtomicFiles.write(file, this::write);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private void write(OutputStream out) throws IOException {
    StringBuilder b = new StringBuilder(String.join("\t", columns)).append('\n');
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        if (c > 0) {
          b.append('\t');
        }
        escape(r[c], b);
      }
      b.append('\n');
      if (b.length() > 1 << 16) {
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        b.setLength(0);
      }
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a table; an error names the file, the line and the fix. */
  public static ItemTable read(Path file) {
    List<String> columns = new ArrayList<>();
    List<String[]> byLine = new ArrayList<>();
    RawFiles.forEachLine(file, (n, line) -> {
      if (n == 1) {
        columns.addAll(Arrays.asList(line.split("\t", -1)));
        if (!columns.contains("itemID")) {
          throw new BadInputException(file + ":1: no 'itemID' column in the header " + columns + "; the first line must name the columns, one of them itemID");
        }
        return;
      }
      if (line.isEmpty()) {
        return;
      }
      String[] f = line.split("\t", -1);
      if (f.length != columns.size()) {
        throw new BadInputException(file + ":" + n + ": " + f.length + " fields for " + columns.size()
            + " columns; escape tabs inside a field as \\t");
      }
      for (int c = 0; c < f.length; c++) {
        f[c] = unescape(f[c]);
      }
      byLine.add(f);
    });
    if (columns.isEmpty()) {
      throw new BadInputException(file + ": empty file; an item table needs a header line with an itemID column");
    }
    int idCol = columns.indexOf("itemID");
    String[][] rows = new String[byLine.size()][];
    for (int k = 0; k < byLine.size(); k++) {
      String[] f = byLine.get(k);
      int id;
      try {
        id = Integer.parseInt(f[idCol].trim());
      } catch (NumberFormatException e) {
        throw new BadInputException(file + ": itemID '" + f[idCol] + "' in data row " + (k + 1) + " is not an integer; ids must be 0.." + (rows.length - 1));
      }
      if (id < 0 || id >= rows.length) {
        throw new BadInputException(file + ": itemID " + id + " in data row " + (k + 1) + " is outside 0.." + (rows.length - 1)
            + "; the table needs one row per item with dense ids");
      }
      if (rows[id] != null) {
        throw new BadInputException(file + ": itemID " + id + " appears twice (data row " + (k + 1) + "); one row per item");
      }
      rows[id] = f;
    }
    return new ItemTable(columns, rows);
  }

  static void escape(String s, StringBuilder b) {
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      switch (c) {
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\\' -> b.append("\\\\");
        default -> b.append(c);
      }
    }
  }

  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '\\' && k + 1 < s.length()) {
        char e = s.charAt(++k);
        switch (e) {
          case 't' -> b.append('\t');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case '\\' -> b.append('\\');
          default -> b.append('\\').append(e);
        }
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
