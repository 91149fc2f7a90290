package io.inmesh.samples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inmesh.ConfigStatus;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The live console table. Per service, route and subset it shows what the callers' meshes measured over the last
 * 30 s (read from each instance's admin page {@code /mesh/stats}, exactly what {@code mesh stat} shows for one
 * instance, summed over the fleet), per service what its servers received (from their metrics: requests, the mTLS
 * share, authorization denials), then the split of the last refresh interval, so an edit of the weights shows at the
 * next refresh.
 */
final class StatsBoard {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLEAR = "\033[H\033[2J";

  private final List<Instance> instances;
  private final DemoPorts ports;
  private final LoadGenerator.Counts load;
  private final Intruders intruders;
  private final int rps;
  private final String config;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private long lastV1;
  private long lastV2;

  StatsBoard(List<Instance> instances, DemoPorts ports, LoadGenerator.Counts load, Intruders intruders, int rps,
      String config) {
    this.instances = instances;
    this.ports = ports;
    this.load = load;
    this.intruders = intruders;
    this.rps = rps;
    this.config = config;
  }

  /** One row per service, route and subset, summed over the instances that called it. */
  private record Key(String service, String route, String subset) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      return (service + '\0' + route + '\0' + subset).compareTo(o.service + '\0' + o.route + '\0' + o.subset);
    }
  }

  private static final class Agg {
    double rps;
    long requests;
    double successes;
    double p50Weighted;
    double p99;
    long retries;
    long ejections;
  }

  /** Prints one refresh; {@code clear} redraws the terminal instead of scrolling. */
  void print(PrintStream out, long elapsedSeconds, boolean clear) {
    StringBuilder b = new StringBuilder();
    if (clear) {
      b.append(CLEAR);
    }
    ConfigStatus cs = instances.get(0).mesh().configStatus();
    b.append(String.format(Locale.ROOT, "InMesh demo  %ds  load %d rps  config v%d (%s)%s   Ctrl-C stops%n",
        elapsedSeconds, rps, cs.version(), config,
        cs.lastRejection() == null ? "" : "  last edit REJECTED: " + cs.lastRejection().problems().get(0)));
    b.append('\n');
    outbound(b);
    b.append('\n');
    inbound(b);
    b.append('\n');
    long v1 = load.v1.sum();
    long v2 = load.v2.sum();
    long d1 = v1 - lastV1;
    long d2 = v2 - lastV2;
    lastV1 = v1;
    lastV2 = v2;
    long canary = load.canary.sum();
    b.append(String.format(Locale.ROOT,
        "api-service split, ordinary traffic: last 2 s v1 %s v2 %s | since start v1 %s v2 %s | x-canary: true -> v2 %s%n",
        pct(d1, d1 + d2), pct(d2, d1 + d2), pct(v1, v1 + v2), pct(v2, v1 + v2), pct(load.canaryOnV2.sum(), canary)));
    long completed = load.completed.sum();
    b.append(String.format(Locale.ROOT, "users: %d requests, %d succeeded (%s)   intruders: %d refused in the TLS"
            + " handshake (untrusted CA), %d denied 403 (no permission)%s%n",
        completed, load.succeeded.sum(), pct(load.succeeded.sum(), completed), intruders.untrusted.sum(),
        intruders.forbidden.sum(), intruders.unexpected.sum() == 0 ? "" : ", " + intruders.unexpected.sum()
            + " unexpected (see the log)"));
    out.print(b);
    out.flush();
  }

  private void outbound(StringBuilder b) {
    Map<Key, Agg> rows = new TreeMap<>();
    for (Instance i : instances) {
      JsonNode page = stats(i.name());
      if (page == null) {
        continue;
      }
      for (JsonNode r : page.path("rows")) {
        if (!"outbound".equalsIgnoreCase(r.path("direction").asText())) {
          continue;
        }
        Agg a = rows.computeIfAbsent(
            new Key(r.path("service").asText(), r.path("route").asText(), r.path("subset").asText()), k -> new Agg());
        long n = r.path("requests").asLong();
        a.rps += r.path("rps").asDouble();
        a.requests += n;
        a.successes += n * r.path("successRate").asDouble();
        a.p50Weighted += n * r.path("p50Ms").asDouble();
        a.p99 = Math.max(a.p99, r.path("p99Ms").asDouble());
        a.retries += r.path("retries").asLong();
        a.ejections += r.path("ejections").asLong();
      }
    }
    List<String[]> t = new ArrayList<>();
    t.add(new String[] {"CALLS TO (last 30 s)", "ROUTE", "SUBSET", "RPS", "SUCCESS", "P50", "P99", "RETRIES",
        "EJECTIONS"});
    rows.forEach((k, a) -> t.add(new String[] {k.service(), k.route(), k.subset(),
        String.format(Locale.ROOT, "%.1f", a.rps), pct(a.successes, a.requests),
        ms(a.requests == 0 ? 0 : a.p50Weighted / a.requests), ms(a.p99), Long.toString(a.retries),
        Long.toString(a.ejections)}));
    table(b, t, 3);
  }

  private void inbound(StringBuilder b) {
    Map<String, double[]> byService = new TreeMap<>();
    for (Instance i : instances) {
      if (i.server() == null) {
        continue;
      }
      String m = i.scrape();
      double[] s = byService.computeIfAbsent(i.service(), k -> new double[3]);
      s[0] += Metrics.sum(m, "istio_requests_total", List.of("reporter=\"destination\""));
      s[1] += Metrics.sum(m, "istio_requests_total",
          List.of("reporter=\"destination\"", "connection_security_policy=\"mutual_tls\""));
      s[2] += Metrics.sum(m, "inmesh_authz_denials_total");
    }
    List<String[]> t = new ArrayList<>();
    t.add(new String[] {"SERVED BY (since start)", "REQUESTS", "MTLS", "DENIED"});
    byService.forEach((service, s) -> t.add(new String[] {service, Long.toString((long) s[0]), pct(s[1], s[0]),
        Long.toString((long) s[2])}));
    table(b, t, 1);
  }

  private @Nullable JsonNode stats(String instance) {
    if (!DemoPorts.ADMINS.contains(instance)) {
      return null;
    }
    try {
      HttpResponse<String> r = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.admin(instance) + "/mesh/stats"))
              .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null; // one unreachable admin page leaves its rows out of this refresh
    }
  }

  /** Appends {@code rows} (the first is the header) in columns: the first {@code left} left-aligned, others right. */
  static void table(StringBuilder b, List<String[]> rows, int left) {
    int[] w = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String cell = String.format("%" + (i < left ? "-" : "") + w[i] + "s", r[i]);
        line.append(i == 0 ? "" : "  ").append(cell);
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
  }

  static String pct(double part, double whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * part / whole);
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.1fms", v);
  }
}
