package io.inmesh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** How the admin commands report an unreachable or failing admin endpoint: one line, exit code 1. */
final class Errors {
  private Errors() {}

  static int print(CommandSpec spec, IOException e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("mesh " + spec.name() + ": " + e.getMessage());
    err.println("hint: is the application running with admin.enabled, and is --admin its address?");
    err.flush();
    return ExitCodes.INVALID;
  }
}
