package io.inmesh.resilience;

import io.inmesh.pipeline.MeshContext;
import java.time.Duration;

/**
 * What adapters and servers need to know about the mesh's retries.
 *
 * <ul>
 *   <li>Every try of a request whose route retries carries {@value #ATTEMPT_HEADER}: {@code 1} for the first, {@code
 *       2} for the first retry, so servers and access logs tell retries apart.
 *   <li>An adapter that cannot send the request body again sets {@link #BODY_REPLAYABLE} to false on the context
 *       before (or while) the first attempt runs: a body over {@value #MAX_REPLAYABLE_BODY_BYTES} bytes, a one-shot or
 *       a streaming body. The retry stage then never retries that request.
 *   <li>Only GET, HEAD, OPTIONS, PUT, DELETE and TRACE are retried unless the route sets {@code retryNonIdempotent:
 *       true} (a retried POST may be applied twice).
 *   <li>A {@code Retry-After} header on a 429 or 503 is honoured up to {@link #MAX_RETRY_AFTER}; a longer wait is
 *       not retried (the caller gets the response and its {@code Retry-After}).
 * </ul>
 */
public final class Retries {
  private Retries() {}

  /** The attempt number header sent on every try of a request whose route retries. */
  public static final String ATTEMPT_HEADER = "x-mesh-attempt";

  /**
   * Set by an adapter: whether the request body can be sent again (absent: yes). False for bodies over {@value
   * #MAX_REPLAYABLE_BODY_BYTES} bytes and one-shot bodies; such requests are never retried.
   */
  public static final MeshContext.Key<Boolean> BODY_REPLAYABLE = MeshContext.Key.of("inmesh.resilience.bodyReplayable");

  /** The largest request body an adapter buffers for retries (Linkerd's limit). */
  public static final int MAX_REPLAYABLE_BODY_BYTES = 64 * 1024;

  /** The longest {@code Retry-After} the retry stage waits for. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(10);
}
