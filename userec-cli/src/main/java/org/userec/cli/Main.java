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
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(Main::handle);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("error: " + ex.getMessage());
          err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
          return 2;
        });
    return cl;
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
      err.println("error: " + t.getMessage());
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
    err.println("error: " + ex);
    ex.printStackTrace(err);
    err.flush();
    return 1;
  }
}
