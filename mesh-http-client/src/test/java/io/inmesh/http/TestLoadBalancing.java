package io.inmesh.http;

import io.inmesh.Mesh;
import io.inmesh.config.ServiceConfig;
import io.inmesh.discovery.Endpoint;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The only place the adapter tests choose endpoints themselves: a stand-in for the LOAD_BALANCER stage, written while
 * that stage was being built. It round-robins over the chosen destination's static endpoints (filtered by the
 * subset's labels) and does nothing when an endpoint is already set, so it coexists with the real stage; switch it
 * off with {@link #ENABLED} once the real stage is in every mesh.
 */
final class TestLoadBalancing {
  static final boolean ENABLED = true;

  private TestLoadBalancing() {}

  /** {@code builder} with the stand-in stage added (when enabled). */
  static Mesh.Builder install(Mesh.Builder builder) {
    return ENABLED ? builder.addStage(stage()) : builder;
  }

  private static MeshStage stage() {
    AtomicInteger next = new AtomicInteger();
    return MeshStage.of("test-lb", StagePosition.after(OutboundRole.LOAD_BALANCER), (ctx, request, n) -> {
      WeightedDestination destination = ctx.destination();
      if (ctx.endpoint() != null || destination == null) {
        return n.execute(ctx, request);
      }
      List<Endpoint> endpoints = endpoints(destination);
      if (endpoints.isEmpty()) {
        return CompletableFuture.failedFuture(new IOException("test-lb: no endpoint for " + destination));
      }
      ctx.endpoint(endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size())));
      return n.execute(ctx, request);
    });
  }

  private static List<Endpoint> endpoints(WeightedDestination destination) {
    CompiledService service = destination.service();
    CompiledService.Subset subset = destination.subset() == null ? null : service.subset(destination.subset());
    Map<String, String> selector = subset == null ? Map.of() : subset.labels();
    ServiceConfig.Port first = service.config().ports().get(0);
    int defaultPort = first.targetPort() != null ? first.targetPort() : first.number();
    return service.config().endpoints().stream()
        .map(e -> new Endpoint(e.address(), e.port() != null ? e.port() : defaultPort, e.labels(), e.weight(),
            e.zone()))
        .filter(e -> e.matches(selector))
        .toList();
  }
}
