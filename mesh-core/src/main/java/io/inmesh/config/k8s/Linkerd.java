package io.inmesh.config.k8s;

import io.inmesh.config.InboundConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.MtlsMode;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.internal.Location;
import io.inmesh.config.internal.RecordBinder;
import io.inmesh.config.internal.YamlNode.MapNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** Linkerd (and SMI) resources into the native model. */
final class Linkerd {
  private static final String IDENTITY_INFIX = ".serviceaccount.identity.linkerd.";

  private final Translation cx;
  private final Map<String, Bound<Specs.ServerSpec>> servers = new LinkedHashMap<>();
  private final Map<String, Bound<Object>> authentications = new LinkedHashMap<>();
  private final List<Bound<Specs.LinkerdAuthorizationSpec>> policies = new ArrayList<>();

  private record Bound<T>(Resource resource, T spec) {}

  Linkerd(Translation cx) {
    this.cx = cx;
  }

  // ---------------------------------------------------------------- traffic

  void trafficSplit(Resource r) {
    Specs.TrafficSplitSpec spec = cx.bind(r, r.spec(), Specs.TrafficSplitSpec.class, Map.of());
    if (spec == null) {
      return;
    }
    List<RouteConfig.RouteDestination> destinations = new ArrayList<>();
    for (int i = 0; i < spec.backends().size(); i++) {
      Specs.Backend b = spec.backends().get(i);
      Integer weight = milli(b.weight(), b, r.path("spec.backends[" + i + "].weight"));
      if (weight == null) {
        return;
      }
      String host = Translation.qualified(b.service(), r.namespace());
      cx.target(Translation.host(b.service(), r.namespace()), b);
      destinations.add(cx.derive(new RouteConfig.RouteDestination(cx.derive(
          new RouteConfig.Destination(host, null, null), b), weight, null), b));
    }
    Translation.Target t = cx.target(Translation.host(spec.service(), r.namespace()), spec);
    Translation.Claim claim = new Translation.Claim(r.title(), r.at());
    if (cx.conflict(t.routeOwner() != null ? t.routeOwner() : t.split, claim, t, "routes",
        "one TrafficSplit per service, and no VirtualService or native routes for it")) {
      return;
    }
    t.split = claim;
    t.splitDestinations = destinations;
    t.splitFrom = spec;
  }

  /** A Kubernetes quantity as thousandths: {@code 900m} is 900, {@code 1} is 1000; null (reported) when malformed. */
  private @Nullable Integer milli(String quantity, Object at, String path) {
    try {
      BigDecimal value = quantity.endsWith("m") ? new BigDecimal(quantity.substring(0, quantity.length() - 1))
          : new BigDecimal(quantity).multiply(BigDecimal.valueOf(1000));
      if (value.signum() < 0 || value.stripTrailingZeros().scale() > 0
          || value.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
        throw new NumberFormatException();
      }
      return value.intValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      cx.problems.error(cx.fieldAt(at, "weight"), path, "'" + quantity + "' is not a weight",
          "an integer or a quantity such as 900m (0.9)");
      cx.complete = false;
      return null;
    }
  }

