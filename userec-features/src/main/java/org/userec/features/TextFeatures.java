package org.userec.features;

import org.userec.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.userec.data.NpyWriter;
import org.userec.data.raw.ItemMeta;
import org.userec.data.raw.ItemTable;

/**
 * Text features from an item table: one all-MiniLM-L6-v2 vector per item, rows in item id order, written as
 * float32 {@code text_feat.npy}.
 *
 * <p>The sentence is MMRec's recipe (its Amazon preprocessing notebook): {@code title + ' ' + brand + ' ' +
 * categories + ' ' + description}, each missing field written as {@code ' '}, the categories being the levels of
 * the item's first category path joined by spaces, newlines replaced by spaces. A table with none of brand,
 * categories and description (MicroLens: {@code itemID microlens_item title}) gives the title alone.
 */
public final class TextFeatures {
  private TextFeatures() {}

  /** Result: rows × 384 floats, and the timing. */
  public record Result(int rows, int cols, float[] data, double seconds) {
    public double secondsPer1000() {
      return rows == 0 ? 0 : seconds * 1000.0 / rows;
    }
  }

  /** The sentence for item {@code i} of the table (MMRec's recipe, or the title for a title-only table). */
  public static String sentence(ItemTable table, int i) {
    boolean richer = table.has("brand") || table.has("categories") || table.has("description");
    if (!richer) {
      return table.get(i, "title").replace('\n', ' ').replace('\r', ' ');
    }
    ItemMeta m = table.meta(i);
    String cats = m.categories().isEmpty() ? "" : String.join(" ", m.categories().get(0));
    String s = or(m.title()) + ' ' + or(m.brand()) + ' ' + or(cats) + ' ' + or(m.description());
    return s.replace('\n', ' ').replace('\r', ' ');
  }

  private static String or(String s) {
    return s == null || s.isEmpty() ? " " : s;
  }

  /**
   * The sentence of item {@code i} under a template: {@code {column}} placeholders replaced by the item's
   * values (e.g. {@code "{title}. {description}"}); a null template is MMRec's recipe ({@link #sentence(ItemTable,
   * int)}).
   */
  public static String sentence(ItemTable table, int i, String template) {
    if (template == null) {
      return sentence(table, i);
    }
    java.util.regex.Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = table.get(i, m.group(1));
      m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(v == null ? "" : v));
    }
    m.appendTail(sb);
    return sb.toString().replace('\n', ' ').replace('\r', ' ').strip();
  }

  private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("\\{([^{}]+)}");

  /**
   * Every item's sentence, checked: the table has rows, the template's columns exist, and no item's text is
   * empty (every empty text would get one identical embedding) unless {@code allowEmpty}.
   */
  public static String[] sentences(Path items, ItemTable table, String template, boolean allowEmpty) {
    if (table.size() == 0) {
      throw new BadInputException(items + ": no item rows after the header; the table needs one row per item (itemID 0..n-1)");
    }
    if (template == null) {
      if (!table.has("title") && !table.has("description")) {
        throw new BadInputException(items + ": the item table has neither a 'title' nor a 'description' column (columns " + table.columns()
            + "); name the text with --column COLUMN or --template '{a} {b}'");
      }
    } else {
      java.util.regex.Matcher m = PLACEHOLDER.matcher(template);
      boolean any = false;
      while (m.find()) {
        any = true;
        if (!table.has(m.group(1))) {
          throw new BadInputException("--template " + template + ": " + items + " has no column '" + m.group(1) + "' (columns "
              + table.columns() + "); use one of them");
        }
      }
      if (!any) {
        throw new BadInputException("--template " + template + ": names no column; write columns in braces, e.g. '{title} {description}'");
      }
    }
    String[] out = new String[table.size()];
    int empty = 0;
    int firstEmpty = -1;
    for (int i = 0; i < out.length; i++) {
      out[i] = sentence(table, i, template);
      if (out[i].isBlank()) {
        empty++;
        firstEmpty = firstEmpty < 0 ? i : firstEmpty;
      }
    }
    if (empty > 0 && !allowEmpty) {
      throw new BadInputException(items + ": " + empty + " of " + out.length + " items have empty text (the first: itemID " + firstEmpty
          + ", data row " + (firstEmpty + 1) + "), and every empty text gets the same embedding; fill them, choose other columns with"
          + " --column/--template, or pass --allow-empty to encode them anyway");
    }
    return out;
  }

  /** Encodes every item of the table in batches and returns the matrix (no file written). */
  public static Result encode(ItemTable table, TextEncoder encoder, int batch, Progress progress) {
    if (!table.has("title") && !table.has("description")) {
      throw new org.userec.BadInputException("item table has neither a 'title' nor a 'description' column (columns " + table.columns()
          + "); the text recipe needs at least a title");
    }
    String[] sentences = new String[table.size()];
    for (int i = 0; i < sentences.length; i++) {
      sentences[i] = sentence(table, i);
    }
    return encode(sentences, encoder, batch, progress);
  }

  /** Encodes the sentences in batches and returns the matrix, rows in sentence order (no file written). */
  public static Result encode(String[] sentences, TextEncoder encoder, int batch, Progress progress) {
    long t0 = System.nanoTime();
    int n = sentences.length;
    int d = TextEncoder.DIMENSION;
    float[] out = new float[n * d];
    int b = Math.max(1, batch);
    // Batches of similar length waste less padding; rows go back to item order.
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> sentences[x].length() != sentences[y].length()
        ? Integer.compare(sentences[x].length(), sentences[y].length()) : Integer.compare(x, y));
    for (int start = 0; start < n; start += b) {
      int end = Math.min(n, start + b);
      List<String> texts = new ArrayList<>(end - start);
      for (int k = start; k < end; k++) {
        texts.add(sentences[order[k]]);
      }
      float[][] v = encoder.encode(texts);
      for (int k = 0; k < v.length; k++) {
        System.arraycopy(v[k], 0, out, order[start + k] * d, d);
      }
      progress.step(end - start);
    }
    return new Result(n, d, out, (System.nanoTime() - t0) / 1e9);
  }

  /** Reads the table, encodes it and writes {@code out} atomically; logs the rate. */
  public static Result run(Path items, Path out, int batch, int threads, Consumer<String> log) {
    return run(items, out, batch, threads, null, false, log);
  }

  /**
   * As {@link #run(Path, Path, int, int, Consumer)} with the text chosen by {@code template} ({@code {column}}
   * placeholders; null = MMRec's recipe); empty texts are an error unless {@code allowEmpty}.
   */
  public static Result run(Path items, Path out, int batch, int threads, String template, boolean allowEmpty, Consumer<String> log) {
    ItemTable table = ItemTable.read(items);
    log.accept(String.format(Locale.ROOT, "%s: %,d items, columns %s", items, table.size(), table.columns()));
    String[] sentences = sentences(items, table, template, allowEmpty); // checked before the encoder loads
    long tl = System.nanoTime();
    Result r;
    try (TextEncoder enc = TextEncoder.load(threads)) {
      log.accept(String.format(Locale.ROOT, "loaded all-MiniLM-L6-v2 in %.1fs", (System.nanoTime() - tl) / 1e9));
      try (Progress p = Progress.start("text features", table.size(), 0, log)) {
        r = encode(sentences, enc, batch, p);
      }
    }
    try {
      NpyWriter.writeFloat32(out, r.rows(), r.cols(), r.data());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
    }
    log.accept(String.format(Locale.ROOT, "wrote %s (%d x %d float32): %.1fs, %.2f s per 1,000 items", out, r.rows(), r.cols(), r.seconds(),
        r.secondsPer1000()));
    return r;
  }
}
