package io.inmesh.pipeline;

import java.util.concurrent.CompletableFuture;

/**
 * Something that answers a request: the transport at the end of the outbound pipeline, the application at the end of
 * the inbound one, or a pipeline composed of {@link MeshFilter}s in front of either. Asynchronous so that retries and
 * timeouts never need to block a thread; a failure completes the future with a {@link java.io.IOException}.
 */
@FunctionalInterface
public interface MeshService {
  CompletableFuture<MeshResponse> execute(MeshContext ctx, MeshRequest request);
}
