package io.inmesh.resilience.internal;

import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.resilience.OverloadedException;
import java.util.concurrent.CompletableFuture;

/**
 * OVERLOAD: the destination's connection-pool limits ({@link ConnectionLimits}). Over the limit the attempt fails at
 * once with {@link OverloadedException} (response flag {@code UO}); nothing queues. A slot is held from the send to
 * the attempt's completion.
 */
public final class OverloadFilter implements MeshFilter {
  private final Plans plans;
  private final Counters counters;

  public OverloadFilter(Plans plans, Counters counters) {
    this.plans = plans;
    this.counters = counters;
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    Plans.Destination d = plans.destination(ctx.destination());
    ConnectionLimits limits = d == null ? null : d.limits();
    if (limits == null) {
      return next.execute(ctx, request);
    }
    if (!limits.tryAcquireRequest()) {
      counters.overloads.increment();
      ctx.addResponseFlag("UO");
      return CompletableFuture.failedFuture(new OverloadedException(limits.destination(), limits.maxRequests()));
    }
    CompletableFuture<MeshResponse> result;
    try {
      result = next.execute(ctx, request);
    } catch (RuntimeException | Error e) {
      limits.releaseRequest();
      throw e;
    }
    if (result.isDone()) {
      limits.releaseRequest();
    } else {
      result.whenComplete((r, e) -> limits.releaseRequest());
    }
    return result;
  }
}
