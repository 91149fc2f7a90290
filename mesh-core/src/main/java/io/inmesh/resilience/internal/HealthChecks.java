package io.inmesh.resilience.internal;

import io.inmesh.MeshSnapshot;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.lb.EndpointState;
import io.inmesh.lb.LoadBalancing;
import io.inmesh.routing.CompiledService;
import io.inmesh.tls.MeshClientTls;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.SpiffeId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active HTTP health checks ({@code trafficPolicy.healthCheck}): every {@code interval}, each endpoint of the service
 * gets a GET of {@code path}; {@code unhealthyThreshold} failures in a row mark it unhealthy (out of load balancing
 * through {@link EndpointState#healthy(boolean)}), {@code healthyThreshold} successes in a row bring it back. Checks
 * are asynchronous (java.net.http: mesh-core depends on no other HTTP client), over mTLS when the service's client
 * TLS mode is ISTIO_MUTUAL, with the server verified by the service's SPIFFE identity.
 */
public final class HealthChecks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

  private final LoadBalancing lb;
  private final @Nullable MeshTls tls;
  private final ScheduledExecutorService scheduler;
  private final Counters counters;
  private final Map<String, Checker> checkers = new HashMap<>(); // guarded by this
  private final Map<String, SpiffeId> identityByAddress = new ConcurrentHashMap<>();
  // Created on the first check: an HttpClient starts a selector thread and loads some 50 classes, which a mesh
  // without health checks (the usual case) should not pay for.
  private volatile @Nullable HttpClient plain;
  private volatile @Nullable HttpClient mtls;

  public HealthChecks(LoadBalancing lb, @Nullable MeshTls tls, ScheduledExecutorService scheduler, Counters counters) {
    this.lb = lb;
    this.tls = tls;
    this.scheduler = scheduler;
    this.counters = counters;
  }

  /** Starts, keeps or stops checkers to match the snapshot's health-check configs. */
  public synchronized void apply(MeshSnapshot snapshot) {
    Map<String, Checker> next = new HashMap<>();
    for (CompiledService s : snapshot.services().services()) {
      TrafficPolicy.HealthCheck hc = s.trafficPolicy().healthCheck();
      if (hc == null) {
        continue;
      }
      Checker have = checkers.remove(s.key());
      if (have != null && have.config.equals(hc) && have.tlsMode == s.trafficPolicy().tls().mode()) {
        next.put(s.key(), have.service(s));
      } else {
        if (have != null) {
          have.cancel();
        }
        next.put(s.key(), new Checker(s, hc));
      }
    }
    checkers.values().forEach(Checker::cancel);
    checkers.clear();
    checkers.putAll(next);
  }

  @Override
  public synchronized void close() {
    checkers.values().forEach(Checker::cancel);
    checkers.clear();
  }

  private HttpClient client(TrafficPolicy.ClientTlsMode mode) {
    if (mode != TrafficPolicy.ClientTlsMode.ISTIO_MUTUAL || tls == null) {
      HttpClient p = plain;
      if (p == null) {
        plain = p = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
      }
      return p;
    }
    HttpClient c = mtls;
    if (c == null) {
      MeshClientTls clientTls = tls.clientByAddress(identityByAddress::get);
      SSLParameters params = new SSLParameters();
      params.setEndpointIdentificationAlgorithm(null);
      c = HttpClient.newBuilder().sslContext(clientTls.sslContext()).sslParameters(params)
          .followRedirects(HttpClient.Redirect.NEVER).build();
      mtls = c;
    }
    return c;
  }

  /** The checks of one service. */
  private final class Checker {
    private final TrafficPolicy.HealthCheck config;
    private final TrafficPolicy.ClientTlsMode tlsMode;
    private volatile CompiledService service;
    private final Map<String, int[]> runs = new ConcurrentHashMap<>(); // address -> {successes, failures}
    private final ScheduledFuture<?> task;

    Checker(CompiledService service, TrafficPolicy.HealthCheck config) {
      this.service = service;
      this.config = config;
      this.tlsMode = service.trafficPolicy().tls().mode();
      long period = config.interval().toNanos();
      this.task = scheduler.scheduleWithFixedDelay(this::round, 0, period, TimeUnit.NANOSECONDS);
    }

    Checker service(CompiledService s) {
      this.service = s; // same config: keep counts, follow the new snapshot's service object
      return this;
    }

    void cancel() {
      task.cancel(false);
    }

    private void round() {
      CompiledService s = service;
      for (EndpointState state : lb.endpointStates(s.key())) {
        check(s, state);
      }
    }

    private void check(CompiledService s, EndpointState state) {
      boolean secure = tlsMode != TrafficPolicy.ClientTlsMode.DISABLE;
      if (tlsMode == TrafficPolicy.ClientTlsMode.ISTIO_MUTUAL) {
        if (!s.identity().equals(identityByAddress.get(state.address()))) {
          identityByAddress.put(state.address(), s.identity());
        }
      }
      HttpRequest request;
      try {
        request = HttpRequest.newBuilder(URI.create((secure ? "https://" : "http://") + state.address()
            + config.path())).timeout(config.timeout()).GET().build();
      } catch (IllegalArgumentException e) {
        log.warn("cannot health-check {} of {}: {}", state.address(), s.key(), e.getMessage());
        return;
      }
      client(tlsMode).sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
        boolean ok = e == null && config.expectedStatuses().contains(r.statusCode());
        if (!ok) {
          counters.healthCheckFailures.increment();
        }
        result(s, state, ok, e != null ? e.toString() : "status " + r.statusCode());
      });
    }

    private void result(CompiledService s, EndpointState state, boolean ok, String detail) {
      int[] run = runs.computeIfAbsent(state.address(), a -> new int[2]);
      synchronized (run) {
        if (ok) {
          run[0]++;
          run[1] = 0;
          if (!state.healthy() && run[0] >= config.healthyThreshold()) {
            state.healthy(true);
            log.info("endpoint {} of {} passed {} health checks: back in load balancing", state.address(),
                s.key(), run[0]);
          }
        } else {
          run[1]++;
          run[0] = 0;
          if (state.healthy() && run[1] >= config.unhealthyThreshold()) {
            state.healthy(false);
            log.warn("endpoint {} of {} failed {} health checks ({}): out of load balancing", state.address(),
                s.key(), run[1], detail);
          }
        }
      }
    }
  }
}
