package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.userec.BadInputException;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Write a seeded synthetic dataset as an MMRec folder: power-law popularity, latent user/item factors,",
      "and per-modality features that are noisy non-linear views of the item factors (so content helps).",
      "Presets: tiny (tests), small (demo), baby (Amazon Baby's size), elec (Amazon Elec's size).",
      "",
      "Example: userec generate --preset baby --out data/synth-baby --dims 768,384"
    })
final class GenerateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--preset", defaultValue = "small", description = "tiny, small, baby or elec (default ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder; its name becomes the dataset name.")
  Path out;

  @Option(names = "--seed", description = "Seed (default 999).")
  Long seed;

  @Option(names = "--users", description = "Override the preset's user count.")
  Integer users;

  @Option(names = "--items", description = "Override the preset's item count.")
  Integer items;

  @Option(names = "--interactions", description = "Override the preset's interaction count.")
  Integer interactions;

  @Option(names = "--dims", split = ",", paramLabel = "D", description = "Feature dimensions per modality, e.g. 768,384 (image, text).")
  List<Integer> dims = new ArrayList<>();

  @Option(names = "--force", description = "Write into a folder that already holds files (files of the same names are replaced).")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter w = spec.commandLine().getOut();
    SyntheticSpec s;
    try {
      s = SyntheticSpec.preset(preset);
      String name = out.toAbsolutePath().normalize().getFileName().toString();
      s = s.withName(name);
      if (seed != null) {
        s = s.withSeed(seed);
      }
      if (users != null || items != null || interactions != null) {
        s = s.withSize(users != null ? users : s.users(), items != null ? items : s.items(), interactions != null ? interactions : s.interactions());
      }
      if (!dims.isEmpty()) {
        s = s.withFeatureDims(dims.stream().mapToInt(Integer::intValue).toArray());
      }
    } catch (IllegalArgumentException e) {
      throw new BadInputException("generate: " + e.getMessage());
    }
    OutputFolder.check(out, force, "--out");
    long t0 = System.nanoTime();
    SyntheticGenerator.write(s, out);
    w.printf(Locale.ROOT, "wrote %s to %s in %.1fs%n", s.describe(), out, (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
