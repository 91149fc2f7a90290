package io.inmesh.config.k8s;

import io.inmesh.config.InboundConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.RouteConfig.Destination;
import io.inmesh.config.ServiceConfig;
import io.inmesh.config.TelemetryConfig;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.config.internal.ConfigValidator;
import io.inmesh.config.internal.HostIndex;
import io.inmesh.config.internal.Location;
import io.inmesh.config.internal.Problems;
import io.inmesh.config.internal.RecordBinder;
import io.inmesh.config.internal.YamlNode.MapNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The state of one translation: the services the resources name (each either a native service or a new one), what
 * each resource contributes to them, the inbound policies, and where every built record stands in the source.
 */
final class Translation implements ConfigValidator.Provenance, Schema.Reporter {
  /** Istio's root namespace: policies there apply mesh-wide. */
  static final String ROOT_NAMESPACE = "istio-system";

  final RecordBinder binder;
  final Problems problems;
  final boolean strict;
  final MeshConfig.MeshSettings mesh;
  private final List<ServiceConfig> nativeServices;
  private final HostIndex nativeIndex;
  private final Map<String, Target> byHost = new LinkedHashMap<>();
  private final Map<ServiceConfig, Target> byNative = new IdentityHashMap<>();
  private final Set<Target> targets = new LinkedHashSet<>();
  private final Map<Object, Object> derived = new IdentityHashMap<>();
  private final Set<Destination> lenient = Collections.newSetFromMap(new IdentityHashMap<>());
  final List<InboundConfig.PeerAuthentication> peerAuthentication = new ArrayList<>();
  final List<InboundConfig.AuthorizationPolicy> authorization = new ArrayList<>();
  final List<InboundConfig.RateLimitPolicy> rateLimits = new ArrayList<>();
  @Nullable TelemetryConfig telemetry;
  @Nullable Claim telemetryClaim;
  boolean complete = true;

  Translation(RecordBinder binder, Problems problems, boolean strict, MeshConfig.MeshSettings mesh,
      List<ServiceConfig> nativeServices) {
    this.binder = binder;
    this.problems = problems;
    this.strict = strict;
    this.mesh = mesh;
    this.nativeServices = nativeServices;
    this.nativeIndex = new HostIndex(nativeServices, mesh.defaultNamespace());
  }

  /** Who contributed something, for conflict messages: {@code VirtualService production/api at FILE:LINE}. */
  record Claim(String title, Location at) {
    String where() {
      return title + " at " + at.origin() + (at.line() > 0 ? ":" + at.line() : "");
    }
  }

  // ---------------------------------------------------------------- reporting

  @Override
  public void unsupported(Location at, String path, boolean security) {
    if (security) {
      problems.error(at, path, "not supported: InMesh cannot evaluate it, and ignoring it would change who is"
          + " allowed", "the policy without this field");
    } else if (strict) {
      problems.error(at, path, "not supported", "the field removed (it is ignored without --strict)");
    } else {
      problems.warning(at, path, "not supported, ignored", null);
    }
  }

  /** A value or construct (not a field) InMesh does not implement, with what it does instead. */
  void unsupported(Location at, String path, String what, String instead) {
    if (strict) {
      problems.error(at, path, what + " is not supported", "a resource without it (" + instead
          + " without --strict)");
    } else {
      problems.warning(at, path, what + " is not supported: " + instead, null);
    }
  }

  @Override
  public void nativeOnly(Location at, String path, String field) {
    problems.error(at, path, "'" + field + "' is an InMesh field, not part of this resource kind",
        "the resource's own fields; InMesh's extensions go in the native format (services, inbound, ...)");
  }

  /** Binds the spec of {@code r} as {@code type}, after removing what InMesh does not read; null on errors. */
  <T> @Nullable T bind(Resource r, MapNode spec, Class<T> type, Map<Class<?>, UnaryOperator<MapNode>> rewrites) {
    String path = r.path("spec");
    MapNode pruned = (MapNode) Schema.prune(spec, type, path, this, rewrites);
    T bound = binder.bind(pruned, type, path);
    if (bound == null) {
      complete = false;
    }
    return bound;
  }

  // ---------------------------------------------------------------- provenance

  /** Records that {@code built} stands where {@code from} (a bound record) was written. */
  <T> T derive(T built, @Nullable Object from) {
    if (from != null && built != from) {
      derived.put(built, derived.getOrDefault(from, from));
    }
    return built;
  }

  void lenient(Destination d) {
    lenient.add(d);
  }

  @Override
  public @Nullable Object derivedFrom(Object record) {
    return derived.get(record);
  }

  @Override
  public boolean lenientSubset(Destination destination) {
    return lenient.contains(destination);
  }

  /** Where a field of a bound (or derived) record was written. */
  Location fieldAt(Object record, String field) {
    RecordBinder.Origin o = binder.origin(record);
    return o == null ? locationOf(record) : o.fieldLocation(field);
  }

