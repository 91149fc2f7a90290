package io.inmesh.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** One in-process run of {@code mesh}: its exit code and what it printed, with line separators normalised. */
record CliRun(int exitCode, String out, String err) {

  static CliRun mesh(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = MeshCommand.commandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
    return new CliRun(code, normalise(out.toString()), normalise(err.toString()));
  }

  List<String> outLines() {
    return out.lines().toList();
  }

  private static String normalise(String text) {
    return text.replace(System.lineSeparator(), "\n");
  }
}
