package io.inmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mesh tap}: a live stream of request summaries from the admin's server-sent events. */
@Command(name = "tap", mixinStandardHelpOptions = true,
    description = "Streams live request summaries from a running workload. The stream is bounded: when this reader"
        + " is slow, the workload drops events (and counts them) rather than slowing its requests.")
final class TapCommand implements Callable<Integer> {
  @Spec CommandSpec spec = CommandSpec.create();
  @Mixin AdminClient admin = new AdminClient();

  @Option(names = "--service", description = "Only this service (destination outbound, this workload inbound).")
  String service;

  @Option(names = "--path", description = "Only paths starting with this prefix.")
  String path;

  @Option(names = "--method", description = "Only this method.")
  String method;

  @Option(names = "--status", description = "Only this status (503) or class (5xx).")
  String status;

  @Option(names = {"-n", "--max"}, description = "Stop after this many requests.")
  Long max;

  @Option(names = "--seconds", description = "Stop after this many seconds.")
  Long seconds;

  @Option(names = "--json", description = "Print each event's JSON instead of a line.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    StringBuilder q = new StringBuilder("/mesh/tap?");
    param(q, "service", service);
    param(q, "path", path);
    param(q, "method", method);
    param(q, "status", status);
    param(q, "limit", max == null ? null : max.toString());
    param(q, "seconds", seconds == null ? null : seconds.toString());
    try (BufferedReader r = new BufferedReader(new InputStreamReader(admin.stream(q.toString()),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.startsWith("data: ")) {
          continue;
        }
        String event = line.substring(6);
        if (json) {
          out.println(event);
        } else {
          JsonNode e = AdminClient.JSON.readTree(event);
          out.println(String.format(Locale.ROOT, "%s %s %s %s%s -> %d %s %.1fms attempts=%d endpoint=%s",
              e.get("start_time").asText(), e.get("direction").asText(), e.get("method").asText(),
              e.get("authority").asText(), e.get("path").asText(), e.get("status").asInt(),
              e.get("response_flags").asText(), e.get("duration_ms").asDouble(), e.get("attempts").asInt(),
              e.get("upstream_endpoint").isNull() ? "-" : e.get("upstream_endpoint").asText()));
        }
        out.flush();
      }
      return ExitCodes.OK;
    } catch (IOException e) {
      return Errors.print(spec, e);
    }
  }

  private static void param(StringBuilder q, String name, String value) {
    if (value != null) {
      q.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&');
    }
  }
}
