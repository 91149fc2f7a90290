package io.inmesh.pipeline;

import java.util.concurrent.CompletableFuture;

/**
 * One stage of a pipeline: it may look at or replace the request, call {@code next} zero or more times (a retry calls
 * it again), and look at or replace the response. Filters are composed once per config snapshot, so a request only
 * calls through them; a filter must therefore be thread-safe and keep per-request state in the {@link MeshContext}.
 */
@FunctionalInterface
public interface MeshFilter {
  CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next);

  /** This filter in front of {@code next}. */
  default MeshService andThen(MeshService next) {
    return (ctx, request) -> filter(ctx, request, next);
  }
}
