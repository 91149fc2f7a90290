package io.inmesh.routing;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.RouteConfig.Match;
import io.inmesh.config.RouteConfig.RouteDestination;
import io.inmesh.config.ServiceConfig;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.config.internal.HostIndex;
import io.inmesh.tls.SpiffeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a validated {@link MeshConfig} into the routing part of a snapshot for one workload: services indexed by
 * every host name, traffic policies inherited, subsets and routes compiled. Runs off the request path on each config
 * change; it does no I/O.
 */
public final class RoutingCompiler {
  private RoutingCompiler() {}

  /** Compiles {@code config} as seen from {@code workload}. The config must have passed validation. */
  public static ServiceDirectory compile(MeshConfig config, WorkloadIdentity workload) {
    MeshConfig.Defaults d = config.mesh().defaults();
    EffectiveTrafficPolicy meshDefaults = new EffectiveTrafficPolicy(
        d.loadBalancer(), d.connectionPool(), d.outlierDetection(), null, null,
        // Clients speak mTLS to mesh services unless the mesh turned mTLS off: a service's trafficPolicy.tls wins.
        new TrafficPolicy.ClientTls(d.mtlsMode() == io.inmesh.config.MtlsMode.DISABLE
            ? TrafficPolicy.ClientTlsMode.DISABLE : TrafficPolicy.ClientTlsMode.ISTIO_MUTUAL, null));
    HostIndex hosts = new HostIndex(config.services(), config.mesh().defaultNamespace());
    String trustDomain = config.mesh().trustDomain();

    Map<ServiceConfig, CompiledService> compiled = new IdentityHashMap<>();
    List<CompiledService> ordered = new ArrayList<>(config.services().size());
    for (ServiceConfig s : config.services()) {
      String ns = hosts.namespaceOf(s);
      SpiffeId identity = s.identity() != null ? SpiffeId.parse(s.identity())
          : SpiffeId.ofWorkload(trustDomain, ns, s.serviceAccount() != null ? s.serviceAccount() : s.name());
      EffectiveTrafficPolicy policy = EffectiveTrafficPolicy.inherit(s.trafficPolicy(), meshDefaults);
      Map<String, CompiledService.Subset> subsets = new HashMap<>();
      for (ServiceConfig.Subset sub : s.subsets()) {
        subsets.put(sub.name(), new CompiledService.Subset(sub.name(), sub.labels(),
            EffectiveTrafficPolicy.inherit(sub.trafficPolicy(), policy)));
      }
      CompiledService cs = new CompiledService(s, ns, identity, policy, subsets);
      compiled.put(s, cs);
      ordered.add(cs);
    }

    Map<String, CompiledService> byHost = new HashMap<>(config.services().size() * 5);
    hosts.qualifiedNames().forEach((host, s) -> byHost.put(host, compiled.get(s)));
    for (String shortName : hosts.shortNames().keySet()) {
      ServiceConfig s = hosts.resolve(shortName, workload.namespace());
      if (s != null) {
        byHost.put(shortName, compiled.get(s));
      }
    }

    for (CompiledService cs : ordered) {
      cs.routes(routeTable(cs, hosts, compiled, workload, d));
    }
    return new ServiceDirectory(byHost, ordered);
  }

  private static RouteTable routeTable(CompiledService service, HostIndex hosts,
      Map<ServiceConfig, CompiledService> compiled, WorkloadIdentity workload, MeshConfig.Defaults defaults) {
    List<RouteConfig> rules = service.config().routes();
    if (rules.isEmpty()) {
      // No rules: everything goes to the service itself, with the mesh's default retries.
      RouteConfig all = new RouteConfig(null, List.of(), List.of(), null, null, null, null, List.of(), null, null,
          null);
      return new RouteTable(List.of(new CompiledRoute(service.name(), 0, all, List.of(), true,
          List.of(new WeightedDestination(service, null, null, 100, null)), defaults.retries(),
          defaults.retryBudget())));
    }
    List<CompiledRoute> routes = new ArrayList<>(rules.size());
    for (int i = 0; i < rules.size(); i++) {
      RouteConfig rule = rules.get(i);
      List<RequestMatcher> matchers = new ArrayList<>(rule.match().size());
      for (Match m : rule.match()) {
        RequestMatcher rm = RequestMatcher.compile(m, workload);
        if (rm != null) {
          matchers.add(rm);
        }
      }
      boolean matchesAll = rule.match().isEmpty();
      if (!matchesAll && matchers.isEmpty()) {
        continue; // every match entry is for other source workloads: the rule cannot apply to this one
      }
      routes.add(new CompiledRoute(service.name(), i, rule, matchers, matchesAll,
          destinations(service, rule, hosts, compiled), defaults.retries(), defaults.retryBudget()));
    }
    return new RouteTable(routes);
  }

  private static List<WeightedDestination> destinations(CompiledService service, RouteConfig rule, HostIndex hosts,
      Map<ServiceConfig, CompiledService> compiled) {
    if (rule.route().isEmpty()) {
      return List.of(new WeightedDestination(service, null, null, 100, null));
    }
    boolean lone = rule.route().size() == 1;
    List<WeightedDestination> out = new ArrayList<>(rule.route().size());
    for (RouteDestination rd : rule.route()) {
      // Destination hosts resolve in the namespace of the service whose rules name them (Istio's rule).
      ServiceConfig target = hosts.resolve(rd.destination().host(), service.namespace());
      if (target == null) {
        throw new IllegalStateException("unresolved destination " + rd.destination().host() + " passed validation");
      }
      int weight = lone ? 100 : (rd.weight() == null ? 0 : rd.weight());
      if (weight > 0) {
        out.add(new WeightedDestination(compiled.get(target), rd.destination().subset(), rd.destination().port(),
            weight, rd.headers()));
      }
    }
    return out;
  }
}
