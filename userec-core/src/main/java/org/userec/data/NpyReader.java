package org.userec.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.userec.BadInputException;

/**
 * Reads 2-D floating-point arrays in NumPy's {@code .npy} format into float32 {@link FeatureTable}s.
 *
 * <p>Format as NumPy defines it ({@code numpy/lib/format.py}, NEP 1): the magic {@code \x93NUMPY}, a major
 * and minor version byte, the header length (2 bytes little-endian for version 1.0, 4 bytes for 2.0 and
 * 3.0), then a Python dict literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (r, c), }}
 * (latin-1 for 1.0/2.0, UTF-8 for 3.0), then the raw values.
 *
 * <p>Supported: dtypes float16, float32 and float64 in either byte order ({@code <}, {@code >}; {@code =}
 * and {@code |} are read as little-endian, which is what every platform NumPy writes them on means), C
 * order, two dimensions. Values are converted to float32 (float64 rounds to nearest, like {@code
 * arr.astype(np.float32)}). The data are streamed through a small buffer, so a 2 GB float64 file needs only
 * its 1 GB float32 result in memory. Every problem is a one-line {@link BadInputException} naming the file,
 * what is wrong and how to fix it; NaN and infinite values are rejected with the first offending row and
 * column.
 */
public final class NpyReader {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int CHUNK_BYTES = 1 << 20; // a multiple of every item size
  private static final int MAX_VALUES = Integer.MAX_VALUE - 8; // the largest Java array
  private static final String SUPPORTED = "<f2 (float16), <f4 (float32), <f8 (float64), or their big-endian '>' forms";

  private NpyReader() {}

  /** Element types this reader converts to float32. */
  public enum Dtype {
    FLOAT16(2),
    FLOAT32(4),
    FLOAT64(8);

    final int bytes;

    Dtype(int bytes) {
      this.bytes = bytes;
    }
  }

  /**
   * The parsed header of a supported file: version, the dtype as written ({@code descr}), its element type
   * and byte order, the 2-D shape, and where the data start.
   */
  public record Header(int majorVersion, int minorVersion, String descr, Dtype dtype, ByteOrder order, int rows, int cols, long dataOffset) {
    /** Bytes of data the header promises. */
    public long dataBytes() {
      return (long) rows * cols * dtype.bytes;
    }
  }

  /** Reads {@code file} as a feature table named after the file (without {@code .npy}). */
  public static FeatureTable read(Path file) {
    String base = file.getFileName().toString();
    return read(file, base.endsWith(".npy") ? base.substring(0, base.length() - 4) : base);
  }

