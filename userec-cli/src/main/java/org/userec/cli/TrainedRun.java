package org.userec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.userec.BadInputException;
import org.userec.data.Dataset;
import org.userec.model.ModelContext;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.train.RunFolder;
import org.userec.train.TrainSettings;
import org.userec.util.ParamFile;
import org.userec.util.Seeds;

/** A finished run's model rebuilt with its best (or given) parameters, as export and tsne read it. */
record TrainedRun(Session session, Dataset dataset, Recommender model) {
  /**
   * Opens {@code run} (one grid point's folder for a grid run) and loads {@code params}, by default
   * RUN/best.params.
   */
  static TrainedRun load(Path run, Path params, Common common) {
    Session s = Session.resume(run, common);
    if (!s.config().gridKeys().isEmpty() && s.config().expandGrid().size() > 1) {
      throw new BadInputException(run + ": is a grid run; pass one grid point's folder, e.g. " + run.resolve("grid-000"));
    }
    Path file = params != null ? params : run.resolve(RunFolder.BEST);
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": no such parameter file; the run has not finished an evaluation yet");
    }
    Dataset ds = s.dataset();
    TrainSettings ts = TrainSettings.from(s.config());
    Recommender model = ModelRegistry.create(s.model(), new ModelContext(s.config(), ds, Seeds.rng(ts.seed(), "init")));
    RunFolder.loadParams(model, ParamFile.read(file).arrays(), file);
    return new TrainedRun(s, ds, model);
  }
}
