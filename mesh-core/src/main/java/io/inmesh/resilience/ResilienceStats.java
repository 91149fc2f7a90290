package io.inmesh.resilience;

import java.util.List;

/**
 * Counters of the resilience stages since the mesh started, and the circuit breakers' current states. A value: take
 * a new one to see later counts.
 *
 * @param retries retries sent (attempts after the first)
 * @param retriesExhausted requests that used all their retries and still failed (response flag {@code URX})
 * @param budgetRefusals retries the retry budget refused (the caller got the last failure)
 * @param retryOverflows retries refused because {@code connectionPool.http.maxRetries} were already outstanding
 * @param attemptTimeouts attempts ended by {@code perTryTimeout}, the route timeout or an inherited deadline
 * @param deadlineRejections inbound requests answered 504 because their propagated deadline had already passed
 * @param overloads requests that failed fast with {@link OverloadedException}
 * @param circuitOpenRejections attempts that failed fast with {@link CircuitOpenException}
 * @param breakerTransitions circuit-breaker state changes
 * @param ejections endpoints ejected by outlier detection
 * @param healthCheckFailures active health checks that failed (no answer, or an unexpected status)
 * @param breakers every circuit breaker and its state
 */
public record ResilienceStats(
    long retries,
    long retriesExhausted,
    long budgetRefusals,
    long retryOverflows,
    long attemptTimeouts,
    long deadlineRejections,
    long overloads,
    long circuitOpenRejections,
    long breakerTransitions,
    long ejections,
    long healthCheckFailures,
    List<BreakerState> breakers) {

  public ResilienceStats {
    breakers = List.copyOf(breakers);
  }

  /**
   * One circuit breaker.
   *
   * @param service the destination service ({@code namespace/name})
   * @param name the breaker's name: {@code namespace/name|host:port} (scope ENDPOINT) or {@code route:<route id>}
   * @param state {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}
   * @param failureRate the failure percentage over the window, or -1 while too few calls were recorded
   */
  public record BreakerState(String service, String name, String state, float failureRate) {}

  /** A circuit breaker changed state; delivered on the thread of the call that caused it (keep it short). */
  public record BreakerTransition(String service, String name, String from, String to) {}
}