  /** Reads {@code file} as the feature table of modality {@code name}. */
  public static FeatureTable read(Path file, String name) {
    try (FileChannel ch = open(file)) {
      long size = ch.size();
      Header h = parseHeader(file, ch, size);
      checkSize(file, h, size);
      float[] out = new float[h.rows() * h.cols()];
      readData(file, ch, h, out);
      return new FeatureTable(name, h.rows(), h.cols(), out);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads and checks only the header, and that the file's size matches it: a cheap way to learn a file's shape
   * and dtype (a header that claims more rows than the file holds is reported as truncated, not as a shape).
   */
  public static Header readHeader(Path file) {
    try (FileChannel ch = open(file)) {
      Header h = parseHeader(file, ch, ch.size());
      checkSize(file, h, ch.size());
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
    }
  }

  private static void checkSize(Path file, Header h, long size) {
    long available = size - h.dataOffset();
    if (available < h.dataBytes()) {
      throw bad(file, String.format(Locale.ROOT,
          "truncated: the header promises %dx%d %s = %d bytes of data but only %d follow it; the file was cut short, copy or save it again",
          h.rows(), h.cols(), h.descr(), h.dataBytes(), available));
    }
    if (available > h.dataBytes()) {
      throw bad(file, String.format(Locale.ROOT,
          "%d bytes follow the %dx%d %s data that the header does not account for; the file is damaged or its header wrong, save it again with np.save",
          available - h.dataBytes(), h.rows(), h.cols(), h.descr()));
    }
  }

  /**
   * IEEE 754 binary16 to binary32, exact for every input (Java 17 has no {@code Float.float16ToFloat}).
   * NaN payloads are kept in the high mantissa bits.
   */
  public static float halfToFloat(short half) {
    int bits = half & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // zero or subnormal: mant * 2^-24, exact in float32
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + (127 - 15)) << 23) | (mant << 13));
  }

  // ---------------------------------------------------------------------------------------------------------
  // header

  private static FileChannel open(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw bad(file, "is a folder, not an .npy file; point the feature file setting at the .npy inside it");
    }
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw bad(file, "file not found; check the path and the feature file setting");
    } catch (AccessDeniedException e) {
      throw bad(file, "permission denied; make the file readable (chmod a+r)");
    }
  }

  private static Header parseHeader(Path file, FileChannel ch, long size) throws IOException {
    ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, pre, 0);
    pre.flip();
    int got = pre.remaining();
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= got || pre.get(i) != MAGIC[i]) {
        throw bad(file, "not an .npy file (" + describeStart(pre, got) + "); save the array with numpy.save(path, arr)");
      }
    }
    if (got < 10) {
      throw bad(file, "truncated: the file ends inside the .npy preamble (" + size + " bytes); copy or save it again");
    }
    int major = pre.get(6) & 0xff;
    int minor = pre.get(7) & 0xff;
    if (minor != 0 || major < 1 || major > 3) {
      throw bad(file, "unsupported .npy format version " + major + "." + minor
          + " (supported: 1.0, 2.0, 3.0); save it again with numpy.save, or np.lib.format.write_array(f, arr, version=(1, 0))");
    }
    long headerLen;
    int lenBytes;
    if (major == 1) {
      headerLen = pre.getShort(8) & 0xffff;
      lenBytes = 2;
    } else {
      if (got < 12) {
        throw bad(file, "truncated: the file ends inside the .npy preamble (" + size + " bytes); copy or save it again");
      }
      headerLen = pre.getInt(8) & 0xffffffffL;
      lenBytes = 4;
    }
    long dataOffset = 8 + lenBytes + headerLen;
    if (dataOffset > size) {
      throw bad(file, "truncated: the header claims " + headerLen + " bytes but the file has only " + size + " in all; copy or save it again");
    }
    if (headerLen > (1 << 24)) {
      throw bad(file, "header length " + headerLen + " is implausible; the file is damaged, save it again with numpy.save");
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    readFully(ch, hb, 8 + lenBytes);
    String text = new String(hb.array(), 0, hb.position(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Map<String, Object> dict = HeaderParser.parse(file, text);

    Object descrObj = require(file, dict, "descr");
    Object fortranObj = require(file, dict, "fortran_order");
    Object shapeObj = require(file, dict, "shape");

    if (!(descrObj instanceof String)) {
      throw bad(file, "unsupported dtype " + HeaderParser.show(descrObj) + " (a structured/record dtype); supported: " + SUPPORTED
          + "; save a plain float array, e.g. np.save(path, arr.astype(np.float32))");
    }
    String descr = (String) descrObj;
    Dtype dtype;
    ByteOrder order;
    if (descr.length() == 3 && descr.charAt(1) == 'f' && "<>=|".indexOf(descr.charAt(0)) >= 0 && "248".indexOf(descr.charAt(2)) >= 0) {
      dtype = switch (descr.charAt(2)) {
        case '2' -> Dtype.FLOAT16;
        case '4' -> Dtype.FLOAT32;
        default -> Dtype.FLOAT64;
      };
      order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    } else {
      throw bad(file, "unsupported dtype '" + descr + "'" + dtypeName(descr) + "; supported: " + SUPPORTED
          + "; convert with np.save(path, arr.astype(np.float32))");
    }
    if (!(fortranObj instanceof Boolean)) {
      throw bad(file, "header has fortran_order " + HeaderParser.show(fortranObj) + ", expected True or False; save it again with numpy.save");
    }
    if ((Boolean) fortranObj) {
      throw bad(file, "array is in Fortran (column-major) order, rows must be contiguous; re-save with np.save(path, np.ascontiguousarray(arr))");
    }
    if (!(shapeObj instanceof List<?>) || !((List<?>) shapeObj).stream().allMatch(o -> o instanceof Long)) {
      throw bad(file, "header has shape " + HeaderParser.show(shapeObj) + ", expected a tuple of integers; save it again with numpy.save");
    }
    List<?> shape = (List<?>) shapeObj;
    if (shape.size() != 2) {
      throw bad(file, "array is " + shape.size() + "-D with shape " + HeaderParser.show(shapeObj)
          + ", features must be 2-D (items x features); re-save with np.save(path, arr.reshape(n_items, -1))");
    }
    long rows = (Long) shape.get(0);
    long cols = (Long) shape.get(1);
    if (rows < 0 || cols < 0) {
      throw bad(file, "header has negative shape " + HeaderParser.show(shapeObj) + "; the file is damaged, save it again with numpy.save");
    }
    if (cols == 0) {
      throw bad(file, "array has shape " + rows + "x0: no feature values (0 columns); a feature file needs at least one column per item"
          + ": save the real features with np.save");
    }
    if (rows * cols > MAX_VALUES || rows > MAX_VALUES || cols > MAX_VALUES) {
      throw bad(file, "shape " + rows + "x" + cols + " has more values than one Java array holds (" + MAX_VALUES
          + "); reduce the feature dimension first (e.g. PCA)");
    }
    return new Header(major, minor, descr, dtype, order, (int) rows, (int) cols, dataOffset);
  }

  private static Object require(Path file, Map<String, Object> dict, String key) {
    Object v = dict.get(key);
    if (v == null) {
      throw bad(file, "the .npy header has no '" + key + "' (keys: " + dict.keySet() + "); save it again with numpy.save");
    }
    return v;
  }

  private static String dtypeName(String descr) {
    if (descr.isEmpty()) {
      return "";
    }
    String core = "<>=|".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
    String name = switch (core) {
      case "f16", "f12" -> "long double";
      case "i1" -> "int8";
      case "i2" -> "int16";
      case "i4" -> "int32";
      case "i8" -> "int64";
      case "u1" -> "uint8";
      case "u2" -> "uint16";
      case "u4" -> "uint32";
      case "u8" -> "uint64";
      case "c8" -> "complex64";
      case "c16" -> "complex128";
      case "b1" -> "bool";
      case "O" -> "Python objects";
      default -> core.startsWith("U") || core.startsWith("S") ? "strings" : null;
    };
    return name == null ? "" : " (" + name + ")";
  }

  private static String describeStart(ByteBuffer pre, int got) {
    if (got == 0) {
      return "the file is empty";
    }
    if (got >= 2 && pre.get(0) == 'P' && pre.get(1) == 'K') {
      return "it is a zip archive, probably an .npz: extract the array with np.load(path)[key]";
    }
    boolean text = true;
    for (int i = 0; i < got; i++) {
      int b = pre.get(i) & 0xff;
      if (b < 0x09 || (b > 0x0d && b < 0x20) || b > 0x7e) {
        text = false;
      }
    }
    if (text) {
      StringBuilder sb = new StringBuilder("it starts with text '");
      for (int i = 0; i < Math.min(got, 8); i++) {
        char c = (char) pre.get(i);
        sb.append(c < 0x20 ? ' ' : c);
      }
      return sb.append("...', perhaps CSV or a pickle: load it in Python").toString();
    }
    return "the first bytes are not \\x93NUMPY";
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        return;
      }
      pos += n;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // data

  private static void readData(Path file, FileChannel ch, Header h, float[] out) throws IOException {
    int item = h.dtype().bytes;
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES).order(h.order());
    long pos = h.dataOffset();
    long remaining = h.dataBytes();
    int off = 0;
    double[] doubles = h.dtype() == Dtype.FLOAT64 ? new double[CHUNK_BYTES / 8] : null;
    short[] halves = h.dtype() == Dtype.FLOAT16 ? new short[CHUNK_BYTES / 2] : null;
    while (remaining > 0) {
      int want = (int) Math.min(CHUNK_BYTES, remaining);
      buf.clear().limit(want);
      readFully(ch, buf, pos);
      if (buf.hasRemaining()) {
        throw bad(file, "truncated: the file ended while reading its data (it shrank while being read?); copy or save it again");
      }
      buf.flip();
      int n = want / item;
      switch (h.dtype()) {
        case FLOAT32 -> {
          FloatBuffer fb = buf.asFloatBuffer();
          fb.get(out, off, n);
          for (int i = off, end = off + n; i < end; i++) {
            if (!Float.isFinite(out[i])) {
              throw nonFinite(file, h, i, Float.toString(out[i]));
            }
          }
        }
        case FLOAT64 -> {
          DoubleBuffer db = buf.asDoubleBuffer();
          db.get(doubles, 0, n);
          for (int i = 0; i < n; i++) {
            double d = doubles[i];
            float f = (float) d;
            if (!Float.isFinite(f)) {
              if (!Double.isFinite(d)) {
                throw nonFinite(file, h, off + i, Double.toString(d));
              }
              int r = (off + i) / h.cols();
              int c = (off + i) % h.cols();
              throw bad(file, "row " + r + ", column " + c + " holds " + d + ", which overflows float32 (max "
                  + Float.MAX_VALUE + "); scale the features down before saving");
            }
            out[off + i] = f;
          }
        }
        case FLOAT16 -> {
          ShortBuffer sb = buf.asShortBuffer();
          sb.get(halves, 0, n);
          for (int i = 0; i < n; i++) {
            short s = halves[i];
            if ((s & 0x7c00) == 0x7c00) {
              throw nonFinite(file, h, off + i, Float.toString(halfToFloat(s)));
            }
            out[off + i] = halfToFloat(s);
          }
        }
        default -> throw new AssertionError(h.dtype());
      }
      off += n;
      pos += want;
      remaining -= want;
    }
  }

  private static BadInputException nonFinite(Path file, Header h, int index, String value) {
    int r = index / h.cols();
    int c = index % h.cols();
    return bad(file, "row " + r + ", column " + c + " is " + value + " (the first non-finite value; rows are items)"
        + "; features must be finite: fix them upstream or save np.nan_to_num(arr)");
  }

  private static BadInputException bad(Path file, String what) {
    return new BadInputException(file + ": " + what);
  }

  // ---------------------------------------------------------------------------------------------------------

  /**
   * Parses the Python literal NumPy writes as the header: a dict of string keys whose values are strings,
   * booleans, integers, or tuples/lists of them (a structured dtype's descr is a list of tuples).
   */
  private static final class HeaderParser {
    private final Path file;
    private final String s;
    private int p;

    private HeaderParser(Path file, String s) {
      this.file = file;
      this.s = s;
    }

    static Map<String, Object> parse(Path file, String text) {
      HeaderParser hp = new HeaderParser(file, text);
      hp.ws();
      Object v = hp.value();
      if (!(v instanceof Map<?, ?>)) {
        throw hp.fail("expected a dict");
      }
      hp.ws();
      if (hp.p != text.length()) {
        throw hp.fail("unexpected text after the dict");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) v;
      return m;
    }

    private Object value() {
      ws();
      if (p >= s.length()) {
        throw fail("the header ends early");
      }
      char c = s.charAt(p);
      if (c == '{') {
        p++;
        Map<String, Object> m = new LinkedHashMap<>();
        while (true) {
          ws();
          if (peek() == '}') {
            p++;
            return m;
          }
          Object k = value();
          if (!(k instanceof String)) {
            throw fail("dict keys must be strings");
          }
          ws();
          expect(':');
          m.put((String) k, value());
          ws();
          if (peek() == ',') {
            p++;
          } else if (peek() != '}') {
            throw fail("expected ',' or '}'");
          }
        }
      }
      if (c == '(' || c == '[') {
        char close = c == '(' ? ')' : ']';
        p++;
        List<Object> list = new ArrayList<>();
        while (true) {
          ws();
          if (peek() == close) {
            p++;
            return list;
          }
          list.add(value());
          ws();
          if (peek() == ',') {
            p++;
          } else if (peek() != close) {
            throw fail("expected ',' or '" + close + "'");
          }
        }
      }
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, p + 1);
        if (end < 0) {
          throw fail("unterminated string");
        }
        String str = s.substring(p + 1, end);
        p = end + 1;
        return str;
      }
      if (s.startsWith("True", p)) {
        p += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", p)) {
        p += 5;
        return Boolean.FALSE;
      }
      int start = p;
      if (c == '-') {
        p++;
      }
      while (p < s.length() && Character.isDigit(s.charAt(p))) {
        p++;
      }
      if (p < s.length() && s.charAt(p) == 'L') { // Python 2 long literal
        p++;
      }
      String num = s.substring(start, p).replace("L", "");
      if (num.isEmpty() || num.equals("-")) {
        throw fail("unexpected '" + c + "'");
      }
      try {
        return Long.parseLong(num);
      } catch (NumberFormatException e) {
        throw fail("number " + num + " out of range");
      }
    }

    private char peek() {
      if (p >= s.length()) {
        throw fail("the header ends early");
      }
      return s.charAt(p);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw fail("expected '" + c + "'");
      }
      p++;
    }

    private void ws() {
      while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
        p++;
      }
    }

    private BadInputException fail(String what) {
      String snippet = s.strip();
      if (snippet.length() > 80) {
        snippet = snippet.substring(0, 80) + "...";
      }
      return bad(file, "cannot parse the .npy header at character " + p + " (" + what + "): " + snippet.replace('\n', ' ')
          + "; save the array again with numpy.save");
    }

    static String show(Object o) {
      if (o instanceof List<?> l) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < l.size(); i++) {
          sb.append(i == 0 ? "" : ", ").append(show(l.get(i)));
        }
        return sb.append(l.size() == 1 ? ",)" : ")").toString();
      }
      if (o instanceof String str) {
        return "'" + str + "'";
      }
      if (o instanceof Boolean b) {
        return b ? "True" : "False";
      }
      return String.valueOf(o);
    }
  }
}
