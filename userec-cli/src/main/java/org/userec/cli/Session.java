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

  Path newRunDir(Path runDirOption) {
    Path dir = stampedDir(runDirOption != null ? runDirOption : Path.of(config.getString("run_dir")), label());
    writeInfo(dir);
    return dir;
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

  void writeInfo(Path dir) {
    Map<String, String> info = new LinkedHashMap<>();
    info.put("model", model());
    info.put("dataset", located.name());
    info.put("folder", located.folder().toString());
    StringBuilder sb = new StringBuilder("# written by userec train; used by --resume\n");
    info.forEach((k, v) -> sb.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
    try {
      Files.createDirectories(dir);
      AtomicFiles.writeString(dir.resolve(RUN_INFO), sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
