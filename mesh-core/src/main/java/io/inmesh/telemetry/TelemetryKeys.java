package io.inmesh.telemetry;

import io.inmesh.pipeline.MeshContext;

/**
 * {@link MeshContext} attributes that adapters and stages set for telemetry to read when the request completes. All
 * are optional: telemetry falls back as documented on each.
 */
public final class TelemetryKeys {
  private TelemetryKeys() {}

  /**
   * Set by an adapter: the request body size in bytes, once known (after the body was sent or read). Without it,
   * the request's {@code Content-Length} header is used, else the size is reported as unknown (0).
   */
  public static final MeshContext.Key<Long> REQUEST_BYTES = MeshContext.Key.of("inmesh.telemetry.requestBytes");

  /**
   * Set by an adapter: the response body size in bytes. Without it, the response's {@code Content-Length} header is
   * used, else the size is reported as unknown (0).
   */
  public static final MeshContext.Key<Long> RESPONSE_BYTES = MeshContext.Key.of("inmesh.telemetry.responseBytes");

  /** Set by the retry stage when the retry budget refused a retry of this request. */
  public static final MeshContext.Key<Boolean> RETRY_BUDGET_EXHAUSTED =
      MeshContext.Key.of("inmesh.telemetry.retryBudgetExhausted");

  /**
   * Set by a stage that decided the request's fate other than authorization (whose decision telemetry reads from
   * {@code InboundAttributes.AUTHORIZATION}): the deciding policy's name, for the access log and traces.
   */
  public static final MeshContext.Key<String> DECIDING_POLICY = MeshContext.Key.of("inmesh.telemetry.policy");
}
