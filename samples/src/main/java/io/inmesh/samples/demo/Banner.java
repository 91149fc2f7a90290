package io.inmesh.samples.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the demo prints before the table starts and after it ends. */
final class Banner {
  private Banner() {}

  static void print(PrintStream out, Demo demo, DemoOptions o, Path log, long startMillis) {
    DemoPorts p = demo.ports();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "InMesh demo: %d meshed workload instances on 127.0.0.1, started in %.1f s;"
        + " every call mutual TLS (STRICT) with a dev CA in %s%n%n", demo.instances().size(), startMillis / 1000.0,
        o.stateDir().resolve("demo-ca")));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"INSTANCE", "WHAT", "SERVES", "ADMIN (stats, metrics, config, tap)"});
    for (Instance i : demo.instances()) {
      String serves = i.server() == null ? "-" : "https://127.0.0.1:" + p.server(i.name());
      String admin = DemoPorts.ADMINS.contains(i.name()) ? "http://127.0.0.1:" + p.admin(i.name()) + "/mesh/stats"
          : "-";
      rows.add(new String[] {i.name(), what(i.name(), o.rps()), serves, admin});
    }
    StatsBoard.table(b, rows, 4);
    b.append(String.format(Locale.ROOT, "and an impostor claiming to be frontend with a certificate from another CA (%s)%n",
        o.stateDir().resolve("intruder-ca")));
    b.append(String.format(Locale.ROOT, "%nTry, while it runs:%n"
        + "  - edit %s: set the api-service weights to 50/50; the split line follows within seconds%n"
        + "  - ./mesh stat%s (one instance's view), ./mesh edges%s, ./mesh tap%s -n 5%n"
        + "  - call it yourself: ./mesh cert issue --ca %s --spiffe-id spiffe://cluster.local/ns/demo/sa/me"
        + " --out /tmp/me%n"
        + "    curl -sk --cert /tmp/me-chain.pem --key /tmp/me-key.pem -H 'x-canary: true' https://127.0.0.1:%d/%n"
        + "Log: %s%s%n%n",
        o.config(), adminArg(p), adminArg(p), adminArg(p), o.stateDir().resolve("demo-ca"), p.server("frontend"),
        log, o.duration() == null ? "   (Ctrl-C stops)" : "   (stops after " + o.duration().toSeconds() + " s)"));
    out.print(b);
    out.flush();
  }

  private static String adminArg(DemoPorts p) {
    int admin = p.admin("frontend");
    return admin == 9901 ? "" : " --admin http://127.0.0.1:" + admin;
  }

  private static String what(String instance, int rps) {
    return switch (instance) {
      case "frontend" -> "Jetty + filter; calls api-service";
      case "api-service-v1-a", "api-service-v1-b" -> "Jetty + filter; v1; calls payments";
      case "api-service-v2" -> "Spring Boot + starter (Tomcat); v2 (canary); calls payments";
      case "payments-a" -> "Jetty + filter";
      case "payments-b" -> "Jetty + filter; fails 20% with 503";
      case "loadgen" -> "client: " + rps + " rps to frontend, 1 in 20 with x-canary";
      case "intruder" -> "client: valid identity, no permission (403)";
      default -> "";
    };
  }

  static void summary(PrintStream out, DemoSummary s) {
    out.printf(Locale.ROOT, "%nDone after %d s: %d requests, %.2f%% succeeded; api-service v1 %.1f%% / v2 %.1f%%;"
            + " %d retries, %d ejections; %d untrusted and %d forbidden callers refused; mTLS share %.4f%n%s%n",
        s.durationSeconds(), s.requests(), 100 * s.successRate(), 100 * s.share(s.v1()), 100 * s.share(s.v2()),
        s.retries(), s.ejections(), s.untrusted(), s.forbidden(), s.mtlsShare(), s.toJson());
    out.flush();
  }
}
