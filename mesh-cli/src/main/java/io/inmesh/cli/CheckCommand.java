package io.inmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.LoadedConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mesh check}: what {@code linkerd check} is to Linkerd. One line per check ({@code [ok]}, {@code [FAIL]} with a
 * hint, {@code [skip]} with the reason it could not be checked); exit code 1 when any check fails.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Checks a running workload: admin reachable, configuration loads and is the one applied,"
        + " identity certificate, healthy endpoints. One line per check; exit code 1 when any fails.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every check passed or was skipped", "1:a check failed (see its hint)", "2:usage error"})
final class CheckCommand implements Callable<Integer> {
  private static final Pattern UH_SERIES = Pattern.compile(
      "^istio_requests_total\\{reporter=\"source\"[^}]*destination_service_name=\"([^\"]*)\"[^}]*"
          + "response_flags=\"[^\"]*UH[^\"]*\"} ([0-9.e+]+)$", Pattern.MULTILINE);

  @Spec CommandSpec spec = CommandSpec.create();
  @Mixin AdminClient admin = new AdminClient();

  @Option(names = "--config", paramLabel = "FILE|DIR", split = ",",
      description = "The configuration the workload should run (checked to load, and to be the one applied).")
  List<Path> config = new ArrayList<>();

  private int failures;
  private PrintWriter out;

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    LoadedConfig local = checkConfigLoads();
    boolean reachable = checkAdmin();
    if (reachable) {
      checkApplied(local);
      checkIdentity();
      checkEndpoints();
    } else {
      skip("config applied", "admin not reachable");
      skip("identity certificate", "admin not reachable");
      skip("healthy endpoints", "admin not reachable");
    }
    out.println(failures == 0 ? "Status check results are OK" : failures + " check(s) failed");
    out.flush();
    return failures == 0 ? ExitCodes.OK : ExitCodes.INVALID;
  }

  private LoadedConfig checkConfigLoads() {
    if (config.isEmpty()) {
      skip("config loads", "no --config given");
      return null;
    }
    try {
      LoadedConfig loaded = ConfigLoader.create().load(config);
      ok("config loads", String.valueOf(ConfigSummary.of(loaded.config())));
      return loaded;
    } catch (ConfigException e) {
      fail("config loads", e.errors().size() + " error(s), first: " + e.errors().get(0),
          "run 'mesh validate " + config.get(0) + "' for every problem");
      return null;
    }
  }

  private boolean checkAdmin() {
    try {
      admin.get("/healthz");
      ok("admin reachable", admin.url);
      return true;
    } catch (IOException e) {
      fail("admin reachable", e.getMessage(), "start the workload with admin.enabled: true, or pass --admin URL");
      return false;
    }
  }

  private void checkApplied(LoadedConfig local) {
    try {
      JsonNode c = admin.json("/mesh/config");
      String applied = c.get("hash").asText();
      String detail = "v" + c.get("version").asLong() + " " + applied.substring(0, Math.min(12, applied.length()))
          + " from " + c.get("source").asText();
      JsonNode rejection = c.get("lastRejection");
      if (local != null && !local.contentHash().equals(applied)) {
        fail("config applied", "the workload runs " + detail + ", not the given configuration"
            + (rejection != null && !rejection.isNull() ? " (its last change was rejected: "
                + rejection.get("errors").get(0).asText() + ")" : ""),
            "check that the workload watches the same files; 'mesh config show' lists the rejection");
      } else if (local == null && rejection != null && !rejection.isNull()) {
        fail("config applied", detail + ", but the last change was rejected: " + rejection.get("errors").get(0)
            .asText(), "fix the configuration; 'mesh config show' lists every error");
      } else {
        ok("config applied", detail);
      }
    } catch (IOException e) {
      fail("config applied", e.getMessage(), "is --admin a mesh admin endpoint?");
    }
  }

  private void checkIdentity() {
    try {
      JsonNode c = admin.json("/mesh/config");
      JsonNode identity = c.get("identity");
      if (identity == null || identity.isNull()) {
        skip("identity certificate", "this workload's admin does not publish certificate state");
        return;
      }
      if (identity.path("healthy").asBoolean(false)) {
        ok("identity certificate", identity.path("detail").asText(""));
      } else {
        fail("identity certificate", identity.path("detail").asText("invalid"),
            "check the identity provider's files or dev CA; the mesh rotates certificates before expiry");
      }
    } catch (IOException e) {
      fail("identity certificate", e.getMessage(), "is --admin a mesh admin endpoint?");
    }
  }

  private void checkEndpoints() {
    try {
      String metrics = admin.get("/metrics");
      TreeSet<String> failing = new TreeSet<>();
      Matcher m = UH_SERIES.matcher(metrics);
      while (m.find()) {
        if (Double.parseDouble(m.group(2)) > 0) {
          failing.add(m.group(1));
        }
      }
      if (failing.isEmpty()) {
        ok("healthy endpoints", "no request failed for want of a healthy endpoint (UH)");
      } else {
        fail("healthy endpoints", "requests to " + failing + " found no healthy endpoint (UH)",
            "check the services' endpoints, discovery and outlier ejections ('mesh stat')");
      }
    } catch (IOException e) {
      fail("healthy endpoints", e.getMessage(), "is --admin a mesh admin endpoint?");
    }
  }

  private void ok(String check, String detail) {
    out.println("[ok]   " + check + ": " + detail);
  }

  private void skip(String check, String reason) {
    out.println("[skip] " + check + ": " + reason);
  }

  private void fail(String check, String detail, String hint) {
    failures++;
    out.println("[FAIL] " + check + ": " + detail);
    out.println("       hint: " + hint);
  }
}
