package io.inmesh.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mesh demo}: runs the demo of the {@code samples} module in a JVM of its own. The demo needs Jetty, OkHttp and
 * the adapters, which the CLI jar does not carry; the {@code ./mesh} launcher builds the module and tells this
 * command where the checkout is ({@code -Dinmesh.home}), and the module writes its class path at package time
 * ({@code samples/target/demo.classpath}). The child inherits stdin, stdout and stderr, so {@code --json} output is
 * the child's stdout, untouched.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Runs a meshed fleet on localhost, with a live table of its traffic.",
      "A load generator calls frontend, which calls api-service (v1 x2, v2 x1:"
          + " 90/10, x-canary: true to v2), which calls payments (2 instances, one failing 20%% with 503: retries and"
          + " outlier detection mask it); an impostor with a certificate from another CA (refused in the TLS"
          + " handshake) and a workload without permission (403). Every call mutual TLS, one shared"
          + " samples/mesh.yaml (edit it while the demo runs: it reloads), a dev CA created on first run.",
      "Shows a table every 2 s; with --duration it stops by itself, with --json it then prints one summary object."
    })
final class DemoCommand implements Callable<Integer> {
  static final String HOME_PROPERTY = "inmesh.home";
  private static final String MAIN = "io.inmesh.samples.demo.DemoMain";

  @Spec CommandSpec spec = CommandSpec.create();

  @Option(names = "--duration", paramLabel = "DURATION",
      description = "Stop after this long (500ms, 30s, 2m, 1h). Default: run until Ctrl-C.")
  @Nullable String duration;

  @Option(names = "--json",
      description = "At the end print one JSON summary on stdout and nothing else there (no table; logs to the"
          + " log file, progress to stderr).")
  boolean json;

  @Option(names = "--base-port", paramLabel = "N",
      description = "Listen on ports N to N+19 (servers N.., admin pages N+10..) instead of the defaults (8080,"
          + " 8443-8445, 8543-8544, admin 9901-9908).")
  @Nullable Integer basePort;

  @Option(names = "--rps", paramLabel = "N", description = "Requests per second sent to frontend (default: 100).")
  @Nullable Integer rps;

  @Option(names = "--config", paramLabel = "FILE",
      description = "The shared mesh configuration (default: samples/mesh.yaml of the checkout).")
  @Nullable Path config;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where the dev CAs and the log file live (default: .inmesh of the checkout).")
  @Nullable Path stateDir;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    String home = System.getProperty(HOME_PROPERTY);
    Path root = home == null ? null : Path.of(home);
    Path classes = root == null ? null : root.resolve("samples/target/classes");
    Path classpath = root == null ? null : root.resolve("samples/target/demo.classpath");
    if (classes == null || classpath == null || !Files.isDirectory(classes) || !Files.isRegularFile(classpath)) {
      err.println("mesh demo: the demo is not built. Run it from a source checkout with ./mesh demo, which builds"
          + " the samples module first.");
      err.flush();
      return ExitCodes.INVALID;
    }
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.add("-cp");
    command.add(classes + File.pathSeparator + Files.readString(classpath, StandardCharsets.UTF_8).strip());
    command.add(MAIN);
    command.addAll(arguments(root));
    Process child = new ProcessBuilder(command).inheritIO().start();
    // Ctrl-C reaches the child too (same process group); this hook covers a plain kill of this JVM.
    Thread hook = new Thread(() -> {
      child.destroy();
      try {
        child.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mesh-demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = child.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // This JVM is being stopped (Ctrl-C, kill): the hook is stopping the demo; its summary is already printed.
    }
    return code;
  }

  /** The demo's own arguments: every option given, paths made absolute, defaults from the checkout. */
  List<String> arguments(Path root) {
    List<String> args = new ArrayList<>();
    if (duration != null) {
      args.add("--duration");
      args.add(duration);
    }
    if (json) {
      args.add("--json");
    }
    if (basePort != null) {
      args.add("--base-port");
      args.add(basePort.toString());
    }
    if (rps != null) {
      args.add("--rps");
      args.add(rps.toString());
    }
    args.add("--config");
    args.add((config != null ? config : root.resolve("samples/mesh.yaml")).toAbsolutePath().normalize().toString());
    args.add("--state-dir");
    args.add((stateDir != null ? stateDir : root.resolve(".inmesh")).toAbsolutePath().normalize().toString());
    return args;
  }

  private static String javaExecutable() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
