package org.userec.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.config.ModelConfigs;
import org.userec.config.ModelVariant;
import org.userec.config.Yaml;
import org.userec.data.DataFingerprint;
import org.userec.data.Dataset;
import org.userec.data.DatasetLoader;
import org.userec.model.ModelRegistry;
import org.userec.run.Datasets;
import org.userec.util.AtomicFiles;
import org.userec.util.Parallel;

/**
 * A model (or a named variant of one, {@link ModelVariant}), a dataset and a merged config, as the
 * train/eval/bench/ablate/compare commands need them.
 */
record Session(ModelVariant entry, Datasets.Located located, Config config) {
  static final String RUN_INFO = "run.properties";

  /** The registry's model name (what builds the model). */
  String model() {
    return entry.model();
  }

  /** MODEL or MODEL@variant: what names the run's folder and table row. */
  String label() {
    return entry.label();
  }

  /** "USERec@paper" → USERec's canonical name with the variant kept; an unknown model lists the known ones. */
  static ModelVariant entry(String modelArg) {
    ModelVariant v = ModelVariant.parse(modelArg);
    return v.withModel(ModelRegistry.canonical(v.model()));
  }

  static Session open(String modelArg, String datasetArg, Common common) {
    ModelVariant entry = entry(modelArg);
    Datasets.Located loc = Datasets.locate(datasetArg, common.overrides);
    ConfigLoader loader = new ConfigLoader().dataset(loc.name(), loc.folder()).model(entry.model(), ModelRegistry.names());
    if (entry.variant() != null && !loader.variant(entry) && common.overrides.isEmpty() && common.configFiles.isEmpty()) {
      throw new BadInputException(
          "'" + entry.label() + "': there is no " + entry.resource() + " and no --set or --config; a variant needs settings of its own");
    }
    for (Path f : common.configFiles) {
      loader.file(f);
    }
    Config config = loader.overrides(common.overrides).build();
    applyThreads(config, common);
    return new Session(entry, loc, config);
  }

  /**
   * One session per model on one dataset (compare): each model has its own layers, and the --config and --set
   * keys go to the models that define them ({@link ModelConfigs}); the notes say which keys some models skip.
   */
  static List<Session> openEach(List<String> modelArgs, String datasetArg, Common common, List<String> notes) {
    List<ModelVariant> entries = new ArrayList<>();
    for (String a : modelArgs) {
      ModelVariant e = entry(a);
      if (entries.contains(e)) {
        throw new BadInputException("'" + e.label() + "' is listed twice in --models; name each model or variant once");
      }
      entries.add(e);
    }
    Datasets.Located loc = Datasets.locate(datasetArg, common.overrides);
    ModelConfigs.Built built =
        ModelConfigs.build(entries, ModelRegistry.names(), loc.name(), loc.folder(), common.configFiles, common.overrides);
    notes.addAll(built.notes());
    List<Session> out = new ArrayList<>();
    for (ModelVariant e : entries) {
      out.add(new Session(e, loc, built.configs().get(e.label())));
    }
    applyThreads(out.get(0).config(), common);
    return out;
  }

  /** Re-opens a run folder written by 'train' (its merged config, model and dataset). */
  static Session resume(Path runDir, Common common) {
    if (!Files.exists(runDir)) {
      throw new BadInputException(runDir + ": no such run folder; pass the folder 'train' printed (run folder: ...)");
    }
    Path info = runDir.resolve(RUN_INFO);
    if (!Files.isRegularFile(info) && runDir.toAbsolutePath().getParent() != null) {
      info = runDir.toAbsolutePath().getParent().resolve(RUN_INFO); // a grid point inside a run folder
    }
    if (!Files.isRegularFile(info)) {
      throw new BadInputException(runDir + ": not a userec run folder (no " + RUN_INFO + "); pass the folder 'train' printed");
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(info)) {
      p.load(in);
    } catch (IOException e) {
      throw new BadInputException(info + ": cannot read (" + e.getMessage() + ")");
    }
    String model = ModelRegistry.canonical(p.getProperty("model"));
    Datasets.Located loc = new Datasets.Located(p.getProperty("dataset"), Path.of(p.getProperty("folder")));
    if (!Files.isRegularFile(runDir.resolve("config.yaml"))) {
      throw new BadInputException(runDir + ": holds no config.yaml, so no training started there (a rejected command left the folder)"
          + "; delete it and start the run again");
    }
    Map<String, Object> saved = Yaml.parseFile(runDir.resolve("config.yaml"));
    ConfigLoader loader = new ConfigLoader().model(model, ModelRegistry.names()).values(runDir.resolve("config.yaml").toString(), saved);
    Config config = loader.overrides(common.overrides).build();
    applyThreads(config, common);
    return new Session(new ModelVariant(model, null), loc, config);
  }

