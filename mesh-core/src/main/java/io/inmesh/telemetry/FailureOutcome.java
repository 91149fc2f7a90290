package io.inmesh.telemetry;

/**
 * Implemented by a request-path exception that knows how it should appear in metrics and the access log: the status
 * Envoy would report for it and its response flag. Exceptions that do not implement it are classified by their type
 * (see {@link TelemetryKeys} and the README's table).
 */
public interface FailureOutcome {
  /** The HTTP status to report, for example 503. */
  int httpStatus();

  /** The Envoy-style response flag, for example {@code UO}. */
  String responseFlag();
}
