package org.userec.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.userec.config.Config;
import org.userec.data.Dataset;
import org.userec.eval.Evaluator;
import org.userec.model.ModelContext;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.optim.Adam;
import org.userec.tensor.simd.Kernels;
import org.userec.train.TrainSettings;
import org.userec.train.Trainer;
import org.userec.util.HeapPeak;
import org.userec.util.Parallel;
import org.userec.util.Seeds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Time training epochs and full-ranking evaluations (validation + test in one pass) of a model on a dataset.",
      "Prints the median seconds of each (with the range) and the peak heap. Grid keys take their first value unless set.",
      "A host check before and after (a fixed dense product, a streaming add and random row gathers) shows whether",
      "the machine was busy: on a shared host, compare two runs only when their host checks are close.",
      "",
      "Example: userec bench -m LightGCN -d ../shared/data/baby --set n_layers=2"
    })
final class BenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "Model name.")
  String model;

  @Option(names = {"-d", "--dataset"}, required = true, paramLabel = "DATASET", description = "Dataset folder, or a name under data_path.")
  String dataset;

  @Option(names = "--epochs", defaultValue = "5", description = "Timed training epochs (after one warm-up; default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--evals", defaultValue = "5", description = "Timed evaluations (after one warm-up; default ${DEFAULT-VALUE}).")
  int evals;

  @Mixin Common common;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Session s = Session.open(model, dataset, common);
    Config cfg = s.config().expandGrid().get(0);
    List<String> grid = s.config().gridKeys();
    long loadStart = System.nanoTime();
    Dataset ds = s.dataset();
    double loadSec = (System.nanoTime() - loadStart) / 1e9;
    HeapPeak.reset();
    TrainSettings ts = TrainSettings.from(cfg);
    long b0 = System.nanoTime();
    Recommender rec = ModelRegistry.create(s.model(), new ModelContext(cfg, ds, Seeds.rng(ts.seed(), "init")));
    double buildSec = (System.nanoTime() - b0) / 1e9;
    Trainer trainer = new Trainer(ts, ds, null, List.of(), null);
    Adam adam = Trainer.newOptimizer(rec, ts);
    out.printf(Locale.ROOT, "%s on %s: %d users, %d items, %d train rows, batch %d (%d batches), %d threads%s%n",
        s.model(), s.located().name(), ds.numUsers(), ds.numItems(), ds.train().size(), ts.batchSize(), trainer.batchesPerEpoch(),
        Parallel.threads(), grid.isEmpty() ? "" : ", " + cfg.describe(grid));
    out.printf(Locale.ROOT, "load %.2fs, model build %.2fs%n", loadSec, buildSec);
    out.flush();
    out.printf(Locale.ROOT, "host check before: %s%n", HostCheck.measure().describe());
    out.flush();
    double[] train = new double[epochs];
    for (int e = -1; e < epochs; e++) {
      long t0 = System.nanoTime();
      long c0 = cpuNanos();
      long f0 = Kernels.gemmFlops();
      trainer.trainEpoch(rec, adam, e + 1);
      double sec = (System.nanoTime() - t0) / 1e9;
      double gflop = (Kernels.gemmFlops() - f0) / 1e9;
      if (e >= 0) {
        train[e] = sec;
      }
      Trainer.EpochPhases ph = trainer.lastEpochPhases();
      out.printf(Locale.ROOT,
          "  train epoch %s: %.3fs (cpu %.3fs; sampling %.3fs, forward %.3fs, backward %.3fs, optimizer %.3fs; %s)%n",
          e < 0 ? "warm-up" : Integer.toString(e + 1), sec, (cpuNanos() - c0) / 1e9, ph.sampling(), ph.forward(), ph.backward(), ph.optimizer(),
          gflop == 0 ? "no dense products" : String.format(Locale.ROOT, "dense products %.3g GFLOP, %.0f GFLOP/s over the epoch", gflop, gflop / sec));
      out.flush();
    }
    Evaluator ev = new Evaluator(ds, ts.topK());
    double[] eval = new double[evals];
    for (int e = -1; e < evals; e++) {
      long t0 = System.nanoTime();
      long c0 = cpuNanos();
      long f0 = Kernels.gemmFlops();
      ev.evaluate(rec.scorer());
      double sec = (System.nanoTime() - t0) / 1e9;
      double gflop = (Kernels.gemmFlops() - f0) / 1e9;
      if (e >= 0) {
        eval[e] = sec;
      }
      out.printf(Locale.ROOT, "  evaluation %s: %.3fs (cpu %.3fs; dense products %.3g GFLOP)%n",
          e < 0 ? "warm-up" : Integer.toString(e + 1), sec, (cpuNanos() - c0) / 1e9, gflop);
      out.flush();
    }
    double peak = HeapPeak.bytes() / 1048576.0; // before the host check's arrays
    out.printf(Locale.ROOT, "host check after: %s%n", HostCheck.measure().describe());
    out.printf(Locale.ROOT, "median train epoch %s, median evaluation (valid+test) %s, peak heap %.0f MB%n",
        summary(train), summary(eval), peak);
    return 0;
  }

  /**
   * "0.490s (0.426–0.612 over 5)": the median and the range, which on a shared machine shows how much the
   * neighbours moved the times; "none timed" for no runs.
   */
  static String summary(double[] a) {
    if (a.length == 0) {
      return "none timed";
    }
    double lo = Arrays.stream(a).min().orElseThrow();
    double hi = Arrays.stream(a).max().orElseThrow();
    return String.format(Locale.ROOT, "%.3fs (%.3f–%.3f over %d)", median(a), lo, hi, a.length);
  }

  /**
   * CPU time of the whole process (all threads, GC included). It includes the worker threads' short spins
   * between parallel steps (see Parallel), so it overstates the work of a multi-threaded epoch.
   */
  static long cpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  static double median(double[] a) {
    if (a.length == 0) {
      return Double.NaN;
    }
    double[] c = a.clone();
    Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }
}
