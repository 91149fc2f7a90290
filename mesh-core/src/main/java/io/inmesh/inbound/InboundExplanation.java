package io.inmesh.inbound;

import io.inmesh.authz.AuthorizationDecision;
import org.jspecify.annotations.Nullable;

/**
 * Why a request gets the answer it gets from the inbound pipeline ({@code mesh explain}).
 *
 * @param normalizedPath the path authorization judges, or null when normalisation refused it
 * @param rejected true when normalisation refused the path (400)
 * @param rejection why it was refused, or null
 * @param status what the client gets: 200 (through to the application), 400, 403 or 429
 * @param authorization the authorization decision, or null when the request never got that far
 * @param rateLimit the rate-limit outcome
 */
public record InboundExplanation(
    @Nullable String normalizedPath,
    boolean rejected,
    @Nullable String rejection,
    int status,
    @Nullable AuthorizationDecision authorization,
    RateLimit rateLimit) {

  /**
   * The rate-limit outcome.
   *
   * @param limited true when the request would get 429
   * @param bucket the bucket that limits it, else the first bucket it would take a token from, or null when no rate
   *     limit applies (or the request never got that far)
   * @param available the tokens in that bucket now (-1 without a bucket)
   */
  public record RateLimit(boolean limited, @Nullable String bucket, long available) {
    static final RateLimit NONE = new RateLimit(false, null, -1);
  }
}
