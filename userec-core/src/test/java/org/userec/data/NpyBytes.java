package org.userec.data;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds .npy files byte by byte, the way NumPy's format.py lays them out, for tests. */
final class NpyBytes {
  private NpyBytes() {}

  /** A standard 2-D header dict. */
  static String dict(String descr, boolean fortran, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
  }

  /** Magic, version, header length (2 bytes for 1.x, 4 for 2.x/3.x), padded header, then data. */
  static byte[] file(int major, int minor, String dict, byte[] data) {
    int lenBytes = major == 1 ? 2 : 4;
    byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int base = 8 + lenBytes + text.length + 1;
    int pad = (64 - base % 64) % 64;
    ByteBuffer b = ByteBuffer.allocate(base + pad + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) major).put((byte) minor);
    int headerLen = text.length + pad + 1;
    if (lenBytes == 2) {
      b.putShort((short) headerLen);
    } else {
      b.putInt(headerLen);
    }
    b.put(text);
    for (int i = 0; i < pad; i++) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    b.put(data);
    return b.array();
  }

  static byte[] f4(ByteOrder order, float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(order);
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  static byte[] f8(ByteOrder order, double... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(order);
    for (double x : v) {
      b.putDouble(x);
    }
    return b.array();
  }

  static byte[] f2(ByteOrder order, int... halfBits) {
    ByteBuffer b = ByteBuffer.allocate(halfBits.length * 2).order(order);
    for (int h : halfBits) {
      b.putShort((short) h);
    }
    return b.array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
