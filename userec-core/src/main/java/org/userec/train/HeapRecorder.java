package org.userec.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.userec.config.Yaml;
import org.userec.model.Recommender;
import org.userec.util.AtomicFiles;
import org.userec.util.HeapPeak;

/**
 * Records a training's peak heap ({@link HeapPeak}) in its run folder as {@code heap.json} after every epoch, so
 * a table can print each model's memory beside its metrics (the papers' Table 4). A resumed training keeps the
 * larger of the recorded peak and its own.
 */
public final class HeapRecorder implements TrainListener {
  /** The file in a run folder. */
  public static final String FILE = "heap.json";

  private final Path dir;

  public HeapRecorder(Path dir) {
    this.dir = dir;
  }

  @Override
  public void onStart(Recommender model, int startEpoch, int batchesPerEpoch) {
    HeapPeak.reset();
  }

  @Override
  public void onEpoch(EpochRecord record, TrainerState state) {
    double mb = Math.max(HeapPeak.bytes() / 1048576.0, orZero(read(dir)));
    try {
      AtomicFiles.writeString(dir.resolve(FILE), String.format(Locale.ROOT, "{\"peak_heap_mb\": %.1f}%n", mb));
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot write " + FILE, e);
    }
  }

  /** The peak heap in MB recorded in a run folder, or NaN when none was (a run from before this file existed). */
  public static double read(Path dir) {
    Path f = dir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return Double.NaN;
    }
    Map<String, Object> m = Yaml.parseFile(f);
    return m.get("peak_heap_mb") instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static double orZero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }
}
