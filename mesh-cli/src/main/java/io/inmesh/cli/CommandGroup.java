package io.inmesh.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code mesh ca}, {@code mesh cert}): alone it is a usage error. */
abstract class CommandGroup implements Callable<Integer> {

  @Spec CommandSpec spec = CommandSpec.create();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": missing command");
    spec.commandLine().usage(err);
    return ExitCodes.USAGE;
  }
}
