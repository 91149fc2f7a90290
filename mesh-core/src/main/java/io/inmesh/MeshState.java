package io.inmesh;

import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.pipeline.Pipeline;
import java.util.concurrent.CompletableFuture;

/**
 * A snapshot and the two pipelines composed for it, swapped together as one reference so that a request always runs
 * the pipeline built for the snapshot it reads.
 *
 * @param snapshot the configuration
 * @param outbound the client-side pipeline
 * @param inbound the server-side pipeline
 */
public record MeshState(MeshSnapshot snapshot, Pipeline outbound, Pipeline inbound) {

  /** A fresh context for one request on this state. */
  public MeshContext newContext(Direction direction, MeshService terminal) {
    return new MeshContext(direction, snapshot, terminal, System.nanoTime());
  }

  /** Runs {@code request} through the pipeline of {@code ctx}'s direction. */
  public CompletableFuture<MeshResponse> execute(MeshContext ctx, MeshRequest request) {
    Pipeline p = ctx.direction() == Direction.OUTBOUND ? outbound : inbound;
    return p.service().execute(ctx, request);
  }
}
