package org.userec.features;

import java.util.Locale;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress over a known number of steps: a bar with rate and ETA on an interactive terminal, otherwise a log
 * line every {@code everySeconds} (done/total, rate, ETA), so logs of batch jobs stay readable.
 */
public final class Progress implements AutoCloseable {
  private final String task;
  private final long total;
  private final Consumer<String> log;
  private final ProgressBar bar;
  private final long start = System.nanoTime();
  private final long everyNanos;
  private long lastLog = System.nanoTime();
  private long done;
  private long startAt;

  private Progress(String task, long total, long initial, Consumer<String> log, boolean terminal, double everySeconds) {
    this.task = task;
    this.total = total;
    this.log = log;
    this.done = initial;
    this.startAt = initial;
    this.everyNanos = (long) (everySeconds * 1e9);
    this.bar =
        terminal
            ? new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .showSpeed()
                .setUnit(" items", 1)
                .startsFrom(initial, java.time.Duration.ZERO)
                .continuousUpdate()
                .build()
            : null;
  }

  /** A bar on a terminal ({@code System.console() != null}), log lines every 10 s otherwise. */
  public static Progress start(String task, long total, long alreadyDone, Consumer<String> log) {
    return new Progress(task, total, alreadyDone, log, System.console() != null, 10);
  }

  /** Log lines only (tests, or when output goes to a file). */
  public static Progress logOnly(String task, long total, long alreadyDone, Consumer<String> log, double everySeconds) {
    return new Progress(task, total, alreadyDone, log, false, everySeconds);
  }

  public synchronized void step(long n) {
    done += n;
    if (bar != null) {
      bar.stepTo(done);
      return;
    }
    long now = System.nanoTime();
    if (now - lastLog >= everyNanos) {
      lastLog = now;
      log.accept(line());
    }
  }

  /** "task: 1,234/19,220 (6.4%), 210.3 items/s, ETA 1m25s". */
  public synchronized String line() {
    double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    double rate = (done - startAt) / secs;
    long left = total - done;
    String eta = rate > 0 ? duration(left / rate) : "?";
    return String.format(Locale.ROOT, "%s: %,d/%,d (%.1f%%), %.1f items/s, ETA %s", task, done, total, 100.0 * done / Math.max(1, total), rate, eta);
  }

  /** Seconds since start. */
  public double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  static String duration(double s) {
    long t = Math.round(s);
    if (t >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", t / 3600, (t % 3600) / 60);
    }
    if (t >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
    return t + "s";
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
