package io.inmesh.resilience.internal;

import io.inmesh.config.TrafficPolicy.OutlierDetection;
import io.inmesh.discovery.Endpoint;
import io.inmesh.internal.Completions;
import io.inmesh.lb.EndpointState;
import io.inmesh.lb.LoadBalancing;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.resilience.CircuitOpenException;
import io.inmesh.resilience.OverloadedException;
import io.inmesh.routing.CompiledService;
import io.inmesh.telemetry.MeshTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Istio / Envoy outlier detection: an endpoint that answers {@code consecutive5xxErrors} 5xx in a row (connect
 * failures, resets and timeouts count, as Envoy does without split local-origin errors), or {@code
 * consecutiveGatewayErrors} 502/503/504 in a row, is ejected from load balancing for {@code baseEjectionTime} times
 * the number of times it has been ejected (capped at 300 s as Envoy's {@code max_ejection_time}), unless that would
 * take more than {@code maxEjectionPercent} of the service's endpoints out (at least one may always go), or fewer
 * than {@code minHealthPercent} are available (then detection pauses). The balancer's panic threshold still applies.
 *
 * <p>Counters live per service and endpoint address, across config reloads; ejection goes through the balancer's
 * {@link EndpointState#ejected(boolean)}, and release is a timer on the mesh scheduler.
 */
public final class OutlierDetector {
  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);
  private static final Duration MAX_EJECTION = Duration.ofSeconds(300);

  private final LoadBalancing lb;
  private final @Nullable MeshTelemetry telemetry;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier nanoTime;
  private final Counters counters;
  private final Map<TrackerKey, Tracker> trackers = new ConcurrentHashMap<>();

  /** A tracker's key: looked up on every attempt, so built from parts instead of a concatenated string. */
  private record TrackerKey(String serviceKey, String host, int port) {}

  /** One endpoint's run of errors and ejection history. */
  static final class Tracker {
    final AtomicInteger consecutive5xx = new AtomicInteger();
    final AtomicInteger consecutiveGateway = new AtomicInteger();
    int ejections; // guarded by this
    long releasedAtNanos; // guarded by this
  }

  public OutlierDetector(LoadBalancing lb, @Nullable MeshTelemetry telemetry, ScheduledExecutorService scheduler,
      LongSupplier nanoTime, Counters counters) {
    this.lb = lb;
    this.telemetry = telemetry;
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
    this.counters = counters;
  }

  /** Whether the policy detects anything (both thresholds 0 turns detection off). */
  public static boolean active(OutlierDetection od) {
    return od.consecutive5xxErrors() > 0 || od.consecutiveGatewayErrors() > 0;
  }

  /** Records the outcome of one attempt to {@code endpoint} of {@code service}. */
  public void record(CompiledService service, OutlierDetection od, Endpoint endpoint,
      @Nullable MeshResponse response, @Nullable Throwable failure) {
    boolean error5xx;
    boolean gateway;
    if (failure != null) {
      Throwable cause = Completions.unwrap(failure);
      if (cause instanceof CircuitOpenException || cause instanceof OverloadedException) {
        return; // refused locally: nothing reached the endpoint
      }
      FailureKind kind = FailureClassifier.classify(cause);
      if (kind == FailureKind.OTHER) {
        return; // a local decision or a cancellation says nothing about the endpoint
      }
      error5xx = true; // connect failure, reset, refused stream, timeout: locally originated, counted as 5xx
      gateway = true;
    } else if (response == null || response.isSynthesized()) {
      return; // made up by the mesh (a fault abort): the endpoint never answered
    } else {
      int status = response.status();
      error5xx = status >= 500;
      gateway = status == 502 || status == 503 || status == 504;
    }
    TrackerKey key = new TrackerKey(service.key(), endpoint.host(), endpoint.port());
    Tracker t = trackers.get(key);
    if (t == null) {
      t = trackers.computeIfAbsent(key, k -> new Tracker());
    }
    int n5xx = error5xx ? t.consecutive5xx.incrementAndGet() : resetTo0(t.consecutive5xx);
    int nGateway = gateway ? t.consecutiveGateway.incrementAndGet() : resetTo0(t.consecutiveGateway);
    boolean trip = (od.consecutive5xxErrors() > 0 && n5xx >= od.consecutive5xxErrors())
        || (od.consecutiveGatewayErrors() > 0 && nGateway >= od.consecutiveGatewayErrors());
    if (trip) {
      eject(service, od, endpoint, t);
    }
  }

  private static int resetTo0(AtomicInteger counter) {
    if (counter.get() != 0) {
      counter.set(0);
    }
    return 0;
  }

  /**
   * Serialised (ejections are rare: never on a request's happy path), so that two endpoints tripping at once cannot
   * both pass the maxEjectionPercent check against the same count.
   */
  private synchronized void eject(CompiledService service, OutlierDetection od, Endpoint endpoint, Tracker t) {
    EndpointState state = lb.endpointState(service.key(), endpoint.address());
    if (state == null || state.ejected()) {
      return;
    }
    List<EndpointState> all = lb.endpointStates(service.key());
    int total = all.size();
    long ejected = all.stream().filter(EndpointState::ejected).count();
    long available = all.stream().filter(EndpointState::available).count();
    if (total == 0 || ejected * 100.0 / total >= od.maxEjectionPercent()
        || available * 100.0 / total < od.minHealthPercent()) {
      return; // too many out already (or too few healthy: detection pauses); the endpoint keeps its errors count
    }
    long durationNanos;
    synchronized (t) {
      if (state.ejected()) {
        return;
      }
      long now = nanoTime.getAsLong();
      // A long healthy spell since the last release forgives earlier ejections (Envoy decrements the multiplier).
      if (t.ejections > 0 && now - t.releasedAtNanos > od.baseEjectionTime().toNanos() * t.ejections) {
        t.ejections = 0;
      }
      t.ejections++;
      durationNanos = Math.min(od.baseEjectionTime().toNanos() * t.ejections, MAX_EJECTION.toNanos());
      state.ejected(true);
      t.consecutive5xx.set(0);
      t.consecutiveGateway.set(0);
    }
    counters.ejections.increment();
    if (telemetry != null) {
      telemetry.outlierEjection(service.name());
    }
    log.info("ejected endpoint {} of {} for {} ms (ejection #{})", endpoint.address(), service.key(),
        TimeUnit.NANOSECONDS.toMillis(durationNanos), t.ejections);
    scheduler.schedule(() -> release(service.key(), endpoint.address(), t), durationNanos, TimeUnit.NANOSECONDS);
  }

  private void release(String serviceKey, String address, Tracker t) {
    EndpointState state = lb.endpointState(serviceKey, address);
    synchronized (t) {
      t.releasedAtNanos = nanoTime.getAsLong();
    }
    if (state != null) {
      state.ejected(false);
      log.info("released endpoint {} of {} back into load balancing", address, serviceKey);
    }
  }

  /** Forgets endpoints that are no longer in any service's set (after a reload or a discovery change). */
  public void retainKnownEndpoints(Set<String> serviceKeys) {
    Set<TrackerKey> live = serviceKeys.stream()
        .flatMap(k -> lb.endpointStates(k).stream()
            .map(s -> new TrackerKey(k, s.endpoint().host(), s.endpoint().port())))
        .collect(Collectors.toSet());
    trackers.keySet().retainAll(live);
  }
}
