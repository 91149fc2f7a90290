package io.inmesh.pipeline;

/** The roles of the outbound (client) pipeline, outermost first. */
public enum OutboundRole implements StageRole {
  /**
   * Client span, request metrics and access log. Outermost so that it sees the logical request once, with the final
   * outcome after retries, as Istio's source-side metrics do.
   */
  TELEMETRY,
  /**
   * Route match and weighted destination choice. Everything below depends on the route (timeout, retries, fault,
   * mirror, balancer), and the split is decided once per request, not per attempt.
   */
  ROUTING,
  /** Fault injection: a delay or an abort instead of the call; before retries, which a fault route disables. */
  FAULT,
  /** Fire-and-forget copies to mirror destinations; before retries so that a mirror gets one copy, not one per try. */
  MIRROR,
  /** The route timeout and the inherited deadline: bounds every attempt and every backoff together. */
  DEADLINE,
  /** Retries with budget and backoff; each retry runs everything below again, so it picks a new endpoint. */
  RETRY,
  /** Connection-pool limits: over a limit fail fast ({@code UO}) rather than queue. */
  OVERLOAD,
  /** Endpoint choice for this attempt (per attempt, so a retry avoids the endpoint that just failed). */
  LOAD_BALANCER,
  /** Per-endpoint circuit breaker and outlier accounting; needs the endpoint the balancer chose. */
  CIRCUIT_BREAKER,
  /** The per-try timeout; innermost so that it bounds exactly one send. */
  ATTEMPT_TIMEOUT;

  @Override
  public Direction direction() {
    return Direction.OUTBOUND;
  }
}
