package io.inmesh.inbound;

import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.ratelimit.RateLimiter;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * RATE_LIMIT: every policy that applies takes a token; the first empty bucket answers 429 (response flag RL) with
 * {@code x-ratelimit-limit}, {@code x-ratelimit-remaining}, {@code x-ratelimit-reset} and {@code retry-after}.
 */
final class RateLimitStage implements MeshFilter {
  /** Envoy local_ratelimit's body. */
  static final String LIMITED_BODY = "local_rate_limited";

  private final RateLimiter[] limiters;

  RateLimitStage(List<RateLimiter> limiters) {
    this.limiters = limiters.toArray(RateLimiter[]::new);
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    for (RateLimiter limiter : limiters) {
      RateLimiter.Limited limited = limiter.tryAcquire(request, ctx.peerPrincipal(), ctx.remoteAddress());
      if (limited != null) {
        ctx.addResponseFlag("RL");
        ctx.attribute(InboundAttributes.RATE_LIMITED_BUCKET, limited.bucket());
        ctx.attribute(InboundAttributes.REJECTION, LIMITED_BODY);
        String reset = Long.toString(limited.resetSeconds());
        return CompletableFuture.completedFuture(MeshResponse.synthesized(429, MeshHeaders.builder()
            .set("x-ratelimit-limit", Long.toString(limited.limit()))
            .set("x-ratelimit-remaining", "0")
            .set("x-ratelimit-reset", reset)
            .set("retry-after", reset)
            .build()));
      }
    }
    return next.execute(ctx, request);
  }
}
