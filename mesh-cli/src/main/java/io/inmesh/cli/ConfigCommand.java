package io.inmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mesh config ...}: the configuration of a running workload. */
@Command(name = "config", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
    description = "Inspects the configuration of a running workload, or the shared configuration in etcd.",
    subcommands = {ConfigCommand.Show.class, EtcdCommands.Push.class, EtcdCommands.Get.class})
final class ConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec = CommandSpec.create();

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("mesh config: missing command");
    spec.commandLine().usage(err);
    err.flush();
    return ExitCodes.USAGE;
  }

  /** {@code mesh config show}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Shows the applied configuration's version, hash, source and load time, the last rejected"
          + " change and its errors, and (with --json) the whole configuration, secrets redacted.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec = CommandSpec.create();
    @Mixin AdminClient admin = new AdminClient();

    @Option(names = "--json", description = "Print the admin's JSON, configuration included.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        JsonNode c = admin.json("/mesh/config");
        if (json) {
          out.println(AdminClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(c));
          out.flush();
          return ExitCodes.OK;
        }
        Table t = new Table("FIELD", "VALUE");
        t.row("workload", c.get("workload").asText() + "." + c.get("namespace").asText());
        t.row("version", c.get("version").asLong());
        t.row("hash", c.get("hash").asText());
        t.row("source", c.get("source").asText());
        t.row("loaded at", c.get("loadedAt").asText());
        t.row("applied / rejected", c.get("appliedCount").asLong() + " / " + c.get("rejectedCount").asLong());
        t.row("services", c.get("config").get("services").size());
        t.row("tracing", c.get("tracing").asText());
        JsonNode r = c.get("lastRejection");
        t.row("last rejection", r == null || r.isNull() ? "none" : r.get("at").asText());
        t.print(out);
        if (r != null && !r.isNull()) {
          for (JsonNode e : r.get("errors")) {
            out.println("  " + e.asText());
          }
          out.flush();
        }
        return ExitCodes.OK;
      } catch (IOException e) {
        return Errors.print(spec, e);
      }
    }
  }
}