  /** Where element {@code i} of a list field of a bound record was written. */
  Location elementAt(Object record, String field, int i) {
    RecordBinder.Origin o = binder.origin(record);
    return o == null ? locationOf(record) : o.elementLocation(field, i);
  }

  /** Where a bound (or derived) record was written. */
  Location locationOf(Object record) {
    RecordBinder.Origin o = binder.origin(record);
    if (o == null && derived.get(record) != null) {
      o = binder.origin(derived.get(record));
    }
    return o == null ? new Location("<translated>", 0, 0) : o.location();
  }

  // ---------------------------------------------------------------- hosts and services

  /**
   * A host name as a resource in {@code namespace} means it, Istio style: a short name is
   * {@code name.namespace.svc.cluster.local}; {@code name.ns.svc[.cluster.local]} is a Kubernetes service; anything
   * else is an external host, taken as written.
   *
   * @param fqdn the key the host is known by
   * @param name the service name it gets
   * @param namespace the service namespace
   * @param kubernetes true for Kubernetes service names
   */
  record Host(String fqdn, String name, String namespace, boolean kubernetes) {}

  static Host host(String written, String namespace) {
    String h = written.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    String suffix = ".svc." + HostIndex.CLUSTER_DOMAIN;
    if (h.endsWith(".svc")) {
      h = h + "." + HostIndex.CLUSTER_DOMAIN;
    }
    if (h.indexOf('.') < 0) {
      return new Host(h + "." + namespace + suffix, h, namespace, true);
    }
    if (h.endsWith(suffix)) {
      String[] labels = h.substring(0, h.length() - suffix.length()).split("\\.");
      if (labels.length == 2) {
        return new Host(h, labels[0], labels[1], true);
      }
    }
    return new Host(h, h, namespace, false);
  }

  /** The fully qualified form of a host written in {@code namespace} (what translated routes name). */
  static String qualified(String written, String namespace) {
    return host(written, namespace).fqdn();
  }

  /** The service {@code host} names: a native one, one already named, or a new one; {@code mention} locates it. */
  Target target(Host host, Object mention) {
    Target t = byHost.get(host.fqdn());
    if (t != null) {
      return t;
    }
    ServiceConfig nat = nativeIndex.resolve(host.fqdn(), host.namespace());
    if (nat != null) {
      t = byNative.computeIfAbsent(nat, n -> new Target(n.name(), nativeIndex.namespaceOf(n), n, mention));
    } else {
      t = new Target(host.name(), host.namespace(), null, mention);
      t.dnsName = host.fqdn();
    }
    byHost.put(host.fqdn(), t);
    targets.add(t);
    return t;
  }

  /** Binds an extra host name to a target (a ServiceEntry's further hosts); false when it names another service. */
  boolean alias(String fqdn, Target t) {
    Target other = byHost.putIfAbsent(fqdn, t);
    return other == null || other == t;
  }

  @Nullable Target existing(String fqdn) {
    return byHost.get(fqdn);
  }

  /** Where a native service was written, for conflict messages. */
  Claim nativeClaim(ServiceConfig s, String field) {
    RecordBinder.Origin o = binder.origin(s);
    Location at = o == null ? new Location("<native>", 0, 0) : o.fieldLocation(field);
    return new Claim("service '" + s.name() + "'" + (o == null ? "" : " (" + o.path() + ")"), at);
  }

  /**
   * Reports that {@code claim} contributes {@code what} to a service that already has it from {@code first};
   * returns true when there is such a conflict.
   */
  boolean conflict(@Nullable Claim first, Claim claim, Target t, String what, String expected) {
    if (first == null) {
      return false;
    }
    problems.error(claim.at(), "", t.describe() + ": " + what + " already defined by " + first.where()
        + "; " + claim.title() + " defines them too", expected);
    return true;
  }

  // ---------------------------------------------------------------- assembly

  /** One service the resources name, and what they contribute to it. */
  final class Target {
    final String name;
    final String namespace;
    final @Nullable ServiceConfig nativeService;
    final Object mention;
    @Nullable String dnsName;
    /** The ports destinations name, for a service only named (a Kubernetes service has the ports callers use). */
    final Set<Integer> namedPorts = new LinkedHashSet<>();
    // ServiceEntry
    @Nullable Claim entry;
    final List<String> extraHosts = new ArrayList<>();
    final List<ServiceConfig.Port> ports = new ArrayList<>();
    ServiceConfig.@Nullable Discovery discovery;
    final List<ServiceConfig.Endpoint> endpoints = new ArrayList<>();
    TrafficPolicy.@Nullable ClientTls entryTls;
    // DestinationRule
    @Nullable Claim rules;
    List<ServiceConfig.Subset> subsets = List.of();
    @Nullable TrafficPolicy trafficPolicy;
    @Nullable Object trafficPolicyFrom;
    // VirtualService
    @Nullable Claim routesClaim;
    List<RouteConfig> routes = List.of();
    // Linkerd TrafficSplit / ServiceProfile
    @Nullable Claim split;
    List<RouteConfig.RouteDestination> splitDestinations = List.of();
    @Nullable Object splitFrom;
    @Nullable Claim profile;
    List<RouteConfig> profileRoutes = List.of();
    @Nullable Object profileFrom;

