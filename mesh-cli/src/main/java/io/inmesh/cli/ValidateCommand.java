package io.inmesh.cli;

import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.ConfigProblem;
import io.inmesh.config.LoadedConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mesh validate FILE|DIR...}: loads every path as one configuration, exactly as an application would, and prints
 * each problem as {@code FILE:LINE:COLUMN: field: message (expected: ...)} followed by a summary line.
 */
@Command(
    name = "validate",
    description = {
      "Checks mesh configuration: YAML syntax, field names and types, ranges, and references between services,"
          + " subsets and routes.",
      "All paths form ONE configuration (a directory contributes its *.yaml and *.yml files)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:valid (warnings are printed, but do not fail)",
      "1:invalid: every problem is printed, then FAILED: N errors",
      "2:usage error",
      "3:internal error"
    })
final class ValidateCommand implements Callable<Integer> {

  @Spec CommandSpec spec = CommandSpec.create();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Configuration files and directories.")
  List<Path> paths = new ArrayList<>();

  @Option(names = {"-q", "--quiet"}, description = "Print only the summary line (OK: ... or FAILED: ...).")
  boolean quiet;

  @Option(names = "--strict", description = "Fields of Istio and Linkerd resources that InMesh does not implement"
      + " are errors (without it: warnings, and the fields are ignored).")
  boolean strict;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      LoadedConfig loaded = ConfigLoader.create().withStrict(strict).load(paths);
      print(out, loaded.warnings());
      out.println("OK: " + ConfigSummary.of(loaded.config()));
      return ExitCodes.OK;
    } catch (ConfigException e) {
      print(out, e.problems());
      out.println("FAILED: " + ConfigSummary.count(e.errors().size(), "error", "errors"));
      return ExitCodes.INVALID;
    } finally {
      out.flush();
    }
  }

  private void print(PrintWriter out, List<ConfigProblem> problems) {
    if (!quiet) {
      problems.forEach(out::println);
    }
  }
}
