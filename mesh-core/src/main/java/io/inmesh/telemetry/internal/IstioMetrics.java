package io.inmesh.telemetry.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The mesh's Prometheus metrics: Istio's standard request and TCP metrics (same names, labels and buckets, so that
 * Istio dashboards and the seed's PromQL work unchanged) and InMesh's own counters. Recording takes no lock: series
 * are found in concurrent maps and counted with {@link LongAdder}s. The number of series is bounded; what does not fit
 * is counted in {@code inmesh_metrics_series_dropped_total}.
 */
public final class IstioMetrics {
  /** Upper bound of request series (peer x response code x flags). */
  static final int MAX_REQUEST_SERIES = 10_000;

  static final int MAX_SERIES_PER_FAMILY = 2_000;

  private record SeriesKey(Peer peer, int code, String flags) {}

  /** One request series: a counter and three histograms. */
  public static final class RequestSeries {
    final Peer peer;
    final int code;
    final String flags;
    final String labelText;
    final LongAdder count = new LongAdder();
    final Histogram duration = new Histogram(Histogram.DURATION_MS_BUCKETS);
    final Histogram requestBytes = new Histogram(Histogram.BYTES_BUCKETS);
    final Histogram responseBytes = new Histogram(Histogram.BYTES_BUCKETS);

    RequestSeries(Peer peer, int code, String flags) {
      this.peer = peer;
      this.code = code;
      this.flags = flags;
      StringBuilder sb = new StringBuilder(peer.labelText.length() + 64).append(peer.labelText).append(',');
      Exposition.label(sb, "response_code", Integer.toString(code)).append(',');
      Exposition.label(sb, "response_flags", flags);
      this.labelText = sb.toString();
    }
  }

  private final ConcurrentHashMap<SeriesKey, RequestSeries> requests = new ConcurrentHashMap<>();
  private final LongAdder dropped = new LongAdder();
  private final LabeledCounters tcpOpened = family("istio_tcp_connections_opened_total", "counter",
      "TCP connections opened");
  private final LabeledCounters tcpClosed = family("istio_tcp_connections_closed_total", "counter",
      "TCP connections closed");
  private final LabeledCounters retries = family("inmesh_retries_total", "counter",
      "Retries sent (attempts after the first), per destination service and route");
  private final LabeledCounters budgetRefusals = family("inmesh_retry_budget_exhausted_total", "counter",
      "Retries the retry budget refused, per destination service and route");
  private final LabeledCounters ejections = family("inmesh_outlier_ejections_total", "counter",
      "Endpoints ejected by outlier detection, per destination service");
  private final LabeledCounters breakerTransitions = family("inmesh_circuit_breaker_transitions_total", "counter",
      "Circuit-breaker state changes, per destination service and new state");
  private final LabeledCounters breakersOpen = family("inmesh_circuit_breakers_open", "gauge",
      "Circuit breakers currently open, per destination service");
  private final LabeledCounters rateLimited = family("inmesh_rate_limited_total", "counter",
      "Requests rejected by a local rate limit (429, flag RL), per reporter and service");
  private final LabeledCounters authzDenials = family("inmesh_authz_denials_total", "counter",
      "Requests denied by authorization (403, flag RBAC), per deciding policy");
  private final LabeledCounters configReloads = family("inmesh_config_reloads_total", "counter",
      "Configuration changes, by result (applied, rejected)");
  private final AtomicLong configVersion = new AtomicLong();
  private final List<LongSupplierMetric> extraGauges = new ArrayList<>();

  private record LongSupplierMetric(String name, String help, LongSupplier value) {}

  private LabeledCounters family(String name, String type, String help) {
    return new LabeledCounters(name, type, help, MAX_SERIES_PER_FAMILY, dropped);
  }

  /** Records one request. Byte counts below zero mean unknown and are recorded as 0, as Envoy does. */
  public void recordRequest(Peer peer, int code, String flags, double durationMs, long requestBytes,
      long responseBytes) {
    RequestSeries s = series(peer, code, flags);
    if (s == null) {
      return;
    }
    s.count.increment();
    s.duration.record(durationMs);
    s.requestBytes.record(Math.max(0, requestBytes));
    s.responseBytes.record(Math.max(0, responseBytes));
  }

  private @Nullable RequestSeries series(Peer peer, int code, String flags) {
    RequestSeries last = peer.lastSeries;
    if (last != null && last.code == code && last.flags.equals(flags)) {
      return last;
    }
    SeriesKey key = new SeriesKey(peer, code, flags);
    RequestSeries s = requests.get(key);
    if (s == null) {
      if (requests.size() >= MAX_REQUEST_SERIES) {
        dropped.increment();
        return null;
      }
      s = requests.computeIfAbsent(key, k -> new RequestSeries(k.peer(), k.code(), k.flags()));
    }
    peer.lastSeries = s;
    return s;
  }

  public void connectionOpened(Peer peer) {
    tcpOpened.add(peer.labelText, 1);
  }

  public void connectionClosed(Peer peer) {
    tcpClosed.add(peer.labelText, 1);
  }

  public void retries(String service, String route, int count) {
    retries.add(serviceRoute(service, route), count);
  }

  public void retryBudgetExhausted(String service, String route) {
    budgetRefusals.add(serviceRoute(service, route), 1);
  }

  public void ejection(String service) {
    ejections.add(labels("destination_service", service), 1);
  }

  /** A breaker of {@code service} changed state; {@code opened}/{@code closed} adjust the open-breaker gauge. */
  public void breakerTransition(String service, String state, int openDelta) {
    String l = labels("destination_service", service);
    StringBuilder sb = new StringBuilder(l).append(',');
    Exposition.label(sb, "state", state);
    breakerTransitions.add(sb.toString(), 1);
    if (openDelta != 0) {
      breakersOpen.add(l, openDelta);
    }
  }

  public void rateLimited(String reporter, String service) {
    StringBuilder sb = new StringBuilder();
    Exposition.label(sb, "reporter", reporter).append(',');
    Exposition.label(sb, "service", service);
    rateLimited.add(sb.toString(), 1);
  }

  public void authzDenied(String policy) {
    authzDenials.add(labels("policy", policy), 1);
  }

  public void configApplied(long version) {
    configReloads.add(labels("result", "applied"), 1);
    configVersion.set(version);
  }

  public void configRejected() {
    configReloads.add(labels("result", "rejected"), 1);
  }

  /** A gauge of the caller's, written with the others (for example the tap's drop count). */
  public synchronized void gauge(String name, String help, LongSupplier value) {
    extraGauges.add(new LongSupplierMetric(name, help, value));
  }

  static String labels(String name, String value) {
    return Exposition.label(new StringBuilder(), name, value).toString();
  }

  private static String serviceRoute(String service, String route) {
    StringBuilder sb = new StringBuilder();
    Exposition.label(sb, "destination_service", service).append(',');
    return Exposition.label(sb, "route", route).toString();
  }

  /** Every request series, for the edges page. */
  public List<RequestSeries> requestSeries() {
    return List.copyOf(requests.values());
  }

  /** The exposition text of every metric. */
  public String scrape() {
    List<RequestSeries> all = new ArrayList<>(requests.values());
    all.sort(Comparator.comparing(s -> s.labelText));
    StringBuilder sb = new StringBuilder(4096 + all.size() * 2048);
    Exposition.header(sb, "istio_requests_total", "counter", "Requests, Istio standard metric");
    for (RequestSeries s : all) {
      Exposition.sample(sb, "istio_requests_total", s.labelText, s.count.sum());
    }
    Exposition.header(sb, "istio_request_duration_milliseconds", "histogram",
        "Request duration in milliseconds, Istio standard metric");
    for (RequestSeries s : all) {
      Exposition.histogram(sb, "istio_request_duration_milliseconds", s.labelText, s.duration);
    }
    Exposition.header(sb, "istio_request_bytes", "histogram", "Request body sizes in bytes, Istio standard metric");
    for (RequestSeries s : all) {
      Exposition.histogram(sb, "istio_request_bytes", s.labelText, s.requestBytes);
    }
    Exposition.header(sb, "istio_response_bytes", "histogram", "Response body sizes in bytes, Istio standard metric");
    for (RequestSeries s : all) {
      Exposition.histogram(sb, "istio_response_bytes", s.labelText, s.responseBytes);
    }
    for (LabeledCounters c : List.of(tcpOpened, tcpClosed, retries, budgetRefusals, ejections, breakerTransitions,
        breakersOpen, rateLimited, authzDenials, configReloads)) {
      c.write(sb);
    }
    Exposition.header(sb, "inmesh_config_version", "gauge", "Version of the configuration in force");
    Exposition.sample(sb, "inmesh_config_version", "", configVersion.get());
    List<LongSupplierMetric> gauges;
    synchronized (this) {
      gauges = List.copyOf(extraGauges);
    }
    for (LongSupplierMetric g : gauges) {
      Exposition.header(sb, g.name(), "gauge", g.help());
      Exposition.sample(sb, g.name(), "", g.value().getAsLong());
    }
    Exposition.header(sb, "inmesh_metrics_series_dropped_total", "counter",
        "Samples not recorded because a metric reached its series limit");
    Exposition.sample(sb, "inmesh_metrics_series_dropped_total", "", dropped.sum());
    return sb.toString();
  }

}
