package org.userec.features;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.zip.CRC32;
import org.userec.BadInputException;

/**
 * An append-only file of finished item vectors, so a long extraction survives a crash or Ctrl-C and loses at
 * most the items in flight.
 *
 * <p>Layout (little-endian): magic {@code "UERCACH1"}, int key length, the key (UTF-8: model and prompt
 * version, so a cache is never reused for another model), then records {@code int item, int dim,
 * float[dim], int crc32} where the CRC covers item, dim and the floats. On open every record is checked; the
 * first short or failing record and everything after it (a write torn by a crash) is cut off, and appends
 * continue from there. A later record for the same item replaces an earlier one.
 */
public final class EmbeddingCache implements AutoCloseable {
  private static final byte[] MAGIC = "UERCACH1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_DIM = 1 << 20;

  private final Path file;
  private final FileChannel ch;
  private final BitSet done = new BitSet();
  private final boolean sync;
  private int dim;
  private long tornBytes;
  private int records;

  private EmbeddingCache(Path file, FileChannel ch, boolean sync) {
    this.file = file;
    this.ch = ch;
    this.sync = sync;
  }

  /**
   * Opens (or creates) the cache. A cache made under another key is an error naming both keys.
   *
   * @param sync force each record to disk (survives power loss, not only a killed process)
   */
  public static EmbeddingCache open(Path file, String key, boolean sync) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    EmbeddingCache c = new EmbeddingCache(file, ch, sync);
    try {
      c.load(key);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return c;
  }

  private void load(String key) throws IOException {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    long size = ch.size();
    int headerLen = MAGIC.length + 4 + k.length;
    if (size < headerLen) { // new, or torn while writing the header
      ch.truncate(0);
      ByteBuffer h = ByteBuffer.allocate(headerLen).order(ByteOrder.LITTLE_ENDIAN);
      h.put(MAGIC).putInt(k.length).put(k).flip();
      writeFully(h, 0);
      ch.force(true);
      ch.position(headerLen);
      return;
    }
    ByteBuffer h = read(0, MAGIC.length + 4);
    byte[] magic = new byte[MAGIC.length];
    h.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new BadInputException(file + ": not an embedding cache (bad magic); give another --cache path or delete the file");
    }
    int len = h.getInt();
    if (len < 0 || len > 1 << 16 || MAGIC.length + 4L + len > size) {
      throw new BadInputException(file + ": damaged cache header; delete the file to start over");
    }
    ByteBuffer kb = read(MAGIC.length + 4, len);
    String have = StandardCharsets.UTF_8.decode(kb).toString();
    if (!have.equals(key)) {
      throw new BadInputException(file + ": this cache was made for [" + have + "], not [" + key
          + "]; use another --cache file, or delete it to start over");
    }
    long pos = MAGIC.length + 4L + len;
    CRC32 crc = new CRC32();
    while (pos < size) {
      if (size - pos < 8) {
        break;
      }
      ByteBuffer rh = read(pos, 8);
      int item = rh.getInt();
      int d = rh.getInt();
      if (item < 0 || d <= 0 || d > MAX_DIM || (dim != 0 && d != dim) || size - pos < 8L + 4L * d + 4) {
        break;
      }
      ByteBuffer body = read(pos, 8 + 4 * d + 4);
      crc.reset();
      crc.update(body.array(), 0, 8 + 4 * d);
      int stored = body.getInt(8 + 4 * d);
      if (stored != (int) crc.getValue()) {
        break;
      }
      dim = d;
      done.set(item);
      records++;
      pos += 8 + 4L * d + 4;
    }
    tornBytes = size - pos;
    if (tornBytes > 0) {
      ch.truncate(pos);
      ch.force(true);
    }
    ch.position(pos);
  }

  /** Items with a vector. */
  public synchronized BitSet done() {
    return (BitSet) done.clone();
  }

  public synchronized boolean has(int item) {
    return done.get(item);
  }

  /** The vectors' length (0 while empty). */
  public synchronized int dim() {
    return dim;
  }

  /** Bytes cut off the end at open (a torn last record). */
  public long tornBytes() {
    return tornBytes;
  }

  /** Records read at open. */
  public int records() {
    return records;
  }

  public Path file() {
    return file;
  }

  /** Appends one finished item. A vector of another length than the cache's is an error. */
  public synchronized void append(int item, float[] v) throws IOException {
    if (dim != 0 && v.length != dim) {
      throw new IOException("item " + item + ": the backend returned " + v.length + " values, earlier items had " + dim
          + "; the server's model or pooling changed mid-run");
    }
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * v.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(item).putInt(v.length);
    for (float x : v) {
      b.putFloat(x);
    }
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    b.flip();
    while (b.hasRemaining()) {
      ch.write(b);
    }
    if (sync) {
      ch.force(false);
    }
    dim = v.length;
    done.set(item);
  }

  /** Every item 0..n-1's vector, row-major; an item without one is an error. */
  public synchronized float[] readAll(int n) throws IOException {
    if (done.nextClearBit(0) < n) {
      throw new IllegalStateException("item " + done.nextClearBit(0) + " has no vector in " + file);
    }
    float[] out = new float[Math.multiplyExact(n, dim)];
    long pos = headerEnd();
    long end = ch.size();
    while (pos < end) {
      ByteBuffer rh = read(pos, 8);
      int item = rh.getInt();
      int d = rh.getInt();
      if (item < n) {
        ByteBuffer body = read(pos + 8, 4 * d);
        body.asFloatBuffer().get(out, item * d, d);
      }
      pos += 8 + 4L * d + 4;
    }
    return out;
  }

  private long headerEnd() throws IOException {
    return MAGIC.length + 4L + read(MAGIC.length, 4).getInt();
  }

  private ByteBuffer read(long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new IOException(file + ": unexpected end at byte " + (pos + b.position()));
      }
    }
    b.flip();
    return b;
  }

  private void writeFully(ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    ch.close();
  }
}
