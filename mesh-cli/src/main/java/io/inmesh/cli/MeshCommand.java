package io.inmesh.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The top-level {@code mesh} command. It does nothing itself: each task is a subcommand class, listed in
 * {@code subcommands} below (and so in {@code mesh --help}).
 *
 * <p>Tests run {@link #commandLine()} in-process with their own out/err writers; only {@link #main} exits the JVM.
 */
@Command(
    name = "mesh",
    mixinStandardHelpOptions = true,
    versionProvider = MeshVersion.class,
    description = "InMesh: an embeddable, in-process service mesh for the JVM.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:the input was checked and rejected; the reasons are printed",
      "2:usage error (unknown command or option, missing argument)",
      "3:internal error (a bug: please report the stack trace)"
    },
    footer = {"%nRun 'mesh COMMAND --help' for the options of a command."},
    subcommands = {
      ValidateCommand.class,
      ConvertCommand.class,
      ExplainCommand.class,
      CaCommand.class,
      CertCommand.class,
      StatCommand.class,
      EdgesCommand.class,
      TapCommand.class,
      ConfigCommand.class,
      EtcdCommands.Endpoints.class,
      CheckCommand.class,
      DemoCommand.class,
      HelpCommand.class,
    })
public final class MeshCommand implements Callable<Integer> {

  @Spec CommandSpec spec = CommandSpec.create();

  /** Runs {@code mesh} and exits with its exit code. */
  public static void main(String[] args) {
    // slf4j-simple logs INFO to stderr by default; a command-line tool stays quiet unless asked (-D...=info).
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(commandLine().execute(args));
  }

  /** A fully configured command line: every subcommand, and exit codes as documented in {@link ExitCodes}. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new MeshCommand());
    // Both handlers are set after the subcommands are registered, so that they apply to all of them.
    cl.setParameterExceptionHandler(MeshCommand::usageError);
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      cmd.getErr().println("mesh: internal error: " + ex);
      ex.printStackTrace(cmd.getErr());
      cmd.getErr().flush();
      return ExitCodes.INTERNAL_ERROR;
    });
    return cl;
  }

  /** {@code mesh} without a command prints the usage to stderr: a usage error. */
  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("mesh: missing command");
    spec.commandLine().usage(err);
    err.flush();
    return ExitCodes.USAGE;
  }

  /** One line naming the mistake (and the closest command or option for a typo), then where to find help. */
  private static int usageError(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("mesh: " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return ExitCodes.USAGE;
  }
}