  void serviceProfile(Resource r) {
    Specs.ServiceProfileSpec spec = cx.bind(r, r.spec(), Specs.ServiceProfileSpec.class, Map.of());
    if (spec == null) {
      return;
    }
    // A ServiceProfile is named after the service's fully qualified name.
    Translation.Target t = cx.target(Translation.host(r.name(), r.namespace()), spec);
    Translation.Claim claim = new Translation.Claim(r.title(), r.at());
    if (cx.conflict(t.routeOwner() != null ? t.routeOwner() : t.profile, claim, t, "routes",
        "one ServiceProfile per service, and no VirtualService or native routes for it")) {
      return;
    }
    List<RouteConfig> routes = new ArrayList<>();
    for (int i = 0; i < spec.routes().size(); i++) {
      Specs.ProfileRoute pr = spec.routes().get(i);
      String path = "spec.routes[" + i + "]";
      MeshConfig.RetryBudget budget = spec.retryBudget();
      if (pr.retryBudget() != null) {
        // The seed writes the budget per route; Linkerd reads spec.retryBudget (one budget per service).
        Location at = cx.fieldAt(pr, "retryBudget");
        if (cx.strict) {
          cx.problems.error(at, r.path(path + ".retryBudget"), "not a ServiceProfile route field",
              "spec.retryBudget");
        } else {
          cx.problems.warning(at, r.path(path + ".retryBudget"), "not a ServiceProfile route field (Linkerd reads"
              + " spec.retryBudget); InMesh applies it to this route", null);
        }
        budget = pr.retryBudget();
      }
      List<RouteConfig.Match> match = pr.condition() == null ? List.of()
          : matches(pr.condition(), r, path + ".condition");
      if (match == null) {
        continue;
      }
      routes.add(cx.derive(new RouteConfig(pr.name(), match, List.of(), pr.timeout(), retries(pr, budget), null,
          null, List.of(), null, null, null), pr));
    }
    if (!spec.dstOverrides().isEmpty()) {
      cx.unsupported(cx.fieldAt(spec, "dstOverrides"), r.path("spec.dstOverrides"), false);
    }
    t.profile = claim;
    t.profileRoutes = routes;
    t.profileFrom = spec;
  }

  /**
   * Linkerd retries a route only when it is marked {@code isRetryable}; InMesh's own default already retries
   * idempotent requests. So: {@code isRetryable: true} retries any method on 5xx; {@code false} never retries; absent
   * keeps InMesh's default policy. The profile's budget bounds them in every case.
   */
  private RouteConfig.@Nullable RetryPolicy retries(Specs.ProfileRoute pr, MeshConfig.@Nullable RetryBudget budget) {
    RouteConfig.RetryPolicy d = cx.mesh.defaults().retries();
    if (Boolean.FALSE.equals(pr.isRetryable())) {
      return cx.derive(new RouteConfig.RetryPolicy(0, null, d.retryOn(), List.of(), d.backoff(), budget, false), pr);
    }
    if (Boolean.TRUE.equals(pr.isRetryable())) {
      return cx.derive(new RouteConfig.RetryPolicy(Math.max(d.attempts(), 1), null, List.of("5xx"), List.of(),
          d.backoff(), budget, true), pr);
    }
    return budget == null ? null : cx.derive(new RouteConfig.RetryPolicy(d.attempts(), d.perTryTimeout(),
        d.retryOn(), d.retriableStatusCodes(), d.backoff(), budget, d.retryNonIdempotent()), pr);
  }

  /** A ServiceProfile condition as match entries (ORed); null (reported) when it cannot be expressed. */
  private @Nullable List<RouteConfig.Match> matches(Specs.RequestMatch c, Resource r, String path) {
    if (c.not() != null) {
      cx.unsupported(cx.fieldAt(c, "not"), r.path(path + ".not"), "a negated condition", "the route is ignored");
      return null;
    }
    List<RouteConfig.Match> any = new ArrayList<>();
    for (int i = 0; i < c.any().size(); i++) {
      List<RouteConfig.Match> m = matches(c.any().get(i), r, path + ".any[" + i + "]");
      if (m == null) {
        return null;
      }
      any.addAll(m);
    }
    String pathRegex = c.pathRegex();
    String method = c.method();
    for (int i = 0; i < c.all().size(); i++) {
      Specs.RequestMatch a = c.all().get(i);
      boolean nested = a.not() != null || !a.any().isEmpty() || !a.all().isEmpty();
      boolean clash = a.pathRegex() != null && pathRegex != null || a.method() != null && method != null;
      if (nested || clash) {
        cx.unsupported(cx.elementAt(c, "all", i), r.path(path + ".all[" + i + "]"),
            "a nested or repeated condition in 'all'", "the route is ignored");
        return null;
      }
      pathRegex = a.pathRegex() != null ? a.pathRegex() : pathRegex;
      method = a.method() != null ? a.method() : method;
    }
    if (pathRegex == null && method == null) {
      return any;
    }
    if (!any.isEmpty()) {
      cx.unsupported(cx.fieldAt(c, "any"), r.path(path + ".any"), "'any' next to other conditions",
          "the route is ignored");
      return null;
    }
    RouteConfig.StringMatch uri = pathRegex == null ? null
        : cx.derive(new RouteConfig.StringMatch(null, null, pathRegex), c);
    RouteConfig.StringMatch m = method == null ? null : cx.derive(new RouteConfig.StringMatch(method, null, null), c);
    return List.of(cx.derive(new RouteConfig.Match(null, uri, m, Map.of(), Map.of(), Map.of(), false, Map.of(),
        null), c));
  }

