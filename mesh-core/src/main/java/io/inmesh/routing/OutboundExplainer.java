package io.inmesh.routing;

import io.inmesh.MeshSnapshot;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.config.internal.Durations;
import io.inmesh.pipeline.MeshRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Explains an outbound request offline ({@code mesh explain --to}) with the runtime's own route table: the same
 * service resolution and first-match rule as the ROUTING stage, and the policies the later stages would apply.
 */
public final class OutboundExplainer {
  /** The methods the RETRY stage retries without an opt-in. */
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

  private OutboundExplainer() {}

  /** The decision for {@code request} sent by the workload {@code snapshot} was compiled for. */
  public static OutboundExplanation explain(MeshSnapshot snapshot, MeshRequest request) {
    CompiledService service = snapshot.services().resolve(request.host());
    if (service == null) {
      return new OutboundExplanation(null, null, null, List.of(), null, null, List.of(), null, null,
          "'" + request.host() + "' is not a mesh service (outboundTrafficPolicy "
              + snapshot.config().mesh().outboundTrafficPolicy() + ")");
    }
    CompiledRoute route = service.routes().match(request);
    if (route == null) {
      return new OutboundExplanation(service.key(), null, null, List.of(), null, null, List.of(), null, null,
          "no route of " + service.name() + " matches " + request.method() + " " + request.path() + " (404, NR)");
    }
    List<OutboundExplanation.Destination> destinations = new ArrayList<>();
    for (WeightedDestination d : route.destinations()) {
      destinations.add(new OutboundExplanation.Destination(d.service().name(), d.subset(),
          round(100.0 * d.weight() / route.totalWeight())));
    }
    RouteConfig.RetryPolicy rp = route.retries();
    OutboundExplanation.Retries retries = rp == null ? null : new OutboundExplanation.Retries(rp.attempts(),
        rp.perTryTimeout() == null ? null : Durations.format(rp.perTryTimeout()), rp.retryOn(),
        rp.retryNonIdempotent() || IDEMPOTENT.contains(request.method()));
    List<OutboundExplanation.Mirror> mirrors = new ArrayList<>();
    RouteConfig rc = route.config();
    if (rc.mirror() != null) {
      mirrors.add(mirror(snapshot, service, rc.mirror(), rc.mirrorPercentage()));
    }
    for (RouteConfig.MirrorPolicy mp : rc.mirrors()) {
      mirrors.add(mirror(snapshot, service, mp.destination(), mp.percentage()));
    }
    OutboundExplanation.Fault fault = null;
    RouteConfig.Fault f = route.fault();
    if (f != null) {
      fault = new OutboundExplanation.Fault(
          f.delay() == null ? null : Durations.format(f.delay().fixedDelay()),
          f.delay() == null ? 0 : percent(f.delay().percentage()),
          f.abort() == null ? null : f.abort().httpStatus(),
          f.abort() == null ? 0 : percent(f.abort().percentage()));
    }
    WeightedDestination first = route.destinations().isEmpty() ? null : route.destinations().get(0);
    return new OutboundExplanation(service.key(), route.id(), route.name(), destinations,
        route.timeout() == null ? null : Durations.format(route.timeout()), retries, mirrors, fault,
        first == null ? null : loadBalancer(first), null);
  }

  private static OutboundExplanation.Mirror mirror(MeshSnapshot snapshot, CompiledService from,
      RouteConfig.Destination d, RouteConfig.@Nullable Percent p) {
    CompiledService target = snapshot.services().resolve(d.host());
    String name = target != null ? target.name() : d.host();
    return new OutboundExplanation.Mirror(name, d.subset(), percent(p));
  }

  private static String loadBalancer(WeightedDestination d) {
    CompiledService.Subset subset = d.subset() == null ? null : d.service().subset(d.subset());
    TrafficPolicy.LoadBalancerSettings lb =
        (subset != null ? subset.trafficPolicy() : d.service().trafficPolicy()).loadBalancer();
    return lb.consistentHash() != null ? "RING_HASH" : lb.simple().name();
  }

  private static double percent(RouteConfig.@Nullable Percent p) {
    return p == null ? 100 : p.value();
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
