package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.userec.data.raw.PrepareDataset;
import org.userec.data.raw.RawFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    description = {
      "Turn raw reviews into an MMRec dataset folder: k-core filter, dense ids, per-user split.",
      "Reads Amazon 2014 or 2018 review files (JSON lines, gzip or plain), optional metadata (2014 Python-literal",
      "or 2018 JSON), or a CSV of user,item[,rating[,timestamp]]. Writes <name>.inter, u_id_mapping.csv,",
      "i_id_mapping.csv, items.tsv, prepare_report.txt and <name>.yaml. Corrupt lines are counted and listed.",
      "",
      "Example: userec prepare --reviews reviews_Baby_5.json.gz --meta meta_Baby.json.gz --name baby --out data/baby"
    })
final class PrepareCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--reviews", required = true, paramLabel = "FILE", description = "Review file (gzip detected by content).")
  Path reviews;

  @Option(names = "--meta", paramLabel = "FILE", description = "Item metadata file (one object per line) for items.tsv.")
  Path meta;

  @Option(names = "--format", defaultValue = "auto", description = "amazon2014, amazon2018, csv or auto (default ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--name", required = true, description = "Dataset name: <name>.inter and <name>.yaml.")
  String name;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(names = "--kcore", defaultValue = "5", description = "Minimum interactions per user and per item, to a fixed point (default ${DEFAULT-VALUE}).")
  int kcore;

  @Option(names = "--split", defaultValue = "random", description = "random (MMRec's seeded per-user shuffle) or chrono (latest to test); default ${DEFAULT-VALUE}.")
  String split;

  @Option(names = "--seed", defaultValue = "999", description = "Seed of the random split (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = {"-q", "--quiet"}, description = "Print only the summary.")
  boolean quiet;

  @Option(names = "--force", description = "Write into a folder that already holds files (files of the same names are replaced).")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter w = spec.commandLine().getOut();
    OutputFolder.check(out, force, "--out");
    PrepareDataset.Spec s = new PrepareDataset.Spec(reviews, meta, RawFormat.parse(format), name, out, kcore, PrepareDataset.Split.parse(split), seed);
    PrepareDataset.Report r = PrepareDataset.run(s, line -> {
      if (!quiet) {
        w.println(line);
        w.flush();
      }
    });
    w.print(r.toText());
    w.printf(java.util.Locale.ROOT, "wrote %s in %.1fs%n", out.resolve(name + ".yaml"), r.seconds());
    w.flush();
    return 0;
  }
}