  // ---------------------------------------------------------------- policy: collected, then joined per Server

  void server(Resource r) {
    Specs.ServerSpec spec = cx.bind(r, r.spec(), Specs.ServerSpec.class, Map.of());
    if (spec != null) {
      servers.put(r.display(), new Bound<>(r, spec));
    }
  }

  void meshTlsAuthentication(Resource r) {
    Specs.MeshTlsAuthenticationSpec spec = cx.bind(r, r.spec(), Specs.MeshTlsAuthenticationSpec.class, Map.of());
    if (spec != null) {
      authentications.put("MeshTLSAuthentication " + r.display(), new Bound<>(r, spec));
    }
  }

  void networkAuthentication(Resource r) {
    Specs.NetworkAuthenticationSpec spec = cx.bind(r, r.spec(), Specs.NetworkAuthenticationSpec.class, Map.of());
    if (spec != null) {
      authentications.put("NetworkAuthentication " + r.display(), new Bound<>(r, spec));
    }
  }

  void authorizationPolicy(Resource r) {
    MapNode spec = r.spec();
    if (spec.entries().containsKey("requiredServerRefs") && !spec.entries().containsKey("requiredAuthenticationRefs")) {
      // The seed's spelling; Linkerd's field is requiredAuthenticationRefs.
      Location at = spec.entries().get("requiredServerRefs").keyLocation();
      if (cx.strict) {
        cx.problems.error(at, r.path("spec.requiredServerRefs"), "not a Linkerd field", "requiredAuthenticationRefs");
      } else {
        cx.problems.warning(at, r.path("spec.requiredServerRefs"), "not a Linkerd field: read as"
            + " requiredAuthenticationRefs", null);
      }
      spec = Schema.renamed(spec, "requiredServerRefs", "requiredAuthenticationRefs");
    }
    Specs.LinkerdAuthorizationSpec bound = cx.bind(r, spec, Specs.LinkerdAuthorizationSpec.class, Map.of());
    if (bound != null) {
      policies.add(new Bound<>(r, bound));
    }
  }

