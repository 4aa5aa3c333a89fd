package org.userec.cli;

import java.io.PrintWriter;
import org.userec.BadInputException;
import org.userec.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code userec} command line. Exit codes: 0 success, 1 failure, 2 bad input (usage, files, config). */
@Command(
    name = "userec",
    mixinStandardHelpOptions = true,
    version = "userec 0.1.0",
    description = {
      "Multimodal recommendation on the JVM: USERec and its baselines under MMRec's protocol.",
      "",
      "Start with 'userec demo' (about a minute), then 'userec train -m LightGCN -d ../shared/data/baby'.",
      "A dataset is an MMRec folder: <name>.inter (userID, itemID, x_label) plus one .npy per modality."
    },
    subcommands = {
      DemoCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      StatsCommand.class,
      GenerateCommand.class,
      PrepareCommand.class,
      FeaturesCommand.class,
      BenchCommand.class,
      AblateCommand.class,
      CompareCommand.class,
      ReproduceCommand.class,
      ExportCommand.class,
      RecommendCommand.class,
      ServeCommand.class,
      LoadtestCommand.class,
      TsneCommand.class,
      KeysCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Exit codes: 0 success, 1 failure, 2 bad input. Run 'userec help COMMAND' for a command's options."})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit code (tests call this). */
  public static int execute(String... args) {
    CommandLine cl = commandLine();
    return cl.execute(args);
  }

  static CommandLine commandLine() {
    System.setProperty("userec.models", String.join(", ", org.userec.model.ModelRegistry.names()));
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(Main::handle);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("error: " + printable(ex.getMessage()) + hint(ex));
          err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
          return 2;
        });
    HelpText.apply(cl);
    return cl;
  }

  /** A did-you-mean for a misspelled subcommand, or the --set form of an option that is a config key. */
  private static String hint(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      CommandLine cl = ex.getCommandLine();
      if (!first.startsWith("-") && !cl.getSubcommands().isEmpty()) {
        String s = org.userec.config.ConfigLoader.suggestion(first, cl.getSubcommands().keySet());
        return s.isEmpty() ? "; commands: " + String.join(", ", cl.getSubcommands().keySet()) : "; unknown command" + s;
      }
      if (first.startsWith("--")) {
        String key = first.substring(2).replace('-', '_');
        int eq = key.indexOf('=');
        key = eq > 0 ? key.substring(0, eq) : key;
        if (org.userec.config.ConfigLoader.definedKeys("LightGCN").contains(key)) {
          return "; config keys are set with --set " + key + "=VALUE";
        }
      }
    }
    return "";
  }

  /**
   * The message with control and non-ASCII-printable bytes escaped: a message that quotes a binary or UTF-16
   * file must stay one readable line (and must not make a terminal or grep treat stderr as binary).
   */
  static String printable(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\t') {
        sb.append("\\t");
      } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0xfffd || Character.isSurrogate(c)) {
        sb.append(String.format("\\x%02x", (int) c & 0xff));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    Throwable t = ex;
    while (t.getCause() != null && !(t instanceof BadInputException) && !(t instanceof TrainingDivergedException)) {
      if (t.getCause() instanceof BadInputException || t.getCause() instanceof TrainingDivergedException) {
        t = t.getCause();
        break;
      }
      t = t.getCause();
    }
    if (t instanceof BadInputException) {
      err.println("error: " + printable(t.getMessage()));
      err.flush();
      return 2;
    }
    if (t instanceof TrainingDivergedException) {
      err.println("error: " + t.getMessage());
      err.flush();
      return 1;
    }
    if (t instanceof OutOfMemoryError) {
      err.println("error: out of memory; give the JVM more heap, e.g. USEREC_HEAP=8g bin/userec ...");
      err.flush();
      return 1;
    }
    String io = ioFailure(ex);
    if (io != null) { // a full disk, a vanished folder: the system's fault, not ours, and not a bug to trace
      err.println("error: " + printable(io));
      err.flush();
      return 1;
    }
    err.println("error: " + ex);
    ex.printStackTrace(err);
    err.flush();
    return 1;
  }

  /**
   * One line for an I/O failure anywhere in the cause chain: the outermost message (what we were doing) and the
   * innermost one (the system's reason, e.g. "File too large" or "No space left on device"); null if there is
   * no I/O failure in the chain.
   */
  static String ioFailure(Throwable ex) {
    Throwable io = null;
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException || t instanceof java.io.UncheckedIOException) {
        io = t;
        break;
      }
    }
    if (io == null) {
      return null;
    }
    Throwable root = io;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String what = io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage();
    String why = root == io ? "" : root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (root instanceof java.nio.file.NoSuchFileException) {
      why = "no such file or folder: " + why;
    } else if (root instanceof java.nio.file.AccessDeniedException) {
      why = "permission denied: " + why;
    }
    return what + (why.isEmpty() || what.contains(why) ? "" : " (" + why + ")") + "; check the disk space and permissions there";
  }
}
