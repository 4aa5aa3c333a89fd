package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.userec.BadInputException;
import org.userec.data.Dataset;
import org.userec.eval.EvalResult;
import org.userec.eval.Evaluator;
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
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate saved parameters (a run folder's best.params) on validation and test with full ranking.",
      "",
      "Example: userec eval --run runs/baby/LightGCN-20261128-101500"
    })
final class EvalCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--run", required = true, paramLabel = "RUN", description = "A run folder (or one grid point's folder inside it).")
  Path run;

  @Option(names = "--params", paramLabel = "FILE", description = "Parameter file (default: RUN/best.params).")
  Path params;

  @Mixin Common common;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Session s = Session.resume(run, common);
    if (!s.config().gridKeys().isEmpty() && s.config().expandGrid().size() > 1) {
      throw new BadInputException(run + ": is a grid run; pass one grid point's folder, e.g. " + run.resolve("grid-000"));
    }
    List<String> diffs = RunFolder.configDiffs(run, s.config(), RunFolder.EVAL_CHANGES);
    if (!diffs.isEmpty()) {
      throw new BadInputException("eval " + run + ": the run was trained with another config (" + String.join("; ", diffs)
          + "); its parameters belong to that model, so eval takes only keys that leave it as trained "
          + new java.util.TreeSet<>(RunFolder.EVAL_CHANGES) + ": drop the --set/--config of the others, or train a run with them");
    }
    Path file = params != null ? params : run.resolve(RunFolder.BEST);
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + (params != null ? ": no such file; check the --params path"
          : ": no such parameter file; the run has not finished an evaluation yet"));
    }
    s.requireSameData(run, "eval");
    Dataset ds = s.dataset();
    TrainSettings ts = TrainSettings.from(s.config());
    Recommender model = ModelRegistry.create(s.model(), new ModelContext(s.config(), ds, Seeds.rng(ts.seed(), "init")));
    RunFolder.loadParams(model, ParamFile.read(file).arrays(), file);
    long t0 = System.nanoTime();
    EvalResult r = new Evaluator(ds, ts.topK()).evaluate(model.scorer());
    double sec = (System.nanoTime() - t0) / 1e9;
    out.print(Tables.metricsTable(List.of("valid", "test"), List.of(r.valid(), r.test()), List.of(), null));
    out.printf("(%s on %s, %d/%d users evaluated, %.2fs)%n", s.model(), s.located().name(), r.valid().evaluatedUsers(), r.test().evaluatedUsers(), sec);
    return 0;
  }
}