  /**
   * Servers into native policies. A Server's port denies every request no policy authorizes (Linkerd's default
   * {@code accessPolicy: deny}); one ALLOW policy per selected workload group allows its other ports untouched
   * ({@code notPorts}), whatever its access policy allows, and each AuthorizationPolicy's sources on the port.
   * {@code clientAuth: REQUIRED} or an authenticated access policy makes the port's mTLS STRICT.
   */
  void finish() {
    Map<String, List<Bound<Specs.ServerSpec>>> groups = new LinkedHashMap<>();
    for (Bound<Specs.ServerSpec> s : servers.values()) {
      Map<String, String> labels = s.spec().podSelector() == null ? Map.of() : s.spec().podSelector().matchLabels();
      groups.computeIfAbsent(s.resource().namespace() + " " + new TreeMap<>(labels), k -> new ArrayList<>()).add(s);
    }
    for (List<Bound<Specs.ServerSpec>> group : groups.values()) {
      Bound<Specs.ServerSpec> first = group.get(0);
      Resource fr = first.resource();
      InboundConfig.WorkloadSelector selector = first.spec().podSelector() == null ? null
          : cx.derive(new InboundConfig.WorkloadSelector(first.spec().podSelector().matchLabels()),
              first.spec().podSelector());
      List<InboundConfig.Rule> rules = new ArrayList<>();
      List<String> ports = new ArrayList<>();
      Map<Integer, InboundConfig.Mtls> strict = new LinkedHashMap<>();
      for (Bound<Specs.ServerSpec> s : group) {
        String port = port(s);
        if (port != null) {
          ports.add(port);
        }
        if (authenticated(s)) {
          if (port != null) {
            strict.put(Integer.valueOf(port), cx.derive(new InboundConfig.Mtls(MtlsMode.STRICT), s.spec()));
          }
        }
        InboundConfig.Rule access = accessRule(s, port);
        if (access != null) {
          rules.add(access);
        }
        for (Bound<Specs.LinkerdAuthorizationSpec> p : policies) {
          if (targets(p, s)) {
            InboundConfig.Rule rule = policyRule(p, port);
            if (rule != null) {
              rules.add(rule);
            }
          }
        }
      }
      if (!ports.isEmpty()) {
        InboundConfig.Operation others = new InboundConfig.Operation(List.of(), List.of(), List.of(), ports,
            List.of(), List.of(), List.of(), List.of());
        rules.add(0, cx.derive(new InboundConfig.Rule(List.of(), List.of(new InboundConfig.To(others)), List.of()),
            first.spec()));
      }
      cx.authorization.add(cx.derive(new InboundConfig.AuthorizationPolicy(fr.name(), fr.namespace(), selector,
          InboundConfig.AuthorizationAction.ALLOW, null, rules, false), first.spec()));
      if (!strict.isEmpty()) {
        InboundConfig.WorkloadSelector paSelector = selector != null ? selector
            : cx.derive(new InboundConfig.WorkloadSelector(Map.of()), first.spec());
        cx.peerAuthentication.add(cx.derive(new InboundConfig.PeerAuthentication(fr.name(), fr.namespace(),
            paSelector, cx.derive(new InboundConfig.Mtls(MtlsMode.UNSET), first.spec()), strict), first.spec()));
      }
    }
    for (Bound<Specs.LinkerdAuthorizationSpec> p : policies) {
      if (servers.values().stream().noneMatch(s -> targets(p, s))) {
        Specs.TargetRef ref = p.spec().targetRef();
        cx.problems.warning(cx.fieldAt(p.spec(), "targetRef"), p.resource().path("spec.targetRef"), ref.kind() + " "
            + p.resource().namespace() + "/" + ref.name() + " is not defined (or not a Server or Namespace):"
            + " the policy authorizes nothing", null);
      }
    }
  }

  private @Nullable String port(Bound<Specs.ServerSpec> s) {
    String port = s.spec().port();
    if (port.chars().allMatch(Character::isDigit) && !port.isEmpty()) {
      int p = Integer.parseInt(port);
      if (p >= 1 && p <= 65535) {
        return port;
      }
      cx.problems.error(cx.fieldAt(s.spec(), "port"), s.resource().path("spec.port"), port,
          "a port between 1 and 65535, or a port name");
      return null;
    }
    cx.unsupported(cx.fieldAt(s.spec(), "port"), s.resource().path("spec.port"), "a named port ('" + port + "')",
        "the Server's policy applies to every port of the selected workloads");
    return null;
  }

  private static boolean authenticated(Bound<Specs.ServerSpec> s) {
    String access = s.spec().accessPolicy();
    return s.spec().clientAuth() != null && s.spec().clientAuth().mode() == Specs.ClientAuthMode.REQUIRED
        || "all-authenticated".equals(access) || "cluster-authenticated".equals(access);
  }

