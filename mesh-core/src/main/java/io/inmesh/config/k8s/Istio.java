package io.inmesh.config.k8s;

import io.inmesh.config.InboundConfig;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.RouteConfig.Destination;
import io.inmesh.config.ServiceConfig;
import io.inmesh.config.TelemetryConfig;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.config.internal.Location;
import io.inmesh.config.internal.YamlNode;
import io.inmesh.config.internal.YamlNode.Entry;
import io.inmesh.config.internal.YamlNode.ListNode;
import io.inmesh.config.internal.YamlNode.MapNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/** Istio resources into the native model. */
final class Istio {
  private static final String LOCAL_RATELIMIT = "envoy.filters.http.local_ratelimit";
  private static final String LOCAL_RATELIMIT_TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";

  private final Translation cx;

  Istio(Translation cx) {
    this.cx = cx;
  }

  // ---------------------------------------------------------------- rewrites of Istio's shapes into InMesh's

  /**
   * Istio's {@code port: {number: 80}} is InMesh's {@code port: 80}, and a short host is qualified in the resource's
   * namespace (so that the native routing, which resolves names in the owning service's namespace, sees Istio's
   * meaning).
   */
  private static Map<Class<?>, UnaryOperator<MapNode>> rewrites(String namespace) {
    Map<Class<?>, UnaryOperator<MapNode>> r = new LinkedHashMap<>();
    r.put(Destination.class, map -> {
      MapNode m = map;
      if (m.get("port") instanceof MapNode port && port.entries().size() == 1 && port.get("number") != null) {
        m = Schema.with(m, "port", port.get("number"));
      }
      String host = Schema.text(m.get("host"));
      if (host != null && !host.contains("*")) {
        m = Schema.with(m, "host", Schema.string(m.get("host").location(), Translation.qualified(host, namespace)));
      }
      return m;
    });
    r.put(TrafficPolicy.LoadBalancerSettings.class, map -> {
      MapNode m = Schema.renamed(map, "warmupDurationSecs", "warmupDuration");
      String simple = Schema.text(m.get("simple"));
      if ("LEAST_CONN".equals(simple)) { // Istio's deprecated name of LEAST_REQUEST
        m = Schema.with(m, "simple", Schema.string(m.get("simple").location(), "LEAST_REQUEST"));
      } else if ("UNSPECIFIED".equals(simple)) {
        m = Schema.with(m, "simple", null);
      }
      return m;
    });
    r.put(TrafficPolicy.ConsistentHash.class, map -> map.get("ringHash") instanceof MapNode ring
        && ring.get("minimumRingSize") != null
        ? Schema.with(Schema.with(map, "ringHash", null), "minimumRingSize", ring.get("minimumRingSize"))
        : map);
    return r;
  }

  // ---------------------------------------------------------------- networking

