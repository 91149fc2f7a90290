package io.inmesh.resilience;

import io.inmesh.MeshException;
import io.inmesh.telemetry.FailureOutcome;

/**
 * A request or one attempt of it ran out of time: the route {@code timeout}, the {@code perTryTimeout}, or a deadline
 * inherited from the request being served ({@link MeshDeadline}). Reported as 504 with response flag {@code UT}.
 */
public final class MeshTimeoutException extends MeshException implements FailureOutcome {
  private static final long serialVersionUID = 1L;

  public MeshTimeoutException(String message) {
    super(message, null, false); // an expected outcome on the request path: no stack trace
  }

  @Override
  public int httpStatus() {
    return 504;
  }

  @Override
  public String responseFlag() {
    return "UT";
  }
}
