package io.inmesh.cli;

import io.inmesh.tls.internal.DevCa;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mesh ca init --dir DIR}: the development certificate authority. */
@Command(
    name = "ca",
    description = "The development certificate authority (for development and tests, not production).",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {CaCommand.Init.class})
final class CaCommand extends CommandGroup {

  /** {@code mesh ca init --dir DIR}. */
  @Command(
      name = "init",
      description = {
        "Creates a root CA (EC P-256, valid 10 years) in DIR: ca.crt, and ca.key with mode 0600.",
        "Applications configured with mesh.identity.devCa.directory: DIR issue themselves short-lived workload"
            + " certificates from it. Refuses to overwrite an existing CA."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:created", "1:a CA already exists in DIR, or DIR cannot be written", "2:usage error"})
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec = CommandSpec.create();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The CA directory (created).")
    Path dir;

    @Override
    public Integer call() {
      try {
        DevCa ca = DevCa.init(dir, Instant.now());
        PrintWriter out = spec.commandLine().getOut();
        out.println("created dev CA in " + ca.directory() + ": " + DevCa.CERT_FILE + ", " + DevCa.KEY_FILE
            + " (mode 0600), valid until " + ca.certificate().getNotAfter().toInstant());
        return ExitCodes.OK;
      } catch (FileAlreadyExistsException e) {
        spec.commandLine().getErr().println("mesh ca init: " + e.getFile() + " exists: " + e.getReason());
        return ExitCodes.INVALID;
      } catch (IOException e) {
        spec.commandLine().getErr().println("mesh ca init: cannot write " + dir + ": " + e);
        return ExitCodes.INVALID;
      }
    }
  }
}
