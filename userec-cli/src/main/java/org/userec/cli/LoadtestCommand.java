package org.userec.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.userec.BadInputException;
import org.userec.serve.LoadTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "loadtest",
    mixinStandardHelpOptions = true,
    description = {
      "Load a running 'userec serve': N clients on GET /v1/users/{user}/recommendations (random users) and, in the",
      "same run, N clients on GET /health (the host's HTTP floor), each sending its next request when the answer",
      "arrives. Prints requests/s and p50/p90/p99/max latency per route (HdrHistogram), errors, and the server's",
      "resident memory after the warm-up and at the end.",
      "",
      "Example: userec loadtest --url http://127.0.0.1:8080 --seconds 60 --concurrency 4"
    })
final class LoadtestCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--url", required = true, paramLabel = "URL", description = "The service, e.g. http://127.0.0.1:8080")
  String url;

  @Option(names = "--seconds", defaultValue = "60", paramLabel = "S", description = "Measured seconds (default 60).")
  int seconds;

  @Option(names = "--warmup", defaultValue = "10", paramLabel = "S", description = "Unmeasured seconds first (default 10).")
  int warmup;

  @Option(names = "--concurrency", defaultValue = "4", paramLabel = "N", description = "Clients per route (default 4).")
  int concurrency;

  @Option(names = "--k", defaultValue = "20", paramLabel = "K", description = "List length asked for (default 20).")
  int k;

  @Option(names = "--seed", defaultValue = "999", paramLabel = "SEED", description = "Seed of the random users (default 999).")
  long seed;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    URI base;
    try {
      base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--url '" + url + "' is not a URL (" + e.getMessage() + ")");
    }
    if (base.getScheme() == null || !base.getScheme().startsWith("http") || base.getHost() == null) {
      throw new BadInputException("--url '" + url + "' must be http://HOST:PORT");
    }
    if (seconds < 1 || warmup < 0 || concurrency < 1 || k < 1) {
      throw new BadInputException("--seconds and --concurrency and --k must be >= 1 and --warmup >= 0");
    }
    LoadTest.Result r;
    try {
      r = LoadTest.run(new LoadTest.Options(base, seconds, warmup, concurrency, k, seed));
    } catch (IllegalStateException e) {
      throw new BadInputException(e.getMessage());
    }
    out.printf("host: %s, %d cores; %d clients per route, %d s after a %d s warm-up%n", host(), Runtime.getRuntime().availableProcessors(), concurrency, seconds, warmup);
    out.print(r.table());
    out.flush();
    return r.routes().stream().anyMatch(x -> x.errors() > 0) ? 1 : 0;
  }

  /** The CPU model and its widest vector extension, from /proc/cpuinfo (Linux). */
  static String host() {
    try {
      String model = null;
      String flags = "";
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (model == null && line.startsWith("model name")) {
          model = line.substring(line.indexOf(':') + 1).strip();
        }
        if (flags.isEmpty() && line.startsWith("flags")) {
          flags = " " + line.substring(line.indexOf(':') + 1) + " ";
        }
      }
      String simd = flags.contains(" avx512f ") ? "AVX-512" : flags.contains(" avx2 ") ? "AVX2" : "no AVX2";
      return (model == null ? "unknown CPU" : model) + " (" + simd + ")";
    } catch (IOException e) {
      return System.getProperty("os.arch");
    }
  }
}