  /** What the Server's own access policy allows on its port (default deny: nothing). */
  private InboundConfig.@Nullable Rule accessRule(Bound<Specs.ServerSpec> s, @Nullable String port) {
    String access = s.spec().accessPolicy();
    if (access == null || access.equals("deny")) {
      return null;
    }
    List<String> principals;
    switch (access) {
      case "all-unauthenticated", "audit" -> principals = List.of();
      case "all-authenticated" -> principals = List.of("*");
      case "cluster-unauthenticated", "cluster-authenticated" -> {
        cx.unsupported(cx.fieldAt(s.spec(), "accessPolicy"), s.resource().path("spec.accessPolicy"), access,
            "the cluster's networks are unknown in-process: treated as " + access.replace("cluster-", "all-"));
        principals = access.equals("cluster-authenticated") ? List.of("*") : List.of();
      }
      default -> {
        cx.problems.error(cx.fieldAt(s.spec(), "accessPolicy"), s.resource().path("spec.accessPolicy"),
            "unknown value '" + access + "'", "one of deny, audit, all-unauthenticated, all-authenticated,"
                + " cluster-unauthenticated, cluster-authenticated");
        return null;
      }
    }
    if (access.equals("audit")) {
      cx.unsupported(cx.fieldAt(s.spec(), "accessPolicy"), s.resource().path("spec.accessPolicy"), "audit",
          "requests are allowed without an audit record");
    }
    return rule(principals, List.of(), List.of(), port, s.spec());
  }

  private static boolean targets(Bound<Specs.LinkerdAuthorizationSpec> p, Bound<Specs.ServerSpec> s) {
    Specs.TargetRef ref = p.spec().targetRef();
    if (!p.resource().namespace().equals(s.resource().namespace())) {
      return false;
    }
    return ref.kind().equals("Server") && ref.name().equals(s.resource().name())
        || ref.kind().equals("Namespace") && ref.name().equals(s.resource().namespace());
  }

  /** The sources an AuthorizationPolicy requires on a port; null (reported) when it authorizes nothing. */
  private InboundConfig.@Nullable Rule policyRule(Bound<Specs.LinkerdAuthorizationSpec> p, @Nullable String port) {
    Resource r = p.resource();
    List<String> principals = new ArrayList<>();
    List<String> namespaces = new ArrayList<>();
    List<String> ipBlocks = new ArrayList<>();
    List<String> notIpBlocks = new ArrayList<>();
    boolean identity = false;
    boolean network = false;
    List<Specs.TargetRef> refs = p.spec().requiredAuthenticationRefs();
    for (int i = 0; i < refs.size(); i++) {
      Specs.TargetRef ref = refs.get(i);
      String path = r.path("spec.requiredAuthenticationRefs[" + i + "]");
      Location at = cx.elementAt(p.spec(), "requiredAuthenticationRefs", i);
      String ns = ref.namespace() != null ? ref.namespace() : r.namespace();
      String kind = ref.kind();
      if (kind.equals("MeshTLS")) {
        cx.problems.warning(at, path + ".kind", "kind MeshTLS read as MeshTLSAuthentication", null);
        kind = "MeshTLSAuthentication";
      }
      switch (kind) {
        case "ServiceAccount" -> {
          principals.add(principal(ns, ref.name()));
          identity = true;
        }
        case "MeshTLSAuthentication", "NetworkAuthentication" -> {
          Bound<Object> auth = authentications.get(kind + " " + ns + "/" + ref.name());
          if (auth == null) {
            cx.problems.warning(at, path, kind + " " + ns + "/" + ref.name() + " is not defined: the policy"
                + " authorizes nothing, as in Linkerd", null);
            return null;
          }
          if (identity && kind.equals("MeshTLSAuthentication") || network && kind.equals("NetworkAuthentication")) {
            cx.problems.error(at, path, "a second " + kind + " (all required authentications must hold)",
                "one MeshTLSAuthentication and at most one NetworkAuthentication per policy");
            return null;
          }
          if (auth.spec() instanceof Specs.MeshTlsAuthenticationSpec m) {
            identity = true;
            if (!meshTls(auth.resource(), m, principals, namespaces)) {
              return null;
            }
          } else if (auth.spec() instanceof Specs.NetworkAuthenticationSpec n) {
            network = true;
            for (Specs.Network net : n.networks()) {
              ipBlocks.add(net.cidr());
              notIpBlocks.addAll(net.except());
            }
          }
        }
        default -> {
          cx.problems.error(cx.fieldAt(ref, "kind"), path + ".kind", "unknown authentication kind '" + kind + "'",
              "MeshTLSAuthentication, NetworkAuthentication or ServiceAccount");
          return null;
        }
      }
    }
    InboundConfig.Source source = new InboundConfig.Source(principals, List.of(), namespaces, List.of(), ipBlocks,
        notIpBlocks, List.of(), List.of());
    return rule(source, port, p.spec());
  }

