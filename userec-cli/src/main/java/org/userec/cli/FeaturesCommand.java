package org.userec.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.userec.BadInputException;
import org.userec.features.MllmFeatures;
import org.userec.features.OpenAiEmbeddingsClient;
import org.userec.features.Pca;
import org.userec.features.TextFeatures;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "features",
    mixinStandardHelpOptions = true,
    description = {
      "Compute item features for a dataset folder (rows = items in id order). See docs/features.md.",
      "  text  all-MiniLM-L6-v2 sentence embeddings (384-d) of each item's text, in process",
      "  mllm  USERec's text-guided visual features from a multimodal LLM server, resumable, PCA to 768-d",
      "  pca   reduce any .npy to fewer dimensions"
    },
    subcommands = {FeaturesCommand.Text.class, FeaturesCommand.Mllm.class, FeaturesCommand.PcaCmd.class})
final class FeaturesCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static void requireFile(Path p, String option) {
    if (!Files.isRegularFile(p)) {
      throw new BadInputException(option + " " + p + ": no such file; check the path");
    }
  }

  @Command(
      name = "text",
      mixinStandardHelpOptions = true,
      description = {
        "Sentence embeddings of each item (MMRec's recipe: title brand categories description; a title-only table",
        "gives the title), float32 text_feat.npy.",
        "",
        "Example: userec features text --items data/baby/items.tsv --out data/baby/text_feat.npy",
        "         userec features text --items items.tsv --column name --out text_feat.npy   (the text is in column 'name')"
      })
  static final class Text implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--items", required = true, paramLabel = "FILE", description = "Item table (items.tsv: itemID plus title and more).")
    Path items;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Output .npy (e.g. DATASET/text_feat.npy).")
    Path out;

    @Option(names = "--batch", defaultValue = "64", description = "Texts per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", description = "Encoder threads (default: all cores).")
    Integer threads;

    @Option(names = "--column", paramLabel = "COLUMN", description = "Encode this column of the table alone (e.g. --column name), instead of MMRec's recipe.")
    String column;

    @Option(names = "--template", paramLabel = "TEXT", description = "Encode a text built from columns, e.g. --template '{title}. {description}'.")
    String template;

    @Option(names = "--allow-empty", description = "Encode items whose text is empty (they all get one identical embedding).")
    boolean allowEmpty;

    @Override
    public Integer call() {
      requireFile(items, "--items");
      if (column != null && template != null) {
        throw new BadInputException("--column and --template both choose the text; give one of them");
      }
      String recipe = column != null ? "{" + column + "}" : template;
      PrintWriter w = spec.commandLine().getOut();
      int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
      try {
        TextFeatures.run(items, out, batch, t, recipe, allowEmpty, line -> {
          w.println(line);
          w.flush();
        });
      } catch (IllegalStateException e) {
        spec.commandLine().getErr().println("error: " + e.getMessage());
        return 1;
      }
      return 0;
    }
  }

  @Command(
      name = "mllm",
      mixinStandardHelpOptions = true,
      description = {
        "USERec's fused visual features: each item's filled prompt and image go to an OpenAI-compatible",
        "/v1/embeddings server (vLLM serving a VLM as a pooling model, docs/features.md); vectors are cached as",
        "they arrive (rerun the same command to resume), then L2-normalised and reduced by PCA.",
        "",
        "Example: userec features mllm --items data/baby/items.tsv --server http://localhost:8000 \\",
        "           --model XiaomiMiMo/MiMo-VL-7B-RL --out data/baby/image_feat.npy"
      })
  static final class Mllm implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--items", required = true, paramLabel = "FILE", description = "Item table (items.tsv).")
    Path items;

    @Option(names = "--images", paramLabel = "DIR", description = "Local images named <asin>.jpg|png|webp|gif or <itemID>.<ext>; default: the table's image column.")
    Path images;

    @Option(names = "--server", defaultValue = "http://127.0.0.1:8000", description = "Server base URL (default ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--model", required = true, description = "Model name as the server knows it.")
    String model;

    @Option(names = "--pooling", defaultValue = "mean,layer=-2", description = "What the server was started to pool; part of the cache key (default ${DEFAULT-VALUE}).")
    String pooling;

    @Option(names = "--api-key-env", paramLabel = "VAR", description = "Environment variable holding a bearer token, if the server needs one.")
    String apiKeyEnv;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Output .npy (e.g. DATASET/image_feat.npy).")
    Path out;

    @Option(names = "--cache", paramLabel = "FILE", description = "Append-only cache of finished items (default: <out>.cache).")
    Path cache;

    @Option(names = "--dims", defaultValue = "768", description = "PCA output dimensions, 0 = none (default ${DEFAULT-VALUE}).")
    int dims;

    @Option(names = "--concurrency", defaultValue = "4", description = "Requests in flight (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--retries", defaultValue = "4", description = "Retries of a failed request, with backoff (default ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--timeout", defaultValue = "300", description = "Seconds per request (default ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--sync", description = "Force each cached record to disk (survives power loss, slower).")
    boolean sync;

    @Override
    public Integer call() {
      requireFile(items, "--items");
      PrintWriter w = spec.commandLine().getOut();
      OpenAiEmbeddingsClient.Settings s;
      try {
        s = new OpenAiEmbeddingsClient.Settings(java.net.URI.create(server), model, null, Duration.ofSeconds(timeout), retries, Duration.ofSeconds(2));
      } catch (IllegalArgumentException e) {
        throw new BadInputException("--server " + server + ": " + e.getMessage() + "; give a URL like http://127.0.0.1:8000");
      }
      if (apiKeyEnv != null) {
        String key = System.getenv(apiKeyEnv);
        if (key == null || key.isBlank()) {
          throw new BadInputException("--api-key-env " + apiKeyEnv + ": the variable is not set; export it or drop the option");
        }
        s = s.withApiKey(key);
      }
      Path c = cache != null ? cache : out.resolveSibling(out.getFileName() + ".cache");
      MllmFeatures.Spec ms = new MllmFeatures.Spec(items, images, c, out, dims, concurrency, sync);
      try {
        MllmFeatures.run(ms, new OpenAiEmbeddingsClient(s), MllmFeatures.cacheKey(model, pooling), line -> {
          w.println(line);
          w.flush();
        });
      } catch (MllmFeatures.ExtractionStopped e) {
        spec.commandLine().getErr().println("error: " + e.getMessage());
        return 1;
      }
      return 0;
    }
  }

  @Command(
      name = "pca",
      mixinStandardHelpOptions = true,
      description = {"Reduce any 2-D .npy (float16/32/64) to fewer dimensions by PCA; prints the explained variance.", "",
          "Example: userec features pca --in image_feat.npy --out image_feat_64.npy --dims 64"})
  static final class PcaCmd implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "Input .npy.")
    Path in;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Output .npy (float32).")
    Path out;

    @Option(names = "--dims", required = true, description = "Output dimensions.")
    int dims;

    @Override
    public Integer call() {
      requireFile(in, "--in");
      if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
        throw new BadInputException("--out " + out + " is the input file; write to another file");
      }
      PrintWriter w = spec.commandLine().getOut();
      Pca.run(in, out, dims, line -> w.println(line));
      w.flush();
      return 0;
    }
  }
}
