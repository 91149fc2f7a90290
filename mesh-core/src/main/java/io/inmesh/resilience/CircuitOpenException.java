package io.inmesh.resilience;

import io.inmesh.MeshException;
import io.inmesh.telemetry.FailureOutcome;

/**
 * The circuit breaker guarding the chosen endpoint (or the route) is open: the attempt failed fast without being
 * sent. Reported as 503 with response flag {@code UO}. Nothing reached the upstream, so a retry policy with {@code
 * connect-failure} (or {@code 5xx}, {@code gateway-error}, {@code reset}) tries another endpoint.
 */
public final class CircuitOpenException extends MeshException implements FailureOutcome {
  private static final long serialVersionUID = 1L;
  private final String breaker;

  /** @param breaker the breaker's name: {@code namespace/service|host:port} or {@code route:namespace/service/index} */
  public CircuitOpenException(String breaker) {
    super("circuit breaker '" + breaker + "' is open", null, false);
    this.breaker = breaker;
  }

  /** The name of the open breaker. */
  public String breaker() {
    return breaker;
  }

  @Override
  public int httpStatus() {
    return 503;
  }

  @Override
  public String responseFlag() {
    return "UO";
  }
}