  void serviceEntry(Resource r) {
    Specs.ServiceEntrySpec spec = cx.bind(r, r.spec(), Specs.ServiceEntrySpec.class, Map.of());
    if (spec == null) {
      return;
    }
    if (!spec.addresses().isEmpty()) {
      cx.unsupported(cx.fieldAt(spec, "addresses"), r.path("spec.addresses"), false);
    }
    exportTo(r, spec, spec.exportTo());
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < spec.hosts().size(); i++) {
      String h = spec.hosts().get(i);
      if (h.contains("*")) {
        cx.unsupported(cx.elementAt(spec, "hosts", i), r.path("spec.hosts[" + i + "]"), "wildcard host '" + h + "'",
            "the host is ignored");
      } else {
        hosts.add(h);
      }
    }
    if (hosts.isEmpty()) {
      return;
    }
    Translation.Host first = Translation.host(hosts.get(0), r.namespace());
    Translation.Claim claim = new Translation.Claim(r.title(), r.at());
    Translation.Target existing = cx.existing(first.fqdn());
    Translation.Target t = cx.target(first, spec);
    if (t.nativeService != null || (existing != null && existing.entry != null)) {
      Translation.Claim owner = t.nativeService != null ? cx.nativeClaim(t.nativeService, "name") : existing.entry;
      cx.problems.error(cx.fieldAt(spec, "hosts"), r.path("spec.hosts"), "host '" + hosts.get(0)
          + "' is already defined by " + owner.where(), "each host defined once: a ServiceEntry or a native service");
      return;
    }
    t.entry = claim;
    for (int i = 1; i < hosts.size(); i++) {
      String fqdn = Translation.host(hosts.get(i), r.namespace()).fqdn();
      if (!cx.alias(fqdn, t)) {
        cx.problems.error(cx.elementAt(spec, "hosts", i), r.path("spec.hosts[" + i + "]"), "host '" + hosts.get(i)
            + "' already names another service", "each host defined once");
      } else {
        t.extraHosts.add(hosts.get(i));
      }
    }
    boolean tls = false;
    for (int i = 0; i < spec.ports().size(); i++) {
      Specs.EntryPort p = spec.ports().get(i);
      String protocol = p.protocol() == null ? "HTTP" : p.protocol().toUpperCase(Locale.ROOT);
      ServiceConfig.Protocol native_ = switch (protocol) {
        case "HTTP" -> ServiceConfig.Protocol.HTTP;
        case "HTTP2", "GRPC", "GRPC-WEB" -> ServiceConfig.Protocol.HTTP2;
        case "HTTPS", "TLS" -> ServiceConfig.Protocol.HTTPS;
        default -> null;
      };
      if (native_ == null) {
        cx.unsupported(cx.fieldAt(p, "protocol"), r.path("spec.ports[" + i + "].protocol"), "protocol " + protocol,
            "the port is ignored (InMesh meshes HTTP)");
        continue;
      }
      tls |= native_ == ServiceConfig.Protocol.HTTPS;
      t.ports.add(cx.derive(new ServiceConfig.Port(p.number(), p.name() != null ? p.name() : "http", native_,
          p.targetPort()), p));
    }
    if (spec.location() == Specs.EntryLocation.MESH_EXTERNAL) {
      // Outside the mesh: no mesh identity to verify; TLS only where the port says so.
      t.entryTls = cx.derive(new TrafficPolicy.ClientTls(tls ? TrafficPolicy.ClientTlsMode.SIMPLE
          : TrafficPolicy.ClientTlsMode.DISABLE, null), spec);
    }
    String portName = t.ports.isEmpty() ? null : t.ports.get(0).name();
    switch (spec.resolution()) {
      case STATIC -> {
        for (Specs.EntryEndpoint e : spec.endpoints()) {
          Integer port = portName == null ? null : e.ports().get(portName);
          t.endpoints.add(cx.derive(new ServiceConfig.Endpoint(e.address(), port, e.labels(),
              e.weight() == null ? 1 : e.weight(), zone(e.locality())), e));
        }
        t.discovery = cx.derive(new ServiceConfig.Discovery(ServiceConfig.DiscoveryType.STATIC, null, null,
            Duration.ofSeconds(30), null), spec);
      }
      case DNS, DNS_ROUND_ROBIN, NONE -> {
        // NONE forwards to the address the caller asked for: in-process, that is the host, resolved through DNS.
        String name = spec.endpoints().isEmpty() ? hosts.get(0) : spec.endpoints().get(0).address();
        if (spec.endpoints().size() > 1) {
          cx.unsupported(cx.elementAt(spec, "endpoints", 1), r.path("spec.endpoints[1]"),
              "more than one endpoint with DNS resolution", "only the first endpoint's name is resolved");
        }
        t.discovery = cx.derive(new ServiceConfig.Discovery(ServiceConfig.DiscoveryType.DNS, name, null,
            Duration.ofSeconds(30), null), spec);
      }
    }
  }

  private static @Nullable String zone(@Nullable String locality) {
    if (locality == null) {
      return null;
    }
    String[] parts = locality.split("/");
    return parts.length >= 2 ? parts[1] : parts[0];
  }

  void destinationRule(Resource r) {
    Specs.DestinationRuleSpec spec = cx.bind(r, r.spec(), Specs.DestinationRuleSpec.class,
        rewrites(r.namespace()));
    if (spec == null) {
      return;
    }
    exportTo(r, spec, spec.exportTo());
    if (spec.host().contains("*")) {
      cx.unsupported(cx.fieldAt(spec, "host"), r.path("spec.host"), "wildcard host '" + spec.host() + "'",
          "the DestinationRule is ignored");
      return;
    }
    Translation.Target t = cx.target(Translation.host(spec.host(), r.namespace()), spec);
    Translation.Claim claim = new Translation.Claim(r.title(), r.at());
    Translation.Claim first = t.rules;
    if (first == null && t.nativeService != null && (!t.nativeService.subsets().isEmpty()
        || t.nativeService.trafficPolicy() != null)) {
      first = cx.nativeClaim(t.nativeService,
          t.nativeService.subsets().isEmpty() ? "trafficPolicy" : "subsets");
    }
    if (cx.conflict(first, claim, t, "subsets and traffic policy",
        "one DestinationRule per host, and subsets or trafficPolicy either there or in the native service")) {
      return;
    }
    t.rules = claim;
    t.subsets = spec.subsets();
    t.trafficPolicy = spec.trafficPolicy();
    t.trafficPolicyFrom = spec.trafficPolicy();
  }

  void virtualService(Resource r) {
    Specs.VirtualServiceSpec spec = cx.bind(r, r.spec(), Specs.VirtualServiceSpec.class, rewrites(r.namespace()));
    if (spec == null) {
      return;
    }
    exportTo(r, spec, spec.exportTo());
    if (!spec.gateways().isEmpty() && !spec.gateways().contains("mesh")) {
      cx.unsupported(cx.fieldAt(spec, "gateways"), r.path("spec.gateways"), "a VirtualService for gateways only",
          "it is ignored (InMesh applies rules to the mesh)");
      return;
    }
    for (RouteConfig route : spec.http()) {
      for (RouteConfig.RouteDestination d : route.route()) {
        mention(d.destination(), r);
      }
      if (route.mirror() != null) {
        mention(route.mirror(), r);
      }
      for (RouteConfig.MirrorPolicy m : route.mirrors()) {
        mention(m.destination(), r);
      }
    }
    Translation.Claim claim = new Translation.Claim(r.title(), r.at());
    for (int i = 0; i < spec.hosts().size(); i++) {
      String h = spec.hosts().get(i);
      if (h.contains("*")) {
        cx.unsupported(cx.elementAt(spec, "hosts", i), r.path("spec.hosts[" + i + "]"), "wildcard host '" + h + "'",
            "the host is ignored");
        continue;
      }
      Translation.Target t = cx.target(Translation.host(h, r.namespace()), spec);
      Translation.Claim first = t.routeOwner() != null ? t.routeOwner() : t.split != null ? t.split : t.profile;
      if (cx.conflict(first, claim, t, "routes",
          "the routes of a host in one place: one VirtualService, or the native service's routes")) {
        continue;
      }
      t.routesClaim = claim;
      t.routes = spec.http();
    }
  }

  /** A destination names a service: it exists (or becomes a DNS-resolved Kubernetes service). */
  private void mention(Destination d, Resource r) {
    if (d.host().contains("*")) {
      return; // the validator reports the unknown host
    }
    // The host was qualified in the resource's namespace before binding; it names that service.
    Translation.Target t = cx.target(Translation.host(d.host(), r.namespace()), d);
    if (d.port() != null && t.nativeService == null) {
      t.namedPorts.add(d.port());
    }
    cx.lenient(d);
  }

  private void exportTo(Resource r, Object spec, List<String> exportTo) {
    if (!exportTo.isEmpty() && !(exportTo.size() == 1 && exportTo.get(0).equals("*"))) {
      cx.unsupported(cx.fieldAt(spec, "exportTo"), r.path("spec.exportTo"), false);
    }
  }

  // ---------------------------------------------------------------- security

  void peerAuthentication(Resource r) {
    Specs.PeerAuthenticationSpec spec = cx.bind(r, r.spec(), Specs.PeerAuthenticationSpec.class, Map.of());
    if (spec == null) {
      return;
    }
    // In the root namespace without a selector: mesh-wide. With a selector it selects the root namespace's workloads.
    String ns = r.namespace().equals(Translation.ROOT_NAMESPACE) && spec.selector() == null ? null : r.namespace();
    InboundConfig.Mtls mtls = spec.mtls() != null ? spec.mtls()
        : cx.derive(new InboundConfig.Mtls(io.inmesh.config.MtlsMode.UNSET), spec);
    cx.peerAuthentication.add(cx.derive(new InboundConfig.PeerAuthentication(r.name(), ns, spec.selector(), mtls,
        spec.portLevelMtls()), spec));
  }

  void authorizationPolicy(Resource r) {
    Specs.AuthorizationPolicySpec spec = cx.bind(r, r.spec(), Specs.AuthorizationPolicySpec.class, Map.of());
    if (spec == null) {
      return;
    }
    boolean dryRun = "true".equalsIgnoreCase(r.meta().annotations().get("istio.io/dry-run"));
    cx.authorization.add(cx.derive(new InboundConfig.AuthorizationPolicy(r.name(), Translation.policyNamespace(r),
        spec.selector(), spec.action(), spec.provider(), spec.rules(), dryRun), spec));
  }

  // ---------------------------------------------------------------- telemetry

  void telemetry(Resource r, TelemetryConfig base) {
    Specs.TelemetrySpec spec = cx.bind(r, r.spec(), Specs.TelemetrySpec.class, Map.of());
    if (spec == null) {
      return;
    }
    if (!r.namespace().equals(Translation.ROOT_NAMESPACE) || spec.selector() != null) {
      cx.unsupported(r.at(), r.path("metadata"), "a Telemetry resource scoped to a namespace or workloads",
          "it is ignored; InMesh's telemetry settings are mesh-wide (a Telemetry in " + Translation.ROOT_NAMESPACE
              + " without selector)");
      return;
    }
    Translation.Claim claim = new Translation.Claim(r.title(), r.at());
    if (cx.telemetryClaim != null) {
      cx.problems.error(r.at(), "", "mesh-wide telemetry is already defined by " + cx.telemetryClaim.where(),
          "one mesh-wide Telemetry resource, or the native telemetry section");
      return;
    }
    cx.telemetryClaim = claim;
    TelemetryConfig.Tracing tracing = base.tracing();
    for (int i = 0; i < spec.tracing().size(); i++) {
      Specs.Tracing t = spec.tracing().get(i);
      if (i > 0) {
        cx.unsupported(cx.elementAt(spec, "tracing", i), r.path("spec.tracing[" + i + "]"),
            "more than one tracing entry", "only the first applies");
        break;
      }
      tracing = cx.derive(new TelemetryConfig.Tracing(!Boolean.TRUE.equals(t.disableSpanReporting()),
          t.randomSamplingPercentage() != null ? t.randomSamplingPercentage() : tracing.randomSamplingPercentage(),
          tracing.propagation(), tracing.otlp()), t);
    }
    TelemetryConfig.Metrics metrics = base.metrics();
    for (int i = 0; i < spec.metrics().size(); i++) {
      Specs.Metrics m = spec.metrics().get(i);
      boolean allOff = m.overrides().stream().anyMatch(o -> Boolean.TRUE.equals(o.disabled())
          && (o.match() == null || o.match().metric() == null || "ALL_METRICS".equals(o.match().metric())));
      boolean someOff = m.overrides().stream().anyMatch(o -> Boolean.TRUE.equals(o.disabled()));
      if (someOff && !allOff) {
        cx.unsupported(cx.fieldAt(m, "overrides"), r.path("spec.metrics[" + i + "].overrides"),
            "disabling single metrics",
            "metrics stay on");
      }
      metrics = cx.derive(new TelemetryConfig.Metrics(!allOff), m);
    }
    TelemetryConfig.AccessLog log = base.accessLog();
    for (Specs.AccessLogging a : spec.accessLogging()) {
      log = cx.derive(new TelemetryConfig.AccessLog(Boolean.TRUE.equals(a.disabled())
          ? TelemetryConfig.AccessLogMode.OFF : TelemetryConfig.AccessLogMode.ALL, log.samplePercentage()), a);
    }
    cx.telemetry = cx.derive(new TelemetryConfig(tracing, metrics, log), spec);
  }

  // ---------------------------------------------------------------- EnvoyFilter: local rate limit only

  void envoyFilter(Resource r) {
    MapNode spec = r.spec();
    // Only patches that insert the local rate-limit filter are read; any other patch is arbitrary Envoy
    // configuration, which has no meaning in-process: reported, and left out before binding.
    if (spec.get("configPatches") instanceof ListNode patches) {
      List<YamlNode> kept = new ArrayList<>();
      for (int i = 0; i < patches.items().size(); i++) {
        YamlNode item = patches.items().get(i);
        MapNode patch = localRateLimitPatch(r, item, "spec.configPatches[" + i + "]");
        if (patch != null) {
          kept.add(patch);
        }
      }
      spec = Schema.with(spec, "configPatches", new ListNode(patches.location(), kept));
    }
    Specs.EnvoyFilterSpec bound = cx.bind(r, spec, Specs.EnvoyFilterSpec.class, Map.of());
    if (bound == null) {
      return;
    }
    InboundConfig.WorkloadSelector selector = bound.workloadSelector() == null ? null
        : cx.derive(new InboundConfig.WorkloadSelector(bound.workloadSelector().labels()), bound.workloadSelector());
    for (int i = 0; i < bound.configPatches().size(); i++) {
      Specs.ConfigPatch p = bound.configPatches().get(i);
      Specs.LocalRateLimit rl = p.patch().value().typed_config();
      String at = "spec.configPatches[" + i + "].patch.value.typed_config";
      if (rl.filter_enabled() != null && !whole(rl.filter_enabled())) {
        cx.unsupported(cx.fieldAt(rl, "filter_enabled"), r.path(at + ".filter_enabled"),
            "a rate limit enabled for a share of requests", "it applies to every request");
      }
      if (rl.filter_enforced() == null) {
        cx.problems.warning(cx.fieldAt(rl, "token_bucket"), r.path(at), "no filter_enforced: Envoy would only count"
            + " (shadow mode); InMesh enforces the limit", null);
      } else if (!whole(rl.filter_enforced())) {
        cx.unsupported(cx.fieldAt(rl, "filter_enforced"), r.path(at + ".filter_enforced"),
            "a rate limit enforced for a share of requests", "it is enforced for every request");
      }
      Specs.EnvoyTokenBucket tb = rl.token_bucket();
      InboundConfig.TokenBucket bucket = cx.derive(new InboundConfig.TokenBucket(tb.max_tokens(),
          tb.tokens_per_fill() == null ? 1 : tb.tokens_per_fill(), tb.fill_interval()), tb);
      String name = bound.configPatches().size() == 1 ? r.name() : r.name() + "-" + i;
      cx.rateLimits.add(cx.derive(new InboundConfig.RateLimitPolicy(name, Translation.policyNamespace(r), selector,
          InboundConfig.RateLimitScope.INSTANCE, List.of(), bucket, List.of()), p));
    }
  }

  private static boolean whole(Specs.RuntimeFraction f) {
    int of = switch (f.default_value().denominator()) {
      case HUNDRED -> 100;
      case TEN_THOUSAND -> 10_000;
      case MILLION -> 1_000_000;
    };
    return f.default_value().numerator() >= of;
  }

  /** The patch with its typed config normalised, or null (reported) when it is not an inbound local rate limit. */
  private @Nullable MapNode localRateLimitPatch(Resource r, YamlNode item, String path) {
    if (!(item instanceof MapNode patch)) {
      return null; // not a map: left out, the binder would report the same thing
    }
    MapNode body = patch.get("patch") instanceof MapNode b ? b : null;
    MapNode value = body != null && body.get("value") instanceof MapNode v ? v : null;
    String filter = value == null ? null : Schema.text(value.get("name"));
    String applyTo = Schema.text(patch.get("applyTo"));
    if (!"HTTP_FILTER".equals(applyTo) || !LOCAL_RATELIMIT.equals(filter)) {
      cx.unsupported(patch.location(), r.path(path), "an EnvoyFilter patch"
          + (filter != null ? " of " + filter : applyTo != null ? " of " + applyTo : ""),
          "it is ignored (InMesh reads patches inserting " + LOCAL_RATELIMIT + ")");
      return null;
    }
    String operation = Schema.text(body.get("operation"));
    if (operation != null && !operation.startsWith("INSERT") && !operation.equals("ADD")) {
      cx.unsupported(body.get("operation").location(), r.path(path + ".patch.operation"), "operation " + operation,
          "the patch is ignored");
      return null;
    }
    String context = patch.get("match") instanceof MapNode m ? Schema.text(m.get("context")) : null;
    if (context != null && !context.equals("SIDECAR_INBOUND") && !context.equals("ANY")) {
      cx.unsupported(((MapNode) patch.get("match")).get("context").location(), r.path(path + ".match.context"),
          "context " + context, "the patch is ignored (InMesh limits inbound requests)");
      return null;
    }
    if (value.get("typed_config") instanceof MapNode typed) {
      value = Schema.with(value, "typed_config", typedConfig(r, typed, path + ".patch.value.typed_config"));
    }
    return Schema.with(patch, "patch", Schema.with(body, "value", value));
  }

  /** A TypedStruct's {@code value}, or the typed config itself, without its {@code @type}. */
  private MapNode typedConfig(Resource r, MapNode typed, String path) {
    String type = Schema.text(typed.get("@type"));
    if (typed.get("value") instanceof MapNode inner && typed.get("type_url") != null) {
      String url = Schema.text(typed.get("type_url"));
      if (url != null && !url.equals(LOCAL_RATELIMIT_TYPE)) {
        cx.problems.error(typed.get("type_url").location(), r.path(path + ".type_url"), "'" + url + "'",
            LOCAL_RATELIMIT_TYPE);
      }
      return inner;
    }
    if (type != null && !type.equals(LOCAL_RATELIMIT_TYPE)) {
      cx.problems.error(typed.get("@type").location(), r.path(path + ".@type"), "'" + type + "'",
          LOCAL_RATELIMIT_TYPE + " or a TypedStruct of it");
    }
    Map<String, Entry> entries = new LinkedHashMap<>(typed.entries());
    entries.remove("@type");
    return new MapNode(typed.location(), entries);
  }
}
