package org.userec.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.userec.util.AtomicFiles;

/** Writes 2-D little-endian float32 C-order arrays in NumPy's .npy format (version 1.0), atomically. */
public final class NpyWriter {
  private NpyWriter() {}

  public static void writeFloat32(Path file, int rows, int cols, float[] data) throws IOException {
    if ((long) rows * cols != data.length) {
      throw new IllegalArgumentException("shape " + rows + "x" + cols + " does not match " + data.length + " values");
    }
    AtomicFiles.write(file, out -> write(out, rows, cols, data));
  }

  /** Writes the .npy bytes to a stream. */
  public static void write(OutputStream out, int rows, int cols, float[] data) throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    int base = 10 + dict.length() + 1; // magic(6)+version(2)+len(2) + dict + '\n'
    int pad = (64 - base % 64) % 64;
    StringBuilder header = new StringBuilder(dict);
    header.append(" ".repeat(pad)).append('\n');
    byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    pre.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
    pre.putShort((short) h.length);
    out.write(pre.array());
    out.write(h);
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : data) {
      if (!buf.hasRemaining()) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      buf.putFloat(v);
    }
    out.write(buf.array(), 0, buf.position());
  }

}
