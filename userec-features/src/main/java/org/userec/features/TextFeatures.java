package org.userec.features;

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

  /** Encodes every item of the table in batches and returns the matrix (no file written). */
  public static Result encode(ItemTable table, TextEncoder encoder, int batch, Progress progress) {
    if (!table.has("title") && !table.has("description")) {
      throw new org.userec.BadInputException("item table has neither a 'title' nor a 'description' column (columns " + table.columns()
          + "); the text recipe needs at least a title");
    }
    long t0 = System.nanoTime();
    int n = table.size();
    int d = TextEncoder.DIMENSION;
    float[] out = new float[n * d];
    int b = Math.max(1, batch);
    // Batches of similar length waste less padding; rows go back to item order.
    String[] sentences = new String[n];
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      sentences[i] = sentence(table, i);
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
    ItemTable table = ItemTable.read(items);
    log.accept(String.format(Locale.ROOT, "%s: %,d items, columns %s", items, table.size(), table.columns()));
    long tl = System.nanoTime();
    Result r;
    try (TextEncoder enc = TextEncoder.load(threads)) {
      log.accept(String.format(Locale.ROOT, "loaded all-MiniLM-L6-v2 in %.1fs", (System.nanoTime() - tl) / 1e9));
      try (Progress p = Progress.start("text features", table.size(), 0, log)) {
        r = encode(table, enc, batch, p);
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