  /** A MeshTLSAuthentication's identities as principals (or namespaces); false when one cannot be expressed. */
  private boolean meshTls(Resource r, Specs.MeshTlsAuthenticationSpec m, List<String> principals,
      List<String> namespaces) {
    for (int i = 0; i < m.identities().size(); i++) {
      String id = m.identities().get(i);
      String principal = id.equals("*") ? "*" : identity(id);
      if (principal == null) {
        cx.problems.error(cx.elementAt(m, "identities", i), r.path("spec.identities[" + i + "]"),
            "'" + id + "' is not a Linkerd identity", "*, or <sa>.<ns>.serviceaccount.identity.linkerd.<domain>,"
                + " or *.<ns>.serviceaccount.identity.linkerd.<domain>");
        return false;
      }
      principals.add(principal);
    }
    for (int i = 0; i < m.identityRefs().size(); i++) {
      Specs.TargetRef ref = m.identityRefs().get(i);
      String ns = ref.namespace() != null ? ref.namespace() : r.namespace();
      if (ref.kind().equals("ServiceAccount")) {
        principals.add(ref.name().equals("*") ? principal(ns, "*") : principal(ns, ref.name()));
      } else if (ref.kind().equals("Namespace")) {
        namespaces.add(ref.name());
      } else {
        cx.problems.error(cx.fieldAt(ref, "kind"), r.path("spec.identityRefs[" + i + "].kind"),
            "unknown identity kind '" + ref.kind() + "'", "ServiceAccount or Namespace");
        return false;
      }
    }
    return true;
  }

  private String principal(String namespace, String account) {
    return cx.mesh.trustDomain() + "/ns/" + namespace + "/sa/" + account;
  }

  /** {@code sa.ns.serviceaccount.identity.linkerd.cluster.local} as {@code cluster.local/ns/ns/sa/sa}, or null. */
  static @Nullable String identity(String linkerd) {
    int infix = linkerd.indexOf(IDENTITY_INFIX);
    if (infix < 0) {
      return null;
    }
    String domain = linkerd.substring(infix + IDENTITY_INFIX.length());
    String[] head = linkerd.substring(0, infix).split("\\.");
    if (head.length != 2 || domain.isEmpty()) {
      return null;
    }
    return domain + "/ns/" + head[1] + "/sa/" + head[0];
  }

  private InboundConfig.Rule rule(List<String> principals, List<String> namespaces, List<String> ipBlocks,
      @Nullable String port, Object from) {
    return rule(new InboundConfig.Source(principals, List.of(), namespaces, List.of(), ipBlocks, List.of(), List.of(),
        List.of()), port, from);
  }

  private InboundConfig.Rule rule(InboundConfig.Source source, @Nullable String port, Object from) {
    boolean anySource = source.principals().isEmpty() && source.namespaces().isEmpty()
        && source.ipBlocks().isEmpty() && source.notIpBlocks().isEmpty();
    List<InboundConfig.From> froms = anySource ? List.of() : List.of(new InboundConfig.From(source));
    List<InboundConfig.To> tos = port == null ? List.of() : List.of(new InboundConfig.To(new InboundConfig.Operation(
        List.of(), List.of(), List.of(port), List.of(), List.of(), List.of(), List.of(), List.of())));
    return cx.derive(new InboundConfig.Rule(froms, tos, List.of()), from);
  }
}
