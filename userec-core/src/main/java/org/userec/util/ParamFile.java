package org.userec.util;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.userec.BadInputException;

/**
 * A small binary container for named float arrays plus string metadata: model parameters, optimizer state
 * and checkpoints. Written atomically; a CRC over the payload detects a damaged file.
 *
 * <p>Layout (big-endian): magic "USERECP1", meta count, (key, value) UTF pairs, array count, (name UTF,
 * length int, little-endian floats), CRC32 of everything before it.
 */
public final class ParamFile {
  private static final byte[] MAGIC = "USERECP1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** The contents of a file. */
  public record Contents(Map<String, String> meta, Map<String, float[]> arrays) {}

  private ParamFile() {}

  public static void write(Path file, Map<String, String> meta, Map<String, float[]> arrays) throws IOException {
    AtomicFiles.write(
        file,
        raw -> {
          CRC32 crc = new CRC32();
          DataOutputStream out = new DataOutputStream(new java.util.zip.CheckedOutputStream(raw, crc));
          out.write(MAGIC);
          out.writeInt(meta.size());
          for (Map.Entry<String, String> e : meta.entrySet()) {
            writeLongUtf(out, e.getKey());
            writeLongUtf(out, e.getValue());
          }
          out.writeInt(arrays.size());
          ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
          for (Map.Entry<String, float[]> e : arrays.entrySet()) {
            writeLongUtf(out, e.getKey());
            float[] a = e.getValue();
            out.writeInt(a.length);
            for (int i = 0; i < a.length; ) {
              buf.clear();
              int n = Math.min(a.length - i, buf.capacity() / 4);
              buf.asFloatBuffer().put(a, i, n);
              out.write(buf.array(), 0, n * 4);
              i += n;
            }
          }
          out.flush();
          long c = crc.getValue();
          new DataOutputStream(raw).writeLong(c);
        });
  }

  /**
   * Only the metadata (e.g. a checkpoint's trainer state), without keeping the arrays. The checksum, which
   * covers the whole file, is verified first: a damaged file is never trusted, even for its header.
   */
  public static Map<String, String> readMeta(Path file) {
    verify(file);
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      DataInputStream in = new DataInputStream(raw);
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      Map<String, String> meta = new LinkedHashMap<>();
      int nm = in.readInt();
      for (int k = 0; k < nm; k++) {
        meta.put(readLongUtf(in), readLongUtf(in));
      }
      return meta;
    } catch (EOFException e) {
      throw new BadInputException(file + ": truncated; the file is incomplete" + REMEDY);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** What to do about a damaged parameter file. */
  private static final String REMEDY = "; restore it from a copy, or delete it (a checkpoint: the run restarts from scratch on --resume)";

  /**
   * Checks the magic and the CRC over the whole file (streamed, nothing kept), so a truncated or corrupted file
   * is a one-line error naming it.
   */
  public static void verify(Path file) {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      long size = Files.size(file);
      if (size < MAGIC.length + 8 + 8) {
        if (size >= MAGIC.length) {
          byte[] magic = raw.readNBytes(MAGIC.length);
          if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new BadInputException(file + ": not a userec parameter file (bad magic); point to a .params or checkpoint file");
          }
        }
        throw new BadInputException(file + ": truncated; the file is incomplete" + REMEDY);
      }
      CRC32 crc = new CRC32();
      byte[] buf = new byte[1 << 16];
      long left = size - 8;
      boolean first = true;
      while (left > 0) {
        int n = raw.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new EOFException();
        }
        if (first) {
          first = false;
          if (n < MAGIC.length || !java.util.Arrays.equals(java.util.Arrays.copyOf(buf, MAGIC.length), MAGIC)) {
            throw new BadInputException(file + ": not a userec parameter file (bad magic); point to a .params or checkpoint file");
          }
        }
        crc.update(buf, 0, n);
        left -= n;
      }
      long stored = new DataInputStream(raw).readLong();
      if (stored != crc.getValue()) {
        throw new BadInputException(file + ": damaged (checksum mismatch); the file is corrupt or was truncated" + REMEDY);
      }
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file; check the path");
    } catch (EOFException e) {
      throw new BadInputException(file + ": truncated; the file is incomplete" + REMEDY);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  public static Contents read(Path file) {
    verify(file); // before any length in the file is trusted for an allocation
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      CRC32 crc = new CRC32();
      DataInputStream in = new DataInputStream(new java.util.zip.CheckedInputStream(raw, crc));
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new BadInputException(file + ": not a userec parameter file (bad magic); point to a .params or checkpoint file");
      }
      Map<String, String> meta = new LinkedHashMap<>();
      int nm = in.readInt();
      for (int k = 0; k < nm; k++) {
        meta.put(readLongUtf(in), readLongUtf(in));
      }
      Map<String, float[]> arrays = new LinkedHashMap<>();
      int na = in.readInt();
      byte[] bytes = new byte[1 << 16];
      for (int k = 0; k < na; k++) {
        String name = readLongUtf(in);
        int len = in.readInt();
        if (len < 0) {
          throw new BadInputException(file + ": damaged (negative array length); the file is corrupt");
        }
        float[] a = new float[len];
        for (int i = 0; i < len; ) {
          int n = Math.min(len - i, bytes.length / 4);
          in.readFully(bytes, 0, n * 4);
          ByteBuffer.wrap(bytes, 0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a, i, n);
          i += n;
        }
        arrays.put(name, a);
      }
      long expected = crc.getValue();
      long stored = new DataInputStream(raw).readLong();
      if (stored != expected) {
        throw new BadInputException(file + ": damaged (checksum mismatch); the file is corrupt or was truncated" + REMEDY);
      }
      return new Contents(meta, arrays);
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file; check the path");
    } catch (EOFException e) {
      throw new BadInputException(file + ": truncated; the file is incomplete" + REMEDY);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static void writeLongUtf(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readLongUtf(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (1 << 28)) {
      throw new IOException("bad string length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }
}
