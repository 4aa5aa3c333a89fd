package org.userec.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.model.Recommender;
import org.userec.optim.Adam;
import org.userec.tensor.Param;
import org.userec.util.AtomicFiles;
import org.userec.util.ParamFile;

/**
 * The record a training leaves: {@code config.yaml} (merged config), {@code log.tsv} (one line per epoch:
 * loss, learning rate, seconds, validation and test metrics), {@code checkpoint.params} (parameters,
 * optimizer and trainer state after the last finished epoch, for {@code --resume}), {@code best.params}
 * (parameters at the best-validation epoch), {@code results.json} and {@code results.md} at the end. Every
 * file is written atomically.
 */
public final class RunFolder implements TrainListener, Trainer.CheckpointSink {
  public static final String CHECKPOINT = "checkpoint.params";
  public static final String BEST = "best.params";
  public static final String LOG = "log.tsv";
  public static final String RESULTS_JSON = "results.json";

  private final Path dir;
  private final boolean checkpointing;
  private Recommender model;
  private List<String> metricKeys;

  public RunFolder(Path dir, Config config, boolean checkpointing) {
    this.dir = dir;
    this.checkpointing = checkpointing;
    try {
      Files.createDirectories(dir);
      Path saved = dir.resolve("config.yaml");
      // a resume with the same values keeps the file, and with it which layer set each key
      if (!Files.isRegularFile(saved) || !renderedValues(Files.readString(saved)).equals(renderedValues(config.toYaml()))) {
        AtomicFiles.writeString(saved, config.toYaml());
      }
    } catch (IOException e) {
      throw new BadInputException(dir + ": cannot create the run folder (" + e.getMessage() + "); check run_dir");
    }
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void onStart(Recommender model, int startEpoch, int batchesPerEpoch) {
    this.model = model;
  }

  @Override
  public void onEpoch(EpochRecord r, TrainerState state) {
    try {
      Path log = dir.resolve(LOG);
      if (metricKeys == null && r.valid() != null) {
        metricKeys = List.copyOf(r.valid().values().keySet());
      }
      // Rewrite the whole log from the state: a resumed run never shows epochs twice.
      StringBuilder sb = new StringBuilder("epoch\tloss\tlr\ttrain_s\teval_s\timproved");
      if (metricKeys != null) {
        for (String k : metricKeys) {
          sb.append("\tvalid_").append(k);
        }
        for (String k : metricKeys) {
          sb.append("\ttest_").append(k);
        }
      }
      sb.append('\n');
      for (EpochRecord e : state.history) {
        sb.append(e.epoch()).append('\t').append(String.format("%.6f", e.loss())).append('\t').append(String.format("%.6g", e.learningRate()))
            .append('\t').append(String.format("%.3f", e.trainSeconds())).append('\t').append(String.format("%.3f", e.evalSeconds()))
            .append('\t').append(e.improved() ? 1 : 0);
        if (metricKeys != null) {
          for (String k : metricKeys) {
            sb.append('\t').append(e.valid() == null ? "" : String.format("%.6f", e.valid().get(k)));
          }
          for (String k : metricKeys) {
            sb.append('\t').append(e.test() == null ? "" : String.format("%.6f", e.test().get(k)));
          }
        }
        sb.append('\n');
      }
      AtomicFiles.writeString(log, sb.toString());
      if (r.improved() && model != null) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", Integer.toString(r.epoch()));
        ParamFile.write(dir.resolve(BEST), meta, paramArrays(model));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot write the run log", e);
    }
  }

  @Override
  public void save(TrainerState state, Recommender model, Adam optimizer) {
    if (!checkpointing) {
      return;
    }
    Map<String, String> meta = new LinkedHashMap<>();
    StateCodec.put(state, meta);
    Map<String, float[]> arrays = paramArrays(model);
    optimizer.exportState().forEach((name, st) -> {
      meta.put("adam.step." + name, Long.toString(st.step()));
      arrays.put("adam.m." + name, st.m());
      arrays.put("adam.v." + name, st.v());
    });
    try {
      ParamFile.write(dir.resolve(CHECKPOINT), meta, arrays);
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot write the checkpoint", e);
    }
  }

  /** Restores parameters, optimizer and trainer state from this folder's checkpoint, or null when it has none. */
  public TrainerState restore(Recommender model, Adam optimizer) {
    Path cp = dir.resolve(CHECKPOINT);
    if (!Files.exists(cp)) {
      return null;
    }
    ParamFile.Contents c = ParamFile.read(cp);
    loadParams(model, c.arrays(), cp);
    TrainerState state = state(c.meta(), cp);
    Map<String, Adam.State> st = new LinkedHashMap<>();
    for (Param p : model.params()) {
      String step = c.meta().get("adam.step." + p.name);
      if (step == null) {
        throw new BadInputException(cp + ": has no optimizer state for '" + p.name + "'; delete it to start the run afresh");
      }
      st.put(p.name, new Adam.State(Long.parseLong(step), c.arrays().get("adam.m." + p.name), c.arrays().get("adam.v." + p.name)));
    }
    optimizer.restoreState(st);
    return state;
  }

  /** The trainer state in a checkpoint's metadata; a missing or unreadable entry names the file. */
  static TrainerState state(Map<String, String> meta, Path cp) {
    try {
      return StateCodec.get(meta);
    } catch (RuntimeException e) {
      throw new BadInputException(cp + ": the trainer state in it is unreadable (" + e.getMessage()
          + "); the file was written by another version or damaged: delete it to start the run afresh");
    }
  }

  /**
   * Deletes the hidden {@code .NAME.*.tmp} files an interrupted atomic write left in {@code dir} and its grid
   * folders (call it only while holding the folder's {@link RunLock}); returns how many it removed.
   */
  public static int removeStaleTemps(Path dir) {
    int[] removed = {0};
    try (java.util.stream.Stream<Path> s = Files.walk(dir, 2)) {
      s.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith(".") && n.endsWith(".tmp") && Files.isRegularFile(p);
      }).forEach(p -> {
        try {
          Files.deleteIfExists(p);
          removed[0]++;
        } catch (IOException e) {
          // leave it: a stale temporary file is litter, not a fault
        }
      });
    } catch (IOException | UncheckedIOException e) {
      return removed[0];
    }
    return removed[0];
  }

  /** Keys a resumed run may change: they alter neither the epochs already run nor the ones still to run. */
  static final Set<String> RESUMABLE_CHANGES = Set.of("epochs", "threads", "run_dir", "data_path", "save_checkpoints");

  /**
   * Fails when {@code dir} holds a checkpoint trained under another config (apart from {@link
   * #RESUMABLE_CHANGES}): resuming it would mix two settings in one result.
   */
  public static void checkResumable(Path dir, Config config) {
    if (!Files.isRegularFile(dir.resolve(CHECKPOINT))) {
      return;
    }
    List<String> diffs = configDiffs(dir, config, RESUMABLE_CHANGES);
    if (!diffs.isEmpty()) {
      throw new BadInputException(
          dir + ": holds a run with another config (" + String.join("; ", diffs.subList(0, Math.min(3, diffs.size())))
              + (diffs.size() > 3 ? "; " + (diffs.size() - 3) + " more" : "")
              + "); resume with the settings it was started with, or use a new run folder");
    }
  }

  /** Keys that change neither the trained model nor the data: {@code eval} may set them. */
  public static final Set<String> EVAL_CHANGES =
      Set.of("epochs", "threads", "run_dir", "data_path", "save_checkpoints", "eval_batch_size", "topk", "metrics", "valid_metric");

  /**
   * The keys whose values in {@code config} differ from the run's saved config.yaml ("key: A there, B now"),
   * apart from {@code allowed}; empty when the folder has no config.yaml.
   */
  public static List<String> configDiffs(Path dir, Config config, Set<String> allowed) {
    Path saved = dir.resolve("config.yaml");
    if (!Files.isRegularFile(saved)) {
      return List.of();
    }
    Map<String, String> was;
    try {
      was = renderedValues(Files.readString(saved));
    } catch (IOException e) {
      throw new BadInputException(saved + ": cannot read (" + e.getMessage() + ")");
    }
    Map<String, String> now = renderedValues(config.toYaml());
    List<String> diffs = new ArrayList<>();
    Set<String> keys = new TreeSet<>(was.keySet());
    keys.addAll(now.keySet());
    for (String k : keys) {
      String a = was.getOrDefault(k, "(absent)");
      String b = now.getOrDefault(k, "(absent)");
      if (!a.equals(b) && !allowed.contains(k)) {
        diffs.add(k + ": " + a + " there, " + b + " now");
      }
    }
    return diffs;
  }

  /** key -> rendered value of a {@link Config#toYaml()} text (the trailing "   # source" comments dropped). */
  private static Map<String, String> renderedValues(String yaml) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : yaml.split("\n")) {
      int colon = line.indexOf(": ");
      if (colon <= 0 || line.startsWith("#")) {
        continue;
      }
      int comment = line.lastIndexOf("   # ");
      out.put(line.substring(0, colon), line.substring(colon + 2, comment > colon ? comment : line.length()).strip());
    }
    return out;
  }

  /**
   * The result of the training in {@code dir} when it has ended (stopped early, or ran {@code epochs} epochs)
   * and left its results, else null (no checkpoint, or the run was interrupted). Reads only the checkpoint's
   * trainer state, so a finished grid point costs no model construction on resume.
   */
  public static TrainResult finished(Path dir, int epochs) {
    Path cp = dir.resolve(CHECKPOINT);
    if (!Files.isRegularFile(cp) || !Files.isRegularFile(dir.resolve(RESULTS_JSON))) {
      return null;
    }
    TrainerState st = state(ParamFile.readMeta(cp), cp);
    return st.stopped || st.nextEpoch >= epochs ? st.result() : null;
  }

  static Map<String, float[]> paramArrays(Recommender model) {
    Map<String, float[]> arrays = new LinkedHashMap<>();
    for (Param p : model.params()) {
      arrays.put("param." + p.name, p.data);
    }
    return arrays;
  }

  /** Copies stored parameters into the model; a missing or mis-shaped array names the file and parameter. */
  public static void loadParams(Recommender model, Map<String, float[]> arrays, Path source) {
    for (Param p : model.params()) {
      float[] a = arrays.get("param." + p.name);
      if (a == null) {
        throw new BadInputException(source + ": has no parameter '" + p.name + "'; it was saved by a different model or config");
      }
      if (a.length != p.data.length) {
        throw new BadInputException(
            source + ": parameter '" + p.name + "' has " + a.length + " values, the model expects " + p.data.length
                + " (" + p.shape() + "); use the config and dataset it was trained with");
      }
      System.arraycopy(a, 0, p.data, 0, a.length);
    }
  }

  @Override
  public void onEnd(TrainResult result) {
    try {
      AtomicFiles.writeString(dir.resolve(RESULTS_JSON), Reports.json(result));
      AtomicFiles.writeString(dir.resolve("results.md"), Reports.markdownHeader(result.testAtBest()) + Reports.markdownRow(dir.getFileName().toString(), result.testAtBest()));
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot write results", e);
    }
  }
}
