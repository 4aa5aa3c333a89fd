package org.userec.cli;

import java.util.concurrent.Callable;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.DatasetLoader;
import org.userec.run.Datasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {"Print a dataset's users, items, interactions per split, density, degrees and modality shapes.",
        "", "Example: userec stats -d ../shared/data/tiktok"})
final class StatsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-d", "--dataset"}, required = true, paramLabel = "DATASET", description = "Dataset folder, or a name under data_path.")
  String dataset;

  @Option(names = "--no-features", description = "Skip the feature files.")
  boolean noFeatures;

  @Mixin Common common;

  @Override
  public Integer call() {
    Datasets.Located loc = Datasets.locate(dataset, common.overrides);
    ConfigLoader loader = new ConfigLoader().dataset(loc.name(), loc.folder());
    common.configFiles.forEach(loader::file);
    Config c = loader.overrides(common.overrides).build();
    boolean features = !noFeatures && hasAnyFeature(c, loc);
    DatasetLoader.Loaded l = DatasetLoader.loadWithStats(Datasets.spec(c, loc, features));
    spec.commandLine().getOut().println(l.stats().toText());
    return 0;
  }

  private static boolean hasAnyFeature(Config c, Datasets.Located loc) {
    if (!c.getMap("feature_files").isEmpty()) {
      return true;
    }
    return (c.has("vision_feature_file") && java.nio.file.Files.exists(loc.folder().resolve(c.getString("vision_feature_file"))))
        || (c.has("text_feature_file") && java.nio.file.Files.exists(loc.folder().resolve(c.getString("text_feature_file"))));
  }
}
