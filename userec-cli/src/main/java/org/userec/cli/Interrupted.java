package org.userec.cli;

import java.nio.file.Path;

/**
 * Says how to continue when a training is stopped by Ctrl-C or SIGTERM: the JVM runs shutdown hooks on both,
 * and this one prints the exact resume command unless the training ended first.
 */
final class Interrupted {
  private final Thread hook;
  private volatile boolean done;

  private Interrupted(Path dir) {
    String launcher = System.getenv().getOrDefault("USEREC_LAUNCHER", "userec");
    String folder = dir.toString();
    String quoted = folder.matches("[A-Za-z0-9_./:@%+=,-]+") ? folder : "'" + folder.replace("'", "'\\''") + "'";
    hook = new Thread(() -> {
      if (!done) {
        System.out.flush();
        System.err.println();
        System.err.println("interrupted; the finished epochs are saved. Continue with: " + launcher + " train --resume " + quoted);
        System.err.flush();
      }
    }, "userec-interrupted");
  }

  /** Starts watching a training that runs in {@code dir}. */
  static Interrupted watch(Path dir) {
    Interrupted i = new Interrupted(dir);
    Runtime.getRuntime().addShutdownHook(i.hook);
    return i;
  }

  /** The training ended (normally or with an error): nothing to print at exit. */
  void done() {
    done = true;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the flag keeps the hook quiet
    }
  }
}
