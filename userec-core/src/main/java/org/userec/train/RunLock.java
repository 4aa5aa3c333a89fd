package org.userec.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.userec.BadInputException;

/**
 * One process at a time per run folder: an OS file lock on {@code <run>/.lock}, which holds the owner's pid.
 * The OS releases it when the process ends, however it ends (kill -9 included), so a crash never leaves a
 * stale lock. A second {@code train --resume} (or a resume while the first training still runs) is refused
 * with the holder's pid.
 */
public final class RunLock implements AutoCloseable {
  public static final String FILE = ".lock";

  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock of {@code dir} (created if needed), or fails naming the process that holds it. */
  public static RunLock acquire(Path dir) {
    Path file = dir.resolve(FILE);
    FileChannel ch;
    try {
      Files.createDirectories(dir);
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new BadInputException(dir + ": cannot lock the run folder (" + e.getMessage() + "); check that it is writable");
    }
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null; // this process holds it already
    } catch (IOException e) {
      close(ch);
      throw new BadInputException(dir + ": cannot lock the run folder (" + e.getMessage() + "); check that it is writable");
    }
    if (l == null) {
      String holder = holder(file);
      close(ch);
      throw new BadInputException(dir + ": in use by another userec process" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
          + "; wait for it to finish or stop it, then run the command again");
    }
    try {
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      ch.force(false);
    } catch (IOException e) {
      // the lock holds without the pid; only the message of a refused second process is poorer
    }
    return new RunLock(ch, l);
  }

  private static String holder(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      return "";
    }
  }

  private static void close(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // released when the channel closes anyway
    }
    close(channel);
  }
}
