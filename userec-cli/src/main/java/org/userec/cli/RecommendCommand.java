package org.userec.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.userec.BadInputException;
import org.userec.export.ExportedModel;
import org.userec.export.Json;
import org.userec.export.Recommendations;
import org.userec.util.AtomicFiles;
import org.userec.util.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "recommend",
    mixinStandardHelpOptions = true,
    description = {
      "Top-k recommendations for every user (or those listed in --users) of an exported model, training items",
      "excluded, ties broken by lower item id as in evaluation. recs.tsv: one line per user, user<TAB>item1,item2,...;",
      "recs.jsonl: {\"user\": ..., \"items\": [...], \"scores\": [...]} per line.",
      "",
      "Example: userec recommend --model models/baby-lightgcn --k 20 --out recs.tsv"
    })
final class RecommendCommand implements Callable<Integer> {
  enum Ids { raw, internal }

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model folder written by 'userec export'.")
  Path modelDir;

  @Option(names = "--k", defaultValue = "20", paramLabel = "K", description = "List length (default 20).")
  int k;

  @Option(names = "--users", paramLabel = "FILE", description = "One user id per line (raw or internal); default: every user.")
  Path usersFile;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "recs.tsv or recs.jsonl (the extension picks the format).")
  Path out;

  @Option(names = "--ids", defaultValue = "raw", paramLabel = "raw|internal",
      description = "Write raw ids (from the dataset's id maps, when the model has them) or internal ids (default raw).")
  Ids ids;

  @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
  Integer threads;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    if (k < 1) {
      throw new BadInputException("--k must be >= 1, got " + k);
    }
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean jsonl = name.endsWith(".jsonl");
    if (!jsonl && !name.endsWith(".tsv")) {
      throw new BadInputException("--out " + out + ": the extension must be .tsv or .jsonl");
    }
    if (threads != null) {
      if (threads < 1) {
        throw new BadInputException("--threads must be >= 1, got " + threads);
      }
      Parallel.setThreads(threads);
    }
    long t0 = System.nanoTime();
    ExportedModel m = ExportedModel.load(modelDir);
    int[] users = usersFile == null ? Recommendations.allUsers(m) : readUsers(usersFile, m);
    float[][] scores = jsonl ? new float[users.length][] : null;
    int[][] lists;
    try (ProgressBar bar = System.console() == null ? null
        : new ProgressBarBuilder().setTaskName("recommend").setInitialMax(users.length).setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(200).continuousUpdate().clearDisplayOnFinish().build()) {
      lists = Recommendations.forUsers(m, users, k, scores, bar == null ? null : done -> bar.stepTo(done));
    }
    boolean raw = ids == Ids.raw;
    try {
      AtomicFiles.write(out, os -> {
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < users.length; r++) {
          sb.setLength(0);
          String user = raw && m.userIds() != null ? m.userIds()[users[r]] : Integer.toString(users[r]);
          if (jsonl) {
            sb.append("{\"user\": ");
            Json.string(sb, user);
            sb.append(", \"items\": [");
            for (int q = 0; q < lists[r].length; q++) {
              sb.append(q == 0 ? "" : ", ");
              Json.string(sb, item(m, lists[r][q], raw));
            }
            sb.append("], \"scores\": [");
            for (int q = 0; q < lists[r].length; q++) {
              sb.append(q == 0 ? "" : ", ").append(Json.number(scores[r][q]));
            }
            sb.append("]}\n");
          } else {
            sb.append(user).append('\t');
            for (int q = 0; q < lists[r].length; q++) {
              sb.append(q == 0 ? "" : ",").append(item(m, lists[r][q], raw));
            }
            sb.append('\n');
          }
          w.write(sb.toString());
        }
        w.flush();
      });
    } catch (IOException e) {
      throw new UncheckedIOException(out + ": cannot write (" + e.getMessage() + ")", e);
    }
    o.printf(Locale.ROOT, "%d users, top %d, %s ids, %d threads: %s (%.2fs)%n", users.length, k,
        raw && m.userIds() != null ? "raw" : "internal", Parallel.threads(), out, (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  private static String item(ExportedModel m, int item, boolean raw) {
    return raw && m.itemIds() != null ? m.itemIds()[item] : Integer.toString(item);
  }

  /** User ids, one per line: a raw id of the model's map, else an internal id; blank lines and '#' lines skipped. */
  static int[] readUsers(Path file, ExportedModel m) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read --users (" + e.getMessage() + ")");
    }
    Map<String, Integer> index = m.userIndex();
    List<Integer> out = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String s = lines.get(n).strip();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      Integer u = index.get(s);
      if (u == null) {
        try {
          u = Integer.parseInt(s);
        } catch (NumberFormatException e) {
          u = -1;
        }
        if (u < 0 || u >= m.numUsers()) {
          throw new BadInputException(file + ":" + (n + 1) + ": unknown user '" + s + "'; give a raw id from the model's u_id_mapping.csv or an internal id in [0, " + m.numUsers() + ")");
        }
      }
      out.add(u);
    }
    if (out.isEmpty()) {
      throw new BadInputException(file + ": lists no users; give one user id per line");
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
