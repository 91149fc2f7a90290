package io.inmesh.resilience;

import io.inmesh.MeshException;
import io.inmesh.telemetry.FailureOutcome;

/**
 * A connection-pool limit of the destination is reached ({@code http2MaxRequests}, {@code maxConnections} plus {@code
 * http1MaxPendingRequests}): the request failed fast instead of queueing. Reported as 503 with response flag {@code UO}
 * (Envoy's overflow). Never retried: retrying an overload only adds to it.
 */
public final class OverloadedException extends MeshException implements FailureOutcome {
  private static final long serialVersionUID = 1L;
  private final String destination;
  private final int limit;

  /**
   * @param destination the destination ({@code namespace/service} or {@code namespace/service/subset})
   * @param limit the limit of concurrent requests that was reached
   */
  public OverloadedException(String destination, int limit) {
    super("overloaded: " + destination + " already has " + limit + " requests in flight (connectionPool limit)", null,
        false);
    this.destination = destination;
    this.limit = limit;
  }

  /** The destination whose limit was reached. */
  public String destination() {
    return destination;
  }

  /** The limit of concurrent requests. */
  public int limit() {
    return limit;
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
