package io.inmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mesh stat}: the admin's sliding-window statistics per service, route and subset. */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Shows request rate, success rate, latency percentiles, retries and ejections per service, route"
        + " and subset over the last 30 s, read from a running mesh's admin endpoint.")
final class StatCommand implements Callable<Integer> {
  @Spec CommandSpec spec = CommandSpec.create();
  @Mixin AdminClient admin = new AdminClient();

  @Option(names = "--json", description = "Print the admin's JSON instead of a table.")
  boolean json;

  @Override
  public Integer call() {
    return admin.show(spec, "/mesh/stats", json, page -> {
      Table t = new Table("DIRECTION", "SERVICE", "ROUTE", "SUBSET", "SUCCESS", "RPS", "P50", "P95", "P99",
          "RETRIES", "EJECTED");
      for (JsonNode r : page.get("rows")) {
        t.row(r.get("direction").asText(), r.get("service").asText(), r.get("route").asText(),
            r.get("subset").asText(), String.format(Locale.ROOT, "%.2f%%", 100 * r.get("successRate").asDouble()),
            String.format(Locale.ROOT, "%.1f", r.get("rps").asDouble()), ms(r.get("p50Ms")), ms(r.get("p95Ms")),
            ms(r.get("p99Ms")), r.get("retries").asLong(), r.get("ejections").asLong());
      }
      return t;
    }, "no requests in the last 30 s");
  }

  static String ms(JsonNode n) {
    return n == null || n.isNull() ? "-" : String.format(Locale.ROOT, "%.1fms", n.asDouble());
  }
}
