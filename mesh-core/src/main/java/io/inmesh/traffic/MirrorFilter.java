package io.inmesh.traffic;

import io.inmesh.MeshSnapshot;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.RouteConfig.Destination;
import io.inmesh.config.RouteConfig.MirrorPolicy;
import io.inmesh.config.RouteConfig.Percent;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.ServiceDirectory;
import io.inmesh.routing.WeightedDestination;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * MIRROR: Istio's {@code mirror} + {@code mirrorPercentage} and {@code mirrors[]}. For each mirror that the draw
 * selects, a copy of the request (authority suffixed {@code -shadow}, as Envoy does) runs through the rest of the
 * pipeline on a fresh context whose destination is the mirror's: the mirror gets its own endpoint choice, pool limits
 * and breaker, and the route's timeout. The copy is handed to the feature's bounded executor; the caller neither
 * waits for it nor sees its outcome, and overflow is dropped and counted.
 */
final class MirrorFilter implements MeshFilter {
  /** A mirror destination of a route with its share. */
  record Target(WeightedDestination destination, @Nullable Percent percentage) {}

  private final Map<CompiledRoute, Target[]> targets;
  private final Mirrors mirrors;
  private final Supplier<RandomGenerator> random;

  private MirrorFilter(Map<CompiledRoute, Target[]> targets, Mirrors mirrors, Supplier<RandomGenerator> random) {
    this.targets = targets;
    this.mirrors = mirrors;
    this.random = random;
  }

  /** The filter, or null when no route of {@code snapshot} mirrors. */
  static @Nullable MeshFilter forSnapshot(MeshSnapshot snapshot, Mirrors mirrors, Supplier<RandomGenerator> random) {
    Map<CompiledRoute, Target[]> targets = new IdentityHashMap<>();
    ServiceDirectory directory = snapshot.services();
    for (CompiledService s : directory.services()) {
      for (CompiledRoute r : s.routes().routes()) {
        RouteConfig c = r.config();
        List<Target> list = new ArrayList<>();
        if (c.mirror() != null) {
          add(list, directory, s, c.mirror(), c.mirrorPercentage());
        }
        for (MirrorPolicy mp : c.mirrors()) {
          add(list, directory, s, mp.destination(), mp.percentage());
        }
        if (!list.isEmpty()) {
          targets.put(r, list.toArray(Target[]::new));
        }
      }
    }
    return targets.isEmpty() ? null : new MirrorFilter(targets, mirrors, random);
  }

  private static void add(List<Target> list, ServiceDirectory directory, CompiledService owner, Destination d,
      @Nullable Percent percentage) {
    // Destination hosts resolve in the namespace of the service whose rules name them, as route destinations do.
    CompiledService target = d.host().indexOf('.') < 0 ? directory.resolve(d.host() + "." + owner.namespace()) : null;
    if (target == null) {
      target = directory.resolve(d.host());
    }
    if (target == null) {
      throw new IllegalStateException("unresolved mirror " + d.host() + " passed validation");
    }
    list.add(new Target(new WeightedDestination(target, d.subset(), d.port(), 0, null), percentage));
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    CompiledRoute route = ctx.route();
    Target[] ts = route == null ? null : targets.get(route);
    if (ts != null && !TrafficFeature.isMirrorCopy(ctx)) {
      RandomGenerator r = random.get();
      MeshRequest shadow = null;
      for (Target t : ts) {
        if (TrafficFeature.draw(r, t.percentage())) {
          if (shadow == null) {
            shadow = HeaderRewriteFilter.copy(request).authority(shadowAuthority(request)).build();
          }
          MeshContext copy = new MeshContext(Direction.OUTBOUND, ctx.snapshot(), ctx.terminal(), mirrors.now())
              .service(t.destination().service())
              .route(route)
              .destination(t.destination())
              .attribute(TrafficFeature.MIRROR_COPY, Boolean.TRUE);
          mirrors.submit(copy, shadow, next);
        }
      }
    }
    return next.execute(ctx, request);
  }

  /** {@code api} becomes {@code api-shadow}, {@code api:8080} becomes {@code api-shadow:8080} (Envoy's rule). */
  static String shadowAuthority(MeshRequest request) {
    String authority = request.authority();
    String host = request.host();
    return host + "-shadow" + authority.substring(host.length());
  }
}