  private static void applyThreads(Config config, Common common) {
    int threads = common.threads != null ? common.threads : config.getInt("threads");
    if (threads < 0) {
      throw new BadInputException("--threads must be >= 0 (0 = all cores), got " + threads);
    }
    if (threads > 0) {
      Parallel.setThreads(threads);
    }
  }

  boolean multimodal() {
    return config.getBool("is_multimodal_model");
  }

  DatasetLoader.Loaded load() {
    return DatasetLoader.loadWithStats(Datasets.spec(config, located, multimodal()));
  }

  Dataset dataset() {
    return load().dataset();
  }

  /**
   * Makes the run folder and writes its run.properties (model, dataset, the data's fingerprint). Call it only
   * after every check passed: a rejected command leaves no folder.
   */
  Path newRunDir(Path runDirOption, DataFingerprint data) {
    Path base = runDirOption != null ? runDirOption : Path.of(config.getString("run_dir"));
    String option = runDirOption != null ? "--run-dir " : "run_dir ";
    for (Path p = base.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        if (!Files.isDirectory(p)) {
          throw new BadInputException(option + base + ": " + p + " is a file, not a folder; give a folder for the run folders");
        }
        if (!Files.isWritable(p)) {
          throw new BadInputException(option + base + ": cannot create folders in " + p + " (not writable); give a writable folder");
        }
        break;
      }
    }
    Path dir = stampedDir(base, label());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.NoSuchFileException ? "the file system does not allow it there" : e.getMessage();
      throw new BadInputException(option + base + ": cannot create the run folder " + dir + " (" + why + "); give a writable folder");
    }
    writeInfo(dir, data);
    return dir;
  }

  /** The run.properties of a run folder (or of the run holding a grid point), as {@link #resume} finds it. */
  static Properties runInfo(Path runDir) {
    Path info = runDir.resolve(RUN_INFO);
    if (!Files.isRegularFile(info) && runDir.toAbsolutePath().getParent() != null) {
      info = runDir.toAbsolutePath().getParent().resolve(RUN_INFO);
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(info)) {
      p.load(in);
    } catch (IOException e) {
      throw new BadInputException(info + ": cannot read (" + e.getMessage() + ")");
    }
    return p;
  }

  /** The data this session reads, fingerprinted. */
  DataFingerprint fingerprint() {
    return DataFingerprint.of(Datasets.spec(config, located, multimodal()));
  }

  /**
   * Refuses data that differ from those the run in {@code runDir} was trained on (runs made before
   * fingerprints existed pass).
   */
  void requireSameData(Path runDir, String command) {
    DataFingerprint then = DataFingerprint.fromProperties(runInfo(runDir));
    if (then != null) {
      then.requireSame(fingerprint(), located.folder(), runDir, command);
    }
  }

  /** A fresh folder {@code <base>/<dataset>/<prefix>-<time>} (not created). */
  Path stampedDir(Path base, String prefix) {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path dir = base.resolve(located.name()).resolve(prefix + "-" + stamp);
    int k = 1;
    while (Files.exists(dir)) {
      dir = base.resolve(located.name()).resolve(prefix + "-" + stamp + "-" + k++);
    }
    return dir;
  }

  void writeInfo(Path dir, DataFingerprint data) {
    Map<String, String> info = new LinkedHashMap<>();
    info.put("model", model());
    info.put("dataset", located.name());
    info.put("folder", located.folder().toString());
    if (data != null) {
      info.putAll(data.toProperties());
    }
    StringBuilder sb = new StringBuilder("# written by userec train; used by --resume and eval (data.*: size and hash of each file read)\n");
    info.forEach((k, v) -> sb.append(escape(k, true)).append('=').append(escape(v, false)).append('\n'));
    try {
      Files.createDirectories(dir);
      AtomicFiles.writeString(dir.resolve(RUN_INFO), sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot write " + RUN_INFO, e);
    }
  }

  /** java.util.Properties escaping of a key or value (backslash, and in keys '=', ':' and blanks). */
  private static String escape(String s, boolean key) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '\\' || (key && (c == '=' || c == ':' || c == ' ' || c == '#' || c == '!'))) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
