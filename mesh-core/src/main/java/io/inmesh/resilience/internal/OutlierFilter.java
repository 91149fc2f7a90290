package io.inmesh.resilience.internal;

import io.inmesh.config.TrafficPolicy.OutlierDetection;
import io.inmesh.discovery.Endpoint;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import java.util.concurrent.CompletableFuture;

/**
 * Feeds each attempt's outcome to {@link OutlierDetector}. Placed after the circuit breaker and outside the per-try
 * timeout, so that it sees the endpoint the balancer chose and counts timeouts; an attempt the breaker refused never
 * reaches it.
 */
public final class OutlierFilter implements MeshFilter {
  private final OutlierDetector detector;

  public OutlierFilter(OutlierDetector detector) {
    this.detector = detector;
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    Endpoint endpoint = ctx.endpoint();
    WeightedDestination d = ctx.destination();
    if (endpoint == null || d == null) {
      return next.execute(ctx, request);
    }
    CompiledService service = d.service();
    CompiledService.Subset subset = d.subset() == null ? null : service.subset(d.subset());
    OutlierDetection od = (subset != null ? subset.trafficPolicy() : service.trafficPolicy()).outlierDetection();
    if (!OutlierDetector.active(od)) {
      return next.execute(ctx, request);
    }
    CompletableFuture<MeshResponse> result = next.execute(ctx, request);
    if (result.isDone() && !result.isCompletedExceptionally()) {
      detector.record(service, od, endpoint, result.join(), null); // sent inline: no dependent future to allocate
    } else {
      result.whenComplete((r, e) -> detector.record(service, od, endpoint, r, e));
    }
    return result;
  }
}