    Target(String name, String namespace, @Nullable ServiceConfig nativeService, Object mention) {
      this.name = name;
      this.namespace = namespace;
      this.nativeService = nativeService;
      this.mention = mention;
    }

    String describe() {
      return "service '" + name + "' (namespace " + namespace + ")";
    }

    /** Who already defines the routes of this service (native, a VirtualService, a TrafficSplit/ServiceProfile). */
    @Nullable Claim routeOwner() {
      if (routesClaim != null) {
        return routesClaim;
      }
      if (nativeService != null && !nativeService.routes().isEmpty()) {
        return nativeClaim(nativeService, "routes");
      }
      return null;
    }

    ServiceConfig build() {
      List<RouteConfig> rs = linkerdRoutes();
      if (rs == null) {
        rs = routesClaim != null ? routes : nativeService != null ? nativeService.routes() : List.of();
      }
      List<ServiceConfig.Subset> ss = rules != null ? subsets
          : nativeService != null ? nativeService.subsets() : List.of();
      TrafficPolicy tp = rules != null ? trafficPolicy : nativeService != null ? nativeService.trafficPolicy() : null;
      if (entryTls != null) {
        // A ServiceEntry's TLS origination, unless a DestinationRule says otherwise.
        tp = tp == null ? derive(new TrafficPolicy(null, null, null, null, null, entryTls), mention)
            : tp.tls() != null ? tp : derive(new TrafficPolicy(tp.loadBalancer(), tp.connectionPool(),
                tp.outlierDetection(), tp.circuitBreaker(), tp.healthCheck(), entryTls), trafficPolicyFrom);
      }
      if (nativeService != null) {
        ServiceConfig n = nativeService;
        return derive(new ServiceConfig(n.name(), n.namespace(), n.hosts(), n.ports(), n.serviceAccount(),
            n.identity(), n.labels(), n.discovery(), n.endpoints(), ss, tp, rs), n);
      }
      List<ServiceConfig.Port> ps = new ArrayList<>(ports);
      if (entry == null) {
        for (int port : namedPorts) {
          ps.add(derive(new ServiceConfig.Port(port, ps.isEmpty() ? "http" : "http-" + port,
              ServiceConfig.Protocol.HTTP, null), mention));
        }
      }
      if (ps.isEmpty()) {
        ps.add(derive(new ServiceConfig.Port(80, "http", ServiceConfig.Protocol.HTTP, null), mention));
      }
      ServiceConfig.Discovery d = discovery != null ? discovery : derive(new ServiceConfig.Discovery(
          ServiceConfig.DiscoveryType.DNS, dnsName, null, Duration.ofSeconds(30), null), mention);
      return derive(new ServiceConfig(name, namespace, extraHosts, ps, null, null, Map.of(), d, endpoints, ss, tp,
          rs), mention);
    }

    /**
     * Linkerd's routes: each ServiceProfile route (its match, timeout and retries) sends to the TrafficSplit's
     * backends (or the service itself), then a last route takes every other request there too, since a profile
     * only classifies requests; null when neither resource names this service.
     */
    private @Nullable List<RouteConfig> linkerdRoutes() {
      if (split == null && profile == null) {
        return null;
      }
      List<RouteConfig> out = new ArrayList<>();
      for (RouteConfig r : profileRoutes) {
        out.add(derive(new RouteConfig(r.name(), r.match(), splitDestinations, r.timeout(), r.retries(), null, null,
            List.of(), null, null, null), r));
      }
      out.add(derive(new RouteConfig(profile != null ? "default" : null, List.of(), splitDestinations, null, null,
          null, null, List.of(), null, null, null), splitFrom != null ? splitFrom : profileFrom));
      return out;
    }
  }

  /** The native services (merged with what resources contribute) followed by the services only resources name. */
  List<ServiceConfig> services() {
    Map<ServiceConfig, ServiceConfig> merged = new IdentityHashMap<>();
    List<ServiceConfig> added = new ArrayList<>();
    for (Target t : targets) {
      ServiceConfig built = t.build();
      if (t.nativeService != null) {
        merged.put(t.nativeService, built);
      } else {
        added.add(built);
      }
    }
    List<ServiceConfig> out = new ArrayList<>(nativeServices.size() + added.size());
    for (ServiceConfig s : nativeServices) {
      out.add(merged.getOrDefault(s, s));
    }
    out.addAll(added);
    return out;
  }

  /** Policies in the root namespace apply to every namespace (the native model: no namespace). */
  static @Nullable String policyNamespace(Resource r) {
    return r.namespace().equals(ROOT_NAMESPACE) ? null : r.namespace();
  }
}
