package org.userec.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.userec.BadInputException;
import org.userec.eval.DotScorer;
import org.userec.model.Scorer;
import org.userec.util.AtomicFiles;
import org.userec.util.Seeds;
import org.userec.viz.Tsne;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "tsne",
    mixinStandardHelpOptions = true,
    description = {
      "A 2-d t-SNE map of a seeded random sample of users' final embeddings (the USERec paper's Figure 5).",
      "Writes CSV 'user,x,y' with the dataset's internal user ids.",
      "",
      "Example: userec tsne --run runs/baby/USERec-20261128-101500 --out users-tsne.csv"
    })
final class TsneCommand implements Callable<Integer> {
  /** Iterations between progress lines. */
  static final int PROGRESS_EVERY = 50;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--run", required = true, paramLabel = "RUN", description = "A run folder (or one grid point's folder inside it).")
  Path run;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The CSV to write (replaced atomically).")
  Path out;

  @Option(names = "--params", paramLabel = "FILE", description = "Parameter file (default: RUN/best.params).")
  Path params;

  @Option(names = "--users", paramLabel = "N", defaultValue = "3000", description = "Users to sample (default: ${DEFAULT-VALUE}; all when fewer).")
  int users;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "999", description = "Drives the sample and the initial map (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--perplexity", paramLabel = "P", defaultValue = "30", description = "Effective neighbours per point (default: ${DEFAULT-VALUE}).")
  double perplexity;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "1000", description = "Gradient steps (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--learning-rate", paramLabel = "ETA", defaultValue = "200", description = "Step size (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Mixin Common common;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    if (users < 3) {
      throw new BadInputException("--users must be >= 3, got " + users);
    }
    Tsne.Settings settings = new Tsne.Settings(perplexity, iterations, learningRate, seed);
    long t0 = System.nanoTime();
    TrainedRun t = TrainedRun.load(run, params, common);
    DotScorer dot = dotScorer(t.session().model(), t.model().scorer());
    int[] sample = sample(dot.numUsers(), users, seed);
    int n = sample.length;
    if (perplexity >= n - 1) {
      throw new BadInputException(
          "--perplexity " + perplexity + " needs more than " + (int) Math.ceil(perplexity + 1) + " users, and "
              + (n < users ? "the dataset has " : "--users is ") + n + "; lower --perplexity or raise --users");
    }
    int d = dot.dim();
    float[] emb = dot.userEmbeddings();
    double[] x = new double[n * d];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < d; c++) {
        x[r * d + c] = emb[sample[r] * d + c];
      }
    }
    if (!common.quiet) {
      o.printf("t-SNE of %d of %d users of %s on %s (dim %d, perplexity %s, %d iterations, seed %d)%n",
          n, dot.numUsers(), t.session().model(), t.dataset().name(), d, fmt(perplexity), iterations, seed);
      o.flush();
    }
    long t1 = System.nanoTime();
    Tsne.Result r = Tsne.embed(x, n, d, settings, PROGRESS_EVERY, (it, kl) -> {
      if (!common.quiet && it < iterations) {
        o.printf("iteration %d/%d: KL %.4f (%.1fs)%n", it, iterations, kl, (System.nanoTime() - t1) / 1e9);
        o.flush();
      }
    });
    write(out, sample, r.y());
    o.printf("wrote %s: %d users, final KL %.4f (t-SNE %.1fs, total %.1fs)%n",
        out, n, r.kl(), (System.nanoTime() - t1) / 1e9, (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  /** The model's scorer as a user·item dot product, or a one-line error. */
  static DotScorer dotScorer(String model, Scorer scorer) {
    if (!(scorer instanceof DotScorer dot)) {
      throw new BadInputException(model + ": its scorer is not a user·item dot product, so it has no user embeddings to map");
    }
    return dot;
  }

  /** {@code k} distinct users of {@code numUsers} (all when fewer), ascending: a partial Fisher–Yates shuffle. */
  static int[] sample(int numUsers, int k, long seed) {
    int[] ids = new int[numUsers];
    for (int u = 0; u < numUsers; u++) {
      ids[u] = u;
    }
    int m = Math.min(k, numUsers);
    SplittableRandom rng = Seeds.rng(seed, "tsne-users");
    for (int i = 0; i < m; i++) {
      int j = i + rng.nextInt(numUsers - i);
      int tmp = ids[i];
      ids[i] = ids[j];
      ids[j] = tmp;
    }
    int[] chosen = Arrays.copyOf(ids, m);
    Arrays.sort(chosen);
    return chosen;
  }

  private static void write(Path out, int[] users, double[] y) {
    StringBuilder sb = new StringBuilder("user,x,y\n");
    for (int i = 0; i < users.length; i++) {
      sb.append(users[i]).append(',').append(y[2 * i]).append(',').append(y[2 * i + 1]).append('\n');
    }
    try {
      AtomicFiles.write(out, s -> s.write(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(out + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
