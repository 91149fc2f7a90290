package io.inmesh;

import io.inmesh.config.MeshConfig.OutboundTrafficPolicy;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The built-in ROUTING stage: finds the destination service (unless the adapter already did), the first matching
 * rule, and draws the weighted destination once for the request. A host that is not a mesh service is sent untouched
 * under {@code outboundTrafficPolicy: ALLOW_ANY} and fails with {@link UnknownServiceException} under REGISTRY_ONLY.
 */
final class RoutingStage implements MeshFilter {
  private final @Nullable RandomGenerator random;

  /** @param random the source of split draws; null for {@link ThreadLocalRandom} (no contention) */
  RoutingStage(@Nullable RandomGenerator random) {
    this.random = random;
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    CompiledService service = ctx.service();
    if (service == null) {
      service = ctx.snapshot().services().resolve(request.host());
      if (service == null) {
        if (ctx.snapshot().config().mesh().outboundTrafficPolicy() == OutboundTrafficPolicy.REGISTRY_ONLY) {
          return CompletableFuture.failedFuture(new UnknownServiceException(request.host()));
        }
        // ALLOW_ANY: not a mesh service, so none of the mesh's traffic stages apply; send it as the caller wrote it.
        // (Adapters normally bypass the pipeline for such hosts; this keeps the pipeline correct on its own.)
        return ctx.terminal().execute(ctx, request);
      }
      ctx.service(service);
    }
    CompiledRoute route = service.routes().match(request);
    if (route == null) {
      return CompletableFuture.failedFuture(new NoRouteException(service.name(), request.method(), request.path()));
    }
    RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
    ctx.route(route).destination(route.pick(route.totalWeight() <= 1 ? 0 : r.nextInt(route.totalWeight())));
    return next.execute(ctx, request);
  }
}
