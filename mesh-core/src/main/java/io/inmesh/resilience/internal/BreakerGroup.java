package io.inmesh.resilience.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.resilience.ResilienceStats.BreakerState;
import io.inmesh.resilience.ResilienceStats.BreakerTransition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * The Resilience4j circuit breakers of one destination (service or subset), all built from its {@code
 * trafficPolicy.circuitBreaker}: one per endpoint (scope ENDPOINT) or one per route (scope ROUTE), created on first
 * use. The group is kept across reloads while that config is equal, so the breakers keep their state.
 */
public final class BreakerGroup {
  /** The key of an endpoint's breaker: the address without building a string per request. */
  private record EndpointKey(String host, int port) {}

  private final String service;
  private final String destination;
  private final TrafficPolicy.CircuitBreakerScope scope;
  private final CircuitBreakerConfig config;
  private final Consumer<BreakerTransition> onTransition;
  private final ConcurrentHashMap<Object, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  /**
   * @param service the destination's service key, reported with each transition
   * @param destination the destination's key (service or service/subset), the prefix of endpoint breaker names
   * @param cb the breaker settings
   * @param clock the mesh clock (Resilience4j measures the open state with it)
   * @param onTransition told of every state change
   */
  public BreakerGroup(String service, String destination, TrafficPolicy.CircuitBreaker cb, Clock clock,
      Consumer<BreakerTransition> onTransition) {
    this.service = service;
    this.destination = destination;
    this.scope = cb.scope();
    this.onTransition = onTransition;
    this.config = CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(cb.slidingWindowSize())
        .minimumNumberOfCalls(cb.minimumNumberOfCalls())
        .failureRateThreshold((float) cb.failureRateThreshold())
        .waitDurationInOpenState(cb.waitDurationInOpenState())
        .permittedNumberOfCallsInHalfOpenState(cb.permittedNumberOfCallsInHalfOpenState())
        // No thread of its own: the first call after the wait moves the breaker to HALF_OPEN.
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .clock(clock)
        .build();
  }

  /** Whether breakers of this group guard routes rather than endpoints. */
  public boolean perRoute() {
    return scope == TrafficPolicy.CircuitBreakerScope.ROUTE;
  }

  /** The breaker of endpoint {@code host:port}. */
  public CircuitBreaker endpoint(String host, int port) {
    return breakers.computeIfAbsent(new EndpointKey(host, port), k -> create(destination + "|"
        + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port));
  }

  /** The key of this group's service ({@code namespace/name}). */
  public String service() {
    return service;
  }

  /**
   * Forgets the breakers of endpoints {@code live} does not accept (endpoints that left the service's set: a pod
   * rescheduled under a new address must not leave its breaker behind for ever). Route breakers are kept.
   */
  public void retainEndpoints(BiPredicate<String, Integer> live) {
    breakers.keySet().removeIf(k -> k instanceof EndpointKey e && !live.test(e.host(), e.port()));
  }

  /** The breaker of route {@code routeId}. */
  public CircuitBreaker route(String routeId) {
    CircuitBreaker b = breakers.get(routeId);
    return b != null ? b : breakers.computeIfAbsent(routeId, k -> create("route:" + routeId));
  }

  private CircuitBreaker create(String name) {
    CircuitBreaker b = CircuitBreaker.of(name, config);
    b.getEventPublisher().onStateTransition(e -> onTransition.accept(new BreakerTransition(service, name,
        e.getStateTransition().getFromState().name(), e.getStateTransition().getToState().name())));
    return b;
  }

  /** The breakers' states. */
  public List<BreakerState> states() {
    List<BreakerState> out = new ArrayList<>();
    for (CircuitBreaker b : breakers.values()) {
      out.add(new BreakerState(service, b.getName(), b.getState().name(), b.getMetrics().getFailureRate()));
    }
    return out;
  }
}
