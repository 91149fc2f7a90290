package io.inmesh.cli;

import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigLoader;
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
 * {@code mesh convert FILE|DIR...}: loads the paths as one configuration (Istio and Linkerd resources translated,
 * native documents as they are) and prints the equivalent native YAML on stdout; problems go to stderr, so the output
 * can be redirected into a file that itself loads and validates.
 */
@Command(
    name = "convert",
    description = {
      "Prints the native InMesh YAML equivalent to a configuration, such as Istio and Linkerd manifests.",
      "All paths form ONE configuration; warnings and errors are printed to stderr."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:converted (warnings are printed to stderr)",
      "1:invalid: every problem is printed to stderr, nothing to stdout",
      "2:usage error",
      "3:internal error"
    })
final class ConvertCommand implements Callable<Integer> {

  @Spec CommandSpec spec = CommandSpec.create();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--strict", description = "Istio and Linkerd fields InMesh does not implement are errors.")
  boolean strict;

  @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Configuration files and directories.")
  List<Path> paths = new ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      LoadedConfig loaded = ConfigLoader.create().withStrict(strict).load(paths);
      loaded.warnings().forEach(err::println);
      out.println("# Native InMesh configuration equivalent to: "
          + String.join(" ", paths.stream().map(Path::toString).toList()));
      out.print(NativeYaml.write(loaded.config()));
      return ExitCodes.OK;
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      err.println("FAILED: " + ConfigSummary.count(e.errors().size(), "error", "errors"));
      return ExitCodes.INVALID;
    } finally {
      out.flush();
      err.flush();
    }
  }
}
