package org.userec.data;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;

class NpyReaderTest {
  @TempDir Path dir;

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertBad(Path file, Runnable r) {
    return assertThatThrownBy(r::run)
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageNotContaining("\n")
        .hasMessageContaining("; ");
  }

  // ------------------------------------------------------------------------------------------- round trips

  @Test
  void roundTripsNpyWriterAcrossAwkwardShapes() throws IOException {
    SplittableRandom rng = new SplittableRandom(7);
    int[][] shapes = {{1, 1}, {3, 7}, {17, 65}, {0, 4}, {4099, 1}, {600, 1000}}; // last spans several read chunks
    for (int[] s : shapes) {
      float[] data = new float[s[0] * s[1]];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) rng.nextGaussian() * 100;
      }
      Path p = dir.resolve("rt_" + s[0] + "x" + s[1] + ".npy");
      NpyWriter.writeFloat32(p, s[0], s[1], data);
      FeatureTable t = NpyReader.read(p);
      assertThat(t.name()).isEqualTo("rt_" + s[0] + "x" + s[1]);
      assertThat(t.rows()).isEqualTo(s[0]);
      assertThat(t.cols()).isEqualTo(s[1]);
      assertThat(Arrays.equals(t.data(), data)).as("data equal").isTrue();
    }
  }

  @Test
  void readsHeaderOnly() throws IOException {
    Path p = dir.resolve("h.npy");
    NpyWriter.writeFloat32(p, 3, 2, new float[6]);
    NpyReader.Header h = NpyReader.readHeader(p);
    assertThat(h.majorVersion()).isEqualTo(1);
    assertThat(h.descr()).isEqualTo("<f4");
    assertThat(h.dtype()).isEqualTo(NpyReader.Dtype.FLOAT32);
    assertThat(h.rows()).isEqualTo(3);
    assertThat(h.cols()).isEqualTo(2);
    assertThat(h.dataOffset() % 64).isZero();
    assertThat(h.dataBytes()).isEqualTo(24);
  }

  // ------------------------------------------------------------------------------------------- dtypes

  @Test
  void readsFloat64RoundingToNearestFloat32() throws IOException {
    double[] v = {0.1, -1e-3, 1.0 / 3, 3e38, -2.5, 1e-50};
    Path p = write("f8.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f8", false, "(2, 3)"), NpyBytes.f8(LITTLE_ENDIAN, v)));
    FeatureTable t = NpyReader.read(p, "image");
    assertThat(t.name()).isEqualTo("image");
    assertThat(t.rows()).isEqualTo(2);
    assertThat(t.cols()).isEqualTo(3);
    float[] expected = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      expected[i] = (float) v[i];
    }
    assertThat(t.data()).containsExactly(expected);
  }

  @Test
  void readsFloat64AcrossChunkBoundaries() throws IOException {
    int rows = 301;
    int cols = 503; // 1.2 MB of float64: crosses the 1 MiB read buffer at an odd element
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5 - 1000;
    }
    Path p = write("big8.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f8", false, "(301, 503)"), NpyBytes.f8(LITTLE_ENDIAN, v)));
    float[] got = NpyReader.read(p).data();
    for (int i = 0; i < v.length; i++) {
      if (got[i] != (float) v[i]) {
        throw new AssertionError("index " + i + ": " + got[i] + " != " + v[i]);
      }
    }
  }

  @Test
  void readsFloat16() throws IOException {
    int[] bits = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x3555, 0x0400, 0x03ff};
    float[] expected = {1f, -2f, 65504f, 0x1p-24f, -0f, 0.333251953125f, 0x1p-14f, 1023 * 0x1p-24f};
    Path p = write("f2.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f2", false, "(4, 2)"), NpyBytes.f2(LITTLE_ENDIAN, bits)));
    float[] got = NpyReader.read(p).data();
    assertThat(got).containsExactly(expected);
    assertThat(Float.floatToRawIntBits(got[4])).isEqualTo(0x80000000); // negative zero keeps its sign
  }

  @Test
  void halfToFloatIsExactForEveryBitPattern() {
    for (int h = 0; h < 0x10000; h++) {
      float got = NpyReader.halfToFloat((short) h);
      int sign = (h & 0x8000) != 0 ? -1 : 1;
      int exp = (h >>> 10) & 0x1f;
      int mant = h & 0x3ff;
      if (exp == 0x1f) {
        assertThat(mant == 0 ? Float.isInfinite(got) : Float.isNaN(got)).as("bits %04x", h).isTrue();
        continue;
      }
      double expected = exp == 0 ? sign * mant * Math.pow(2, -24) : sign * (1 + mant / 1024.0) * Math.pow(2, exp - 15);
      if (got != (float) expected || (expected == 0 && Math.copySign(1, got) != sign)) {
        throw new AssertionError(String.format("bits %04x: got %s expected %s", h, got, expected));
      }
    }
  }

  @Test
  void readsBigEndianAndNativeOrders() throws IOException {
    float[] v = {1.5f, -2.25f, 1e-7f, 123456.78f};
    Path be = write("be.npy", NpyBytes.file(1, 0, NpyBytes.dict(">f4", false, "(2, 2)"), NpyBytes.f4(BIG_ENDIAN, v)));
    assertThat(NpyReader.read(be).data()).containsExactly(v);
    Path be8 = write("be8.npy", NpyBytes.file(1, 0, NpyBytes.dict(">f8", false, "(1, 4)"), NpyBytes.f8(BIG_ENDIAN, 1.5, -2.25, 1e-7, 123456.78)));
    assertThat(NpyReader.read(be8).data()).containsExactly(v);
    Path be2 = write("be2.npy", NpyBytes.file(1, 0, NpyBytes.dict(">f2", false, "(1, 2)"), NpyBytes.f2(BIG_ENDIAN, 0x3c00, 0xc000)));
    assertThat(NpyReader.read(be2).data()).containsExactly(1f, -2f);
    Path nat = write("nat.npy", NpyBytes.file(1, 0, NpyBytes.dict("=f4", false, "(2, 2)"), NpyBytes.f4(LITTLE_ENDIAN, v)));
    assertThat(NpyReader.read(nat).data()).containsExactly(v);
    Path bar = write("bar.npy", NpyBytes.file(1, 0, NpyBytes.dict("|f4", false, "(2, 2)"), NpyBytes.f4(LITTLE_ENDIAN, v)));
    assertThat(NpyReader.read(bar).data()).containsExactly(v);
  }

  // ------------------------------------------------------------------------------------------- versions

  @Test
  void readsVersion2And3Headers() throws IOException {
    float[] v = {1, 2, 3, 4, 5, 6};
    Path v2 = write("v2.npy", NpyBytes.file(2, 0, NpyBytes.dict("<f4", false, "(3, 2)"), NpyBytes.f4(LITTLE_ENDIAN, v)));
    assertThat(NpyReader.readHeader(v2).majorVersion()).isEqualTo(2);
    FeatureTable t2 = NpyReader.read(v2);
    assertThat(t2.rows()).isEqualTo(3);
    assertThat(t2.data()).containsExactly(v);
    Path v3 = write("v3.npy", NpyBytes.file(3, 0, NpyBytes.dict("<f4", false, "(2, 3)"), NpyBytes.f4(LITTLE_ENDIAN, v)));
    FeatureTable t3 = NpyReader.read(v3);
    assertThat(t3.cols()).isEqualTo(3);
    assertThat(t3.data()).containsExactly(v);
  }

  @Test
  void acceptsHeaderVariantsNumpyHasWritten() throws IOException {
    // key order differs, no trailing comma, double quotes, Python 2 long suffix
    String dict = "{\"shape\": (2L, 1L), \"fortran_order\": False, \"descr\": \"<f4\"}";
    Path p = write("variant.npy", NpyBytes.file(1, 0, dict, NpyBytes.f4(LITTLE_ENDIAN, 7f, 8f)));
    assertThat(NpyReader.read(p).data()).containsExactly(7f, 8f);
  }

  // ------------------------------------------------------------------------------------------- errors

  @Test
  void rejectsBadMagic() throws IOException {
    Path csv = write("feat.npy", "0.1,0.2\n0.3,0.4\n".getBytes(StandardCharsets.US_ASCII));
    assertBad(csv, () -> NpyReader.read(csv)).hasMessageContaining("not an .npy file").hasMessageContaining("text").hasMessageContaining("numpy.save");
    Path zip = write("feat2.npy", new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
    assertBad(zip, () -> NpyReader.read(zip)).hasMessageContaining("not an .npy file").hasMessageContaining(".npz");
    Path empty = write("empty.npy", new byte[0]);
    assertBad(empty, () -> NpyReader.read(empty)).hasMessageContaining("not an .npy file").hasMessageContaining("empty");
  }

  @Test
  void rejectsUnsupportedVersion() throws IOException {
    Path p = write("v4.npy", NpyBytes.file(4, 0, NpyBytes.dict("<f4", false, "(1, 1)"), NpyBytes.f4(LITTLE_ENDIAN, 1f)));
    assertBad(p, () -> NpyReader.read(p)).hasMessageContaining("version 4.0").hasMessageContaining("1.0, 2.0, 3.0").hasMessageContaining("numpy.save");
  }

  @Test
  void rejectsUnsupportedDtypeNamingItAndListingTheSupported() throws IOException {
    Path p = write("ids.npy", NpyBytes.file(1, 0, NpyBytes.dict("<i8", false, "(1, 1)"), new byte[8]));
    assertBad(p, () -> NpyReader.read(p))
        .hasMessageContaining("unsupported dtype '<i8' (int64)")
        .hasMessageContaining("<f2")
        .hasMessageContaining("<f4")
        .hasMessageContaining("<f8")
        .hasMessageContaining("astype(np.float32)");
    Path rec = write("rec.npy", NpyBytes.file(1, 0, "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[8]));
    assertBad(rec, () -> NpyReader.read(rec)).hasMessageContaining("structured").hasMessageContaining("astype(np.float32)");
  }

  @Test
  void rejectsFortranOrder() throws IOException {
    Path p = write("fortran.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f4", true, "(2, 2)"), NpyBytes.f4(LITTLE_ENDIAN, 1, 2, 3, 4)));
    assertBad(p, () -> NpyReader.read(p)).hasMessageContaining("Fortran").hasMessageContaining("np.ascontiguousarray");
  }

  @Test
  void rejectsArraysThatAreNot2d() throws IOException {
    Path one = write("one.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f4", false, "(3,)"), NpyBytes.f4(LITTLE_ENDIAN, 1, 2, 3)));
    assertBad(one, () -> NpyReader.read(one)).hasMessageContaining("1-D").hasMessageContaining("(3,)").hasMessageContaining("reshape(n_items, -1)");
    Path three = write("three.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f4", false, "(1, 2, 2)"), NpyBytes.f4(LITTLE_ENDIAN, 1, 2, 3, 4)));
    assertBad(three, () -> NpyReader.read(three)).hasMessageContaining("3-D").hasMessageContaining("(1, 2, 2)");
    Path scalar = write("scalar.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f4", false, "()"), NpyBytes.f4(LITTLE_ENDIAN, 1)));
    assertBad(scalar, () -> NpyReader.read(scalar)).hasMessageContaining("0-D");
  }

  @Test
  void rejectsTruncatedData() throws IOException {
    byte[] full = NpyBytes.file(1, 0, NpyBytes.dict("<f4", false, "(4, 4)"), NpyBytes.f4(LITTLE_ENDIAN, new float[16]));
    Path p = write("cut.npy", Arrays.copyOf(full, full.length - 5));
    assertBad(p, () -> NpyReader.read(p)).hasMessageContaining("truncated").hasMessageContaining("64 bytes").hasMessageContaining("only 59");
    Path head = write("cuthead.npy", Arrays.copyOf(full, 30));
    assertBad(head, () -> NpyReader.read(head)).hasMessageContaining("truncated");
    Path pre = write("cutpre.npy", Arrays.copyOf(full, 8));
    assertBad(pre, () -> NpyReader.read(pre)).hasMessageContaining("truncated");
  }

  @Test
  void rejectsTrailingBytes() throws IOException {
    byte[] full = NpyBytes.file(1, 0, NpyBytes.dict("<f4", false, "(1, 2)"), NpyBytes.f4(LITTLE_ENDIAN, 1, 2));
    Path p = write("long.npy", NpyBytes.concat(full, new byte[4]));
    assertBad(p, () -> NpyReader.read(p)).hasMessageContaining("4 bytes follow");
  }

  @Test
  void rejectsNanNamingFirstRowAndColumn() throws IOException {
    float[] v = new float[12];
    v[1 * 4 + 2] = Float.NaN;
    v[2 * 4 + 3] = Float.POSITIVE_INFINITY;
    Path p = write("nan.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f4", false, "(3, 4)"), NpyBytes.f4(LITTLE_ENDIAN, v)));
    assertBad(p, () -> NpyReader.read(p)).hasMessageContaining("row 1, column 2 is NaN").hasMessageContaining("nan_to_num");
  }

  @Test
  void rejectsInfinityInEveryDtype() throws IOException {
    Path f8 = write("inf8.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f8", false, "(2, 2)"), NpyBytes.f8(LITTLE_ENDIAN, 0, 0, 0, Double.NEGATIVE_INFINITY)));
    assertBad(f8, () -> NpyReader.read(f8)).hasMessageContaining("row 1, column 1 is -Infinity");
    Path f2 = write("inf2.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f2", false, "(1, 3)"), NpyBytes.f2(LITTLE_ENDIAN, 0, 0x7c00, 0x7e00)));
    assertBad(f2, () -> NpyReader.read(f2)).hasMessageContaining("row 0, column 1 is Infinity");
    Path big = write("big.npy", NpyBytes.file(1, 0, NpyBytes.dict("<f8", false, "(1, 1)"), NpyBytes.f8(LITTLE_ENDIAN, 1e300)));
    assertBad(big, () -> NpyReader.read(big)).hasMessageContaining("row 0, column 0").hasMessageContaining("overflows float32");
  }

  @Test
  void rejectsMissingFileAndUnparseableHeader() throws IOException {
    Path missing = dir.resolve("nope.npy");
    assertBad(missing, () -> NpyReader.read(missing)).hasMessageContaining("not found");
    Path garbled = write("garbled.npy", NpyBytes.file(1, 0, "{'descr': '<f4', 'shape': (1, 1) 'fortran_order': False}", new byte[4]));
    assertBad(garbled, () -> NpyReader.read(garbled)).hasMessageContaining("cannot parse the .npy header").hasMessageContaining("numpy.save");
    Path noShape = write("noshape.npy", NpyBytes.file(1, 0, "{'descr': '<f4', 'fortran_order': False}", new byte[4]));
    assertBad(noShape, () -> NpyReader.read(noShape)).hasMessageContaining("no 'shape'");
  }
}
