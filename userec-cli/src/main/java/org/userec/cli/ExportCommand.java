package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.userec.BadInputException;
import org.userec.data.Dataset;
import org.userec.export.ModelExport;
import org.userec.model.ModelContext;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.train.RunFolder;
import org.userec.train.TrainSettings;
import org.userec.util.ParamFile;
import org.userec.util.Seeds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Export a trained run as a self-contained model folder (docs/model-format.md): final user and item embeddings,",
      "training items, raw ids and titles when the dataset has them, and for PGL/USERec the item encoder.",
      "",
      "Example: userec export --run runs/baby/LightGCN-20261128-101500 --out models/baby-lightgcn"
    })
final class ExportCommand implements Callable<Integer> {
  /** The version written into manifests. */
  static final String VERSION = "0.1.0";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--run", required = true, paramLabel = "RUN", description = "A run folder (or one grid point's folder inside it).")
  Path run;

  @Option(names = "--out", required = true, paramLabel = "MODEL", description = "The model folder to create.")
  Path out;

  @Option(names = "--params", paramLabel = "FILE", description = "Parameter file (default: RUN/best.params).")
  Path params;

  @Option(names = "--force", description = "Replace MODEL if it exists (atomically).")
  boolean force;

  @Mixin Common common;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    if (Files.exists(out) && !force) {
      throw new BadInputException(out + ": already exists; choose another --out or pass --force to replace it");
    }
    Session s = Session.resume(run, common);
    if (!s.config().gridKeys().isEmpty() && s.config().expandGrid().size() > 1) {
      throw new BadInputException(run + ": is a grid run; export one grid point's folder, e.g. " + run.resolve("grid-000"));
    }
    Path file = params != null ? params : run.resolve(RunFolder.BEST);
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": no such parameter file; the run has not finished an evaluation yet");
    }
    long t0 = System.nanoTime();
    Dataset ds = s.dataset();
    TrainSettings ts = TrainSettings.from(s.config());
    Recommender model = ModelRegistry.create(s.model(), new ModelContext(s.config(), ds, Seeds.rng(ts.seed(), "init")));
    RunFolder.loadParams(model, ParamFile.read(file).arrays(), file);
    Path results = run.resolve(RunFolder.RESULTS_JSON);
    Map<String, Object> m =
        ModelExport.write(new ModelExport.Source(s.model(), s.config(), ds, s.located().folder(), model, results, VERSION), out, force);
    o.printf(
        "exported %s on %s: %s users, %s items, dim %s, item encoder: %s (%.1fs)%n",
        s.model(), ds.name(), m.get("users"), m.get("items"), m.get("dim"),
        m.get("item_encoder") != null ? "yes" : "no (" + m.get("item_encoder_unsupported") + ")",
        (System.nanoTime() - t0) / 1e9);
    o.println("model folder: " + out);
    return 0;
  }
}
