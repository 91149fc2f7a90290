package io.inmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mesh edges}: who talks to whom, with identities and whether mTLS was used. */
@Command(name = "edges", mixinStandardHelpOptions = true,
    description = "Shows the edges a running workload saw: callers and callees, their identities, whether mTLS was"
        + " used, and the request count.")
final class EdgesCommand implements Callable<Integer> {
  @Spec CommandSpec spec = CommandSpec.create();
  @Mixin AdminClient admin = new AdminClient();

  @Option(names = "--json", description = "Print the admin's JSON instead of a table.")
  boolean json;

  @Override
  public Integer call() {
    return admin.show(spec, "/mesh/edges", json, page -> {
      Table t = new Table("DIRECTION", "SRC", "DST", "SRC_ID", "DST_ID", "SECURED", "REQUESTS");
      for (JsonNode e : page.get("edges")) {
        JsonNode mtls = e.get("mtls");
        t.row(e.get("direction").asText(), e.get("source").asText(), e.get("destination").asText(),
            e.get("sourcePrincipal").asText(), e.get("destinationPrincipal").asText(),
            mtls == null || mtls.isNull() ? "?" : mtls.asBoolean() ? "yes (mTLS)" : "no",
            e.get("requests").asLong());
      }
      return t;
    }, "no edges yet");
  }
}
