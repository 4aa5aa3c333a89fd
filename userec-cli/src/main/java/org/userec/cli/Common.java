package org.userec.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by the commands that read a config. */
final class Common {
  @Option(
      names = {"-s", "--set"},
      paramLabel = "KEY=VALUE",
      description = "Override a config key (repeatable), e.g. --set learning_rate=0.0005 --set n_layers=[2,3]")
  List<String> overrides = new ArrayList<>();

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "A YAML file of config keys, applied before --set (repeatable).")
  List<Path> configFiles = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores). Same seed + same threads = same metrics.")
  Integer threads;

  @Option(names = {"-q", "--quiet"}, description = "Print only the final results.")
  boolean quiet;
}
