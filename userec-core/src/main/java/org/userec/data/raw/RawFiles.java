package org.userec.data.raw;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.userec.BadInputException;

/** Opening raw text files: gzip is detected by its magic bytes (not the name), text is UTF-8. */
public final class RawFiles {
  private RawFiles() {}

  /** A line handler; the line number is 1-based. */
  @FunctionalInterface
  public interface LineHandler {
    void line(long number, String line);
  }

  /** True when the file starts with gzip's magic bytes 1f 8b. */
  public static boolean isGzip(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
  }

  /** Opens a text reader over the file, decompressing when it is gzip; malformed UTF-8 becomes U+FFFD. */
  public static BufferedReader open(Path file) {
    try {
      InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      in.mark(2);
      boolean gz = in.read() == 0x1f && in.read() == 0x8b;
      in.reset();
      if (gz) {
        in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
      }
      return new BufferedReader(
          new InputStreamReader(
              in,
              StandardCharsets.UTF_8.newDecoder()
                  .onMalformedInput(CodingErrorAction.REPLACE)
                  .onUnmappableCharacter(CodingErrorAction.REPLACE)),
          1 << 16);
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
  }

  /**
   * Streams the file's lines to the handler. A gzip stream that ends early (a truncated download) is an
   * error naming the last line read, since the rest of the file is missing, not corrupt.
   */
  public static long forEachLine(Path file, LineHandler handler) {
    long n = 0;
    try (BufferedReader r = open(file)) {
      String line;
      while ((line = r.readLine()) != null) {
        handler.line(++n, line);
      }
      return n;
    } catch (EOFException | ZipException e) {
      throw new BadInputException(
          file + ": compressed data ends or breaks " + (n == 0 ? "within its first 64 KB" : "after line " + n) + " (" + e.getMessage()
              + "); the file looks truncated or damaged, download it again");
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
  }

  static RuntimeException cannotRead(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new BadInputException(file + ": no such file; check the path");
    }
    if (e instanceof AccessDeniedException) {
      return new BadInputException(file + ": permission denied; make it readable");
    }
    return new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
  }
}
