package io.inmesh.config.internal;

import io.inmesh.config.AdminConfig;
import io.inmesh.config.InboundConfig;
import io.inmesh.config.InboundConfig.AuthorizationAction;
import io.inmesh.config.InboundConfig.AuthorizationPolicy;
import io.inmesh.config.InboundConfig.Condition;
import io.inmesh.config.InboundConfig.From;
import io.inmesh.config.InboundConfig.Operation;
import io.inmesh.config.InboundConfig.PathNormalizationPolicy;
import io.inmesh.config.InboundConfig.PeerAuthentication;
import io.inmesh.config.InboundConfig.RateLimitOverride;
import io.inmesh.config.InboundConfig.RateLimitPolicy;
import io.inmesh.config.InboundConfig.RateLimitScope;
import io.inmesh.config.InboundConfig.Rule;
import io.inmesh.config.InboundConfig.Source;
import io.inmesh.config.InboundConfig.To;
import io.inmesh.config.InboundConfig.TokenBucket;
import io.inmesh.config.InboundConfig.WorkloadSelector;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.MeshConfig.IdentityProviderType;
import io.inmesh.config.MeshConfig.RetryBudget;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.RouteConfig.Destination;
import io.inmesh.config.RouteConfig.Fault;
import io.inmesh.config.RouteConfig.HeaderOperations;
import io.inmesh.config.RouteConfig.Match;
import io.inmesh.config.RouteConfig.MirrorPolicy;
import io.inmesh.config.RouteConfig.Percent;
import io.inmesh.config.RouteConfig.RetryPolicy;
import io.inmesh.config.RouteConfig.RouteDestination;
import io.inmesh.config.RouteConfig.StringMatch;
import io.inmesh.config.ServiceConfig;
import io.inmesh.config.ServiceConfig.DiscoveryType;
import io.inmesh.config.ServiceConfig.Endpoint;
import io.inmesh.config.ServiceConfig.Port;
import io.inmesh.config.ServiceConfig.Subset;
import io.inmesh.config.TelemetryConfig;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.config.TrafficPolicy.ConsistentHash;
import io.inmesh.tls.SpiffeId;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The semantic checks that run after binding: ranges, references between services, subsets and routes, regexes,
 * identities, duplicates. Every problem is reported with the location the binder recorded for the offending record.
 */
public final class ConfigValidator {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_NAME =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
  private static final Pattern STATUS_CODE = Pattern.compile("[1-5][0-9][0-9]");
  private static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "connect-failure",
      "refused-stream", "retriable-4xx", "retriable-status-codes");
  private static final String RETRY_ON_EXPECTED =
      "one of 5xx, gateway-error, reset, connect-failure, refused-stream, retriable-4xx, retriable-status-codes,"
          + " or a status code such as \"503\"";
  private static final Pattern CONDITION_KEY = Pattern.compile(
      "request\\.headers\\[[^\\]]+\\]|source\\.ip|remote\\.ip|source\\.namespace|source\\.principal"
          + "|destination\\.ip|destination\\.port|connection\\.sni");

  private static final Set<String> STANDARD_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final Map<String, String> KIND_NAMES = Map.of("peerAuthentication", "peer authentication",
      "rateLimits", "rate limit", "pathNormalization", "path normalization");

  private final MeshConfig config;
  private final RecordBinder binder;
  private final Problems problems;
  private final HostIndex hosts;
  private final Provenance provenance;

  private ConfigValidator(MeshConfig config, RecordBinder binder, Problems problems, Provenance provenance) {
    this.config = config;
    this.binder = binder;
    this.problems = problems;
    this.provenance = provenance;
    this.hosts = new HostIndex(config.services(), config.mesh().defaultNamespace());
  }

  /** Checks {@code config}, reporting into {@code problems}. */
  public static void validate(MeshConfig config, RecordBinder binder, Problems problems) {
    validate(config, binder, problems, Provenance.NONE);
  }

  /** Checks {@code config}, whose records built from translated resources are described by {@code provenance}. */
  public static void validate(MeshConfig config, RecordBinder binder, Problems problems, Provenance provenance) {
    new ConfigValidator(config, binder, problems, provenance).run();
  }

  /**
   * What the validator needs to know about records that were not bound from YAML but built from others (the
   * translation of Istio and Linkerd resources, {@code io.inmesh.config.k8s}).
   */
  public interface Provenance {
    /** Nothing was translated. */
    Provenance NONE = new Provenance() {
      @Override
      public @Nullable Object derivedFrom(Object record) {
        return null;
      }

      @Override
      public boolean lenientSubset(Destination destination) {
        return false;
      }
    };

    /** The bound record whose location and path stand for {@code record}, or null. */
    @Nullable Object derivedFrom(Object record);

    /**
     * True when an unknown subset of {@code destination} is a warning, not an error: an Istio route may name a subset
     * no DestinationRule defines (Istio answers 503 at run time).
     */
    boolean lenientSubset(Destination destination);
  }

  private void run() {
    mesh(config.mesh());
    hostClaims();
    Map<String, Object> serviceKeys = new HashMap<>();
    for (ServiceConfig s : config.services()) {
      String key = hosts.namespaceOf(s) + "/" + s.name();
      Object first = serviceKeys.putIfAbsent(key, s);
      if (first != null && !failed(s, "namespace") && !failed(first, "namespace")) {
        error(s, "name", "duplicate service '" + s.name() + "' in namespace '" + hosts.namespaceOf(s) + "'"
            + firstAt(first, "name"), "each service once per namespace");
      }
      service(s);
    }
    inbound(config.inbound());
    telemetry(config.telemetry());
    admin(config.admin());
  }

  // ---------------------------------------------------------------- mesh

  private void mesh(MeshConfig.MeshSettings m) {
    try {
      new SpiffeId(m.trustDomain(), "");
    } catch (IllegalArgumentException e) {
      error(m, "trustDomain", e.getMessage(), "a DNS-like name such as cluster.local");
    }
    dnsLabel(m, "defaultNamespace", m.defaultNamespace());
    retryBudget(m.defaults().retryBudget());
    retries(m.defaults().retries(), null);
    trafficPolicyParts(m.defaults().loadBalancer(), m.defaults().connectionPool(), m.defaults().outlierDetection());
    MeshConfig.IdentityConfig id = m.identity();
    positive(id.devCa(), "certificateTtl", id.devCa().certificateTtl(), Duration.ofSeconds(1));
    if (id.provider() == IdentityProviderType.PEM_FILES && id.pemFiles() == null) {
      error(id, "pemFiles", "provider PEM_FILES needs pemFiles", "pemFiles: {certificateChain, privateKey, trustBundle}");
    }
  }

  private void retryBudget(RetryBudget b) {
    if (!(b.retryRatio() > 0 && b.retryRatio() <= 1000)) {
      error(b, "retryRatio", num(b.retryRatio()), "> 0 and <= 1000");
    }
    min(b, "minRetriesPerSecond", b.minRetriesPerSecond(), 0);
    if (b.ttl().compareTo(Duration.ofSeconds(1)) < 0 || b.ttl().compareTo(Duration.ofSeconds(60)) > 0) {
      error(b, "ttl", Durations.format(b.ttl()), "between 1s and 60s");
    }
  }

  // ---------------------------------------------------------------- services

  /**
   * Each extra host names one service: a host that is also another service's name (short or qualified) or another
   * service's extra host would silently route to whichever the index saw first.
   */
  private void hostClaims() {
    Map<String, ServiceConfig> names = new HashMap<>();
    for (ServiceConfig s : config.services()) {
      String name = s.name().toLowerCase(Locale.ROOT);
      String ns = hosts.namespaceOf(s);
      for (String n : List.of(name, name + "." + ns, name + "." + ns + ".svc",
          name + "." + ns + ".svc." + HostIndex.CLUSTER_DOMAIN)) {
        names.putIfAbsent(n, s);
      }
    }
    Map<String, ServiceConfig> extra = new HashMap<>();
    for (ServiceConfig s : config.services()) {
      for (int i = 0; i < s.hosts().size(); i++) {
        String h = s.hosts().get(i).toLowerCase(Locale.ROOT);
        h = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        ServiceConfig owner = names.get(h);
        String conflict = null;
        if (owner != null && owner != s) {
          conflict = "is already a name of service '" + owner.name() + "'";
        } else if (owner == null) {
          ServiceConfig first = extra.putIfAbsent(h, s);
          if (first != null && first != s) {
            conflict = "is already a host of service '" + first.name() + "'" + firstAt(first, "hosts");
          }
        }
        if (conflict != null) {
          errorAt(s, origin(s).elementLocation("hosts", i), path(s, "hosts") + "[" + i + "]",
              "host '" + s.hosts().get(i) + "' " + conflict, "a host that names one service only");
        }
      }
    }
  }

  private void service(ServiceConfig s) {
    if (!DNS_NAME.matcher(s.name()).matches()) {
      error(s, "name", "'" + s.name() + "' is not a valid service name",
          "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit");
    }
    if (s.namespace() != null) {
      dnsLabel(s, "namespace", s.namespace());
    }
    for (int i = 0; i < s.hosts().size(); i++) {
      String h = s.hosts().get(i);
      if (!DNS_NAME.matcher(h.toLowerCase(Locale.ROOT)).matches()) {
        errorAt(s, origin(s).elementLocation("hosts", i), path(s, "hosts") + "[" + i + "]",
            "'" + h + "' is not a valid host name", "a DNS name");
      }
    }
    Set<Integer> portNumbers = new HashSet<>();
    for (Port p : s.ports()) {
      port(p, "number", p.number());
      if (p.targetPort() != null) {
        port(p, "targetPort", p.targetPort());
      }
      if (!portNumbers.add(p.number())) {
        error(p, "number", "duplicate port " + p.number(), "each port once");
      }
    }
    if (s.ports().isEmpty()) {
      error(s, "ports", "no ports", "at least one port");
    }
    if (s.serviceAccount() != null) {
      dnsLabel(s, "serviceAccount", s.serviceAccount());
    }
    if (s.identity() != null) {
      try {
        SpiffeId.parse(s.identity());
      } catch (IllegalArgumentException e) {
        error(s, "identity", stripExpected(e.getMessage()), "spiffe://<trust-domain>/ns/<namespace>/sa/<account>");
      }
    }
    labels(s, "labels", s.labels());
    discovery(s);
    Set<String> endpointKeys = new HashSet<>();
    for (Endpoint e : s.endpoints()) {
      if (e.address().isBlank()) {
        error(e, "address", "empty address", "an IP address or host name");
      } else if (!validHost(e.address())) {
        error(e, "address", "'" + e.address() + "' is not an IP address or host name", "an IP address or host name");
      }
      if (e.port() != null) {
        port(e, "port", e.port());
      }
      if (e.weight() < 1) {
        error(e, "weight", String.valueOf(e.weight()), ">= 1");
      }
      labels(e, "labels", e.labels());
      String key = e.address() + ":" + (e.port() == null ? "" : e.port());
      if (!endpointKeys.add(key)) {
        error(e, "address", "duplicate endpoint " + e.address() + (e.port() == null ? "" : ":" + e.port()),
            "each endpoint once");
      }
    }
    Map<String, Subset> subsets = new HashMap<>();
    for (Subset sub : s.subsets()) {
      Subset first = subsets.putIfAbsent(sub.name(), sub);
      if (first != null) {
        error(sub, "name", "duplicate subset '" + sub.name() + "'" + firstAt(first, "name"), "unique subset names");
      }
      if (!DNS_LABEL.matcher(sub.name()).matches()) {
        error(sub, "name", "'" + sub.name() + "' is not a valid subset name", "a DNS label such as v1");
      }
      labels(sub, "labels", sub.labels());
      if (sub.trafficPolicy() != null) {
        trafficPolicy(sub.trafficPolicy());
      }
      if (s.discovery().type() == DiscoveryType.STATIC && !s.endpoints().isEmpty() && !failed(s, "endpoints")
          && s.endpoints().stream().noneMatch(e -> e.labels().entrySet().containsAll(sub.labels().entrySet()))) {
        warning(sub, "labels", "subset '" + sub.name() + "' selects none of the service's endpoints", null);
      }
      if (s.discovery().type() == DiscoveryType.DNS && !sub.labels().isEmpty() && !failed(s.discovery(), "type")) {
        warning(sub, "labels", "DNS-discovered endpoints carry no labels: subset '" + sub.name()
            + "' selects none of them", "no labels, or discovery type STATIC or REGISTRY");
      }
    }
    if (s.trafficPolicy() != null) {
      trafficPolicy(s.trafficPolicy());
    }
    Map<String, RouteConfig> routeNames = new HashMap<>();
    for (RouteConfig r : s.routes()) {
      if (r.name() != null) {
        RouteConfig first = routeNames.putIfAbsent(r.name(), r);
        if (first != null) {
          error(r, "name", "duplicate route name '" + r.name() + "'" + firstAt(first, "name"),
              "unique route names within a service");
        }
      }
      route(s, r);
    }
  }

  private void discovery(ServiceConfig s) {
    ServiceConfig.Discovery d = s.discovery();
    if (failed(d, "type")) {
      return; // the type is unknown: what it requires cannot be checked
    }
    switch (d.type()) {
      case STATIC -> {
        if (s.endpoints().isEmpty()) {
          warning(s, "endpoints", "service '" + s.name() + "' has no endpoints: requests to it will fail",
              "endpoints, or discovery type DNS or REGISTRY");
        }
      }
      case DNS -> {
        if (d.hostname() == null) {
          error(d, "hostname", "discovery type DNS needs a hostname", "hostname: api.internal.example");
        } else if (!validHost(d.hostname())) {
          error(d, "hostname", "'" + d.hostname() + "' is not a host name", "a DNS name");
        }
        staticEndpointsOnly(s);
      }
      case REGISTRY -> {
        if (d.registry() == null || d.registry().isBlank()) {
          error(d, "registry", "discovery type REGISTRY needs a registry name", "registry: etcd");
        }
        staticEndpointsOnly(s);
      }
    }
    if (d.hostname() != null && d.type() != DiscoveryType.DNS) {
      error(d, "hostname", "hostname is only used with discovery type DNS", "type: DNS");
    }
    if (d.registry() != null && d.type() != DiscoveryType.REGISTRY) {
      error(d, "registry", "registry is only used with discovery type REGISTRY", "type: REGISTRY");
    }
    if (d.port() != null) {
      port(d, "port", d.port());
    }
    positive(d, "refreshInterval", d.refreshInterval(), Duration.ofSeconds(1));
  }

  private void staticEndpointsOnly(ServiceConfig s) {
    if (!s.endpoints().isEmpty()) {
      error(s, "endpoints", "endpoints are only used with discovery type STATIC", "discovery.type: STATIC");
    }
  }

  private void trafficPolicy(TrafficPolicy p) {
    if (p.loadBalancer() != null || p.connectionPool() != null || p.outlierDetection() != null) {
      trafficPolicyParts(p.loadBalancer(), p.connectionPool(), p.outlierDetection());
    }
    if (p.circuitBreaker() != null) {
      TrafficPolicy.CircuitBreaker cb = p.circuitBreaker();
      if (!(cb.failureRateThreshold() > 0 && cb.failureRateThreshold() <= 100)) {
        error(cb, "failureRateThreshold", num(cb.failureRateThreshold()), "> 0 and <= 100");
      }
      min(cb, "slidingWindowSize", cb.slidingWindowSize(), 1);
      min(cb, "minimumNumberOfCalls", cb.minimumNumberOfCalls(), 1);
      min(cb, "permittedNumberOfCallsInHalfOpenState", cb.permittedNumberOfCallsInHalfOpenState(), 1);
      positive(cb, "waitDurationInOpenState", cb.waitDurationInOpenState(), Duration.ofMillis(1));
    }
    if (p.healthCheck() != null) {
      TrafficPolicy.HealthCheck hc = p.healthCheck();
      if (!hc.path().startsWith("/")) {
        error(hc, "path", "'" + hc.path() + "' does not start with /", "a path starting with /");
      }
      positive(hc, "interval", hc.interval(), Duration.ofMillis(1));
      positive(hc, "timeout", hc.timeout(), Duration.ofMillis(1));
      min(hc, "healthyThreshold", hc.healthyThreshold(), 1);
      min(hc, "unhealthyThreshold", hc.unhealthyThreshold(), 1);
      for (int i = 0; i < hc.expectedStatuses().size(); i++) {
        int code = hc.expectedStatuses().get(i);
        if (code < 100 || code > 599) {
          errorAt(hc, origin(hc).elementLocation("expectedStatuses", i),
              path(hc, "expectedStatuses") + "[" + i + "]", String.valueOf(code), "an HTTP status between 100 and 599");
        }
      }
    }
  }

  private void trafficPolicyParts(TrafficPolicy.@Nullable LoadBalancerSettings lb,
      TrafficPolicy.@Nullable ConnectionPool pool, TrafficPolicy.@Nullable OutlierDetection od) {
    if (lb != null) {
      ConsistentHash ch = lb.consistentHash();
      if (ch != null) {
        int keys = (ch.httpHeaderName() != null ? 1 : 0) + (ch.httpCookie() != null ? 1 : 0)
            + (ch.httpQueryParameterName() != null ? 1 : 0) + (ch.useSourceIp() ? 1 : 0)
            + (ch.useSourceIdentity() ? 1 : 0);
        if (keys != 1) {
          error(ch, "", keys == 0 ? "consistentHash needs a hash key" : "consistentHash has " + keys + " hash keys",
              "exactly one of httpHeaderName, httpCookie, httpQueryParameterName, useSourceIp, useSourceIdentity");
        }
        if (ch.minimumRingSize() < 1024 || ch.minimumRingSize() > 8_388_608) {
          error(ch, "minimumRingSize", String.valueOf(ch.minimumRingSize()), "between 1024 and 8388608");
        }
        if (ch.httpHeaderName() != null) {
          headerName(ch, "httpHeaderName", ch.httpHeaderName());
        }
        if (origin(lb).node() != null && origin(lb).node().get("simple") != null) {
          error(lb, "simple", "simple and consistentHash are exclusive", "one of simple or consistentHash");
        }
      }
      if (lb.warmupDuration() != null) {
        positive(lb, "warmupDuration", lb.warmupDuration(), Duration.ofSeconds(1));
      }
      if (lb.panicThreshold() < 0 || lb.panicThreshold() > 100) {
        error(lb, "panicThreshold", num(lb.panicThreshold()), "between 0 and 100");
      }
    }
    if (pool != null) {
      min(pool.tcp(), "maxConnections", pool.tcp().maxConnections(), 1);
      positive(pool.tcp(), "connectTimeout", pool.tcp().connectTimeout(), Duration.ofMillis(1));
      min(pool.http(), "http1MaxPendingRequests", pool.http().http1MaxPendingRequests(), 1);
      min(pool.http(), "http2MaxRequests", pool.http().http2MaxRequests(), 1);
      min(pool.http(), "maxRequestsPerConnection", pool.http().maxRequestsPerConnection(), 0);
      min(pool.http(), "maxRetries", pool.http().maxRetries(), 0);
      positive(pool.http(), "idleTimeout", pool.http().idleTimeout(), Duration.ofMillis(1));
    }
    if (od != null) {
      min(od, "consecutive5xxErrors", od.consecutive5xxErrors(), 0);
      min(od, "consecutiveGatewayErrors", od.consecutiveGatewayErrors(), 0);
      positive(od, "interval", od.interval(), Duration.ofMillis(1));
      positive(od, "baseEjectionTime", od.baseEjectionTime(), Duration.ofMillis(1));
      percentInt(od, "maxEjectionPercent", od.maxEjectionPercent());
      percentInt(od, "minHealthPercent", od.minHealthPercent());
    }
  }

  // ---------------------------------------------------------------- routes

  private void route(ServiceConfig owner, RouteConfig r) {
    for (Match m : r.match()) {
      match(m, true);
    }
    String ns = hosts.namespaceOf(owner);
    int total = 0;
    for (RouteDestination d : r.route()) {
      destination(d.destination(), ns);
      if (d.weight() != null) {
        if (d.weight() < 0) {
          error(d, "weight", String.valueOf(d.weight()), ">= 0");
        } else {
          total += d.weight();
        }
      }
      if (d.headers() != null) {
        headers(d.headers());
      }
    }
    if (r.route().size() > 1 && total == 0 && r.route().stream().allMatch(d -> d.weight() == null || d.weight() >= 0)) {
      boolean unset = r.route().stream().allMatch(d -> d.weight() == null);
      error(r, "route", unset
              ? "none of the " + r.route().size() + " destinations has a weight (with several destinations, a missing"
                  + " weight counts as 0), so none would get traffic"
              : "all " + r.route().size() + " destinations have weight 0, so none would get traffic",
          "at least one weight > 0");
    }
    if (r.timeout() != null) {
      positive(r, "timeout", r.timeout(), Duration.ofMillis(1));
    }
    if (r.retries() != null) {
      retries(r.retries(), r.timeout());
    }
    if (r.mirror() != null) {
      destination(r.mirror(), ns);
    } else if (r.mirrorPercentage() != null && !failed(r, "mirror")) {
      error(r, "mirrorPercentage", "mirrorPercentage without mirror", "mirror: {host: ...}");
    }
    if (r.mirrorPercentage() != null) {
      percent(r.mirrorPercentage());
    }
    for (MirrorPolicy mp : r.mirrors()) {
      destination(mp.destination(), ns);
      if (mp.percentage() != null) {
        percent(mp.percentage());
      }
    }
    if (r.fault() != null) {
      fault(r.fault());
    }
    if (r.headers() != null) {
      headers(r.headers());
    }
    if (r.rewrite() != null) {
      RouteConfig.Rewrite rw = r.rewrite();
      if (rw.uri() != null && !rw.uri().startsWith("/")) {
        error(rw, "uri", "'" + rw.uri() + "' does not start with /", "a path starting with /");
      }
      if (rw.authority() != null && !validAuthority(rw.authority())) {
        error(rw, "authority", "'" + rw.authority() + "' is not a valid authority", "host or host:port");
      }
      if (rw.uri() == null && rw.authority() == null) {
        error(rw, "", "empty rewrite", "uri or authority");
      }
    }
  }

  private void match(Match m, boolean allowSource) {
    if (m.uri() != null) {
      stringMatch(m.uri(), false, m.ignoreUriCase());
    }
    if (m.method() != null) {
      stringMatch(m.method(), false, false);
      if (m.method().exact() != null && !TOKEN.matcher(m.method().exact()).matches()) {
        error(m.method(), "exact", "'" + m.method().exact() + "' is not an HTTP method", "GET, POST, ...");
      } else if (m.method().exact() != null && lowercaseMethod(m.method().exact())) {
        warning(m.method(), "exact", "'" + m.method().exact() + "' never matches: HTTP methods are case-sensitive",
            m.method().exact().toUpperCase(Locale.ROOT));
      }
    }
    headerMatches(m, "headers", m.headers());
    headerMatches(m, "withoutHeaders", m.withoutHeaders());
    for (StringMatch q : m.queryParams().values()) {
      stringMatch(q, true, false);
    }
    labels(m, "sourceLabels", m.sourceLabels());
    if (m.sourceNamespace() != null) {
      dnsLabel(m, "sourceNamespace", m.sourceNamespace());
    }
    if (!allowSource && !m.sourceLabels().isEmpty()) {
      error(m, "sourceLabels", "sourceLabels is only allowed in route matches",
          "uri, method, headers, withoutHeaders or queryParams; select clients with scope CLIENT and overrides");
    }
    if (!allowSource && m.sourceNamespace() != null) {
      error(m, "sourceNamespace", "sourceNamespace is only allowed in route matches",
          "uri, method, headers, withoutHeaders or queryParams; select clients with scope CLIENT and overrides");
    }
  }

  private void headerMatches(Match m, String field, Map<String, StringMatch> headers) {
    for (Map.Entry<String, StringMatch> e : headers.entrySet()) {
      if (!TOKEN.matcher(e.getKey()).matches()) {
        errorAt(m, origin(m).keyLocation(field, e.getKey()), path(m, field) + "." + e.getKey(),
            "'" + e.getKey() + "' is not a valid header name", "a token such as x-canary");
      }
      stringMatch(e.getValue(), true, false);
    }
  }

  private void stringMatch(StringMatch sm, boolean emptyMeansPresent, boolean ignoreCase) {
    int set = (sm.exact() != null ? 1 : 0) + (sm.prefix() != null ? 1 : 0) + (sm.regex() != null ? 1 : 0);
    if (set > 1) {
      error(sm, "", "more than one of exact, prefix, regex", "exactly one of exact, prefix, regex");
    } else if (set == 0 && !emptyMeansPresent) {
      error(sm, "", "empty match", "exactly one of exact, prefix, regex");
    }
    if (sm.regex() != null) {
      try {
        Pattern.compile(sm.regex(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
      } catch (PatternSyntaxException e) {
        error(sm, "regex", "invalid regex '" + sm.regex() + "': " + e.getDescription()
            + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""), "a valid regular expression");
      }
    }
  }

  private void destination(Destination d, String fromNamespace) {
    ServiceConfig target = hosts.resolve(d.host(), fromNamespace);
    if (target == null && mayBeUnboundService(d.host())) {
      return; // a service of that name was written but did not bind: its problems are reported
    }
    if (target == null) {
      List<String> namespaces = hosts.ambiguity(d.host(), fromNamespace);
      if (!namespaces.isEmpty()) {
        error(d, "host", "ambiguous host '" + d.host() + "': services of that name in namespaces "
            + String.join(", ", namespaces), "name.namespace");
      } else {
        String suggestion = RecordBinder.closest(d.host(),
            config.services().stream().map(ServiceConfig::name).toList());
        error(d, "host", "unknown service '" + d.host() + "'"
            + (suggestion == null ? "" : ", did you mean '" + suggestion + "'?"), "a service defined in services");
      }
      return;
    }
    if (d.subset() != null && target.subsets().stream().noneMatch(s -> s.name().equals(d.subset()))
        && !failed(target, "subsets") && provenance.lenientSubset(d)) {
      warning(d, "subset", "subset '" + d.subset() + "' of service '" + target.name() + "' is not defined by any"
          + " DestinationRule: requests routed to it fail with 503, as in Istio", null);
    } else if (d.subset() != null && target.subsets().stream().noneMatch(s -> s.name().equals(d.subset()))
        && !failed(target, "subsets")) {
      error(d, "subset", "unknown subset '" + d.subset() + "' of service '" + target.name() + "'",
          target.subsets().isEmpty() ? "a subset defined in services[].subsets (it has none)"
              : "one of " + String.join(", ", target.subsets().stream().map(Subset::name).toList()));
    }
    if (d.port() != null && target.ports().stream().noneMatch(p -> p.number() == d.port())
        && !failed(target, "ports")) {
      error(d, "port", "service '" + target.name() + "' has no port " + d.port(),
          "one of " + String.join(", ", target.ports().stream().map(p -> String.valueOf(p.number())).toList()));
    }
  }

  /** True when a service that did not bind may be the one {@code host} names (its name is unknown, or matches). */
  private boolean mayBeUnboundService(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    for (YamlNode node : binder.dropped("services")) {
      if (!(node instanceof YamlNode.MapNode map)) {
        continue;
      }
      if (!(map.get("name") instanceof YamlNode.ScalarNode name) || name.text() == null || name.isInvalid()) {
        return true;
      }
      String n = name.text().toLowerCase(Locale.ROOT);
      if (h.equals(n) || h.startsWith(n + ".")) {
        return true;
      }
      if (map.get("hosts") instanceof YamlNode.ListNode extra && extra.items().stream()
          .anyMatch(i -> i instanceof YamlNode.ScalarNode s && s.text() != null && s.text().equalsIgnoreCase(h))) {
        return true;
      }
    }
    return false;
  }

  private void retries(RetryPolicy rp, @Nullable Duration routeTimeout) {
    if (rp.attempts() < 0 || rp.attempts() > 100) {
      error(rp, "attempts", String.valueOf(rp.attempts()), ">= 0 and <= 100");
    }
    if (rp.perTryTimeout() != null) {
      positive(rp, "perTryTimeout", rp.perTryTimeout(), Duration.ofMillis(1));
      if (routeTimeout != null && rp.perTryTimeout().compareTo(routeTimeout) > 0) {
        warning(rp, "perTryTimeout", "perTryTimeout " + Durations.format(rp.perTryTimeout())
            + " is longer than the route timeout " + Durations.format(routeTimeout) + ", which bounds it", null);
      }
    }
    for (int i = 0; i < rp.retryOn().size(); i++) {
      String cond = rp.retryOn().get(i).strip();
      if (!RETRY_ON.contains(cond) && !STATUS_CODE.matcher(cond).matches()) {
        String suggestion = RecordBinder.closest(cond, RETRY_ON);
        errorAt(rp, origin(rp).elementLocation("retryOn", i), path(rp, "retryOn") + "[" + i + "]",
            "unknown retry condition '" + cond + "'" + (suggestion == null ? "" : ", did you mean '" + suggestion
                + "'?"), RETRY_ON_EXPECTED);
      }
    }
    for (int i = 0; i < rp.retriableStatusCodes().size(); i++) {
      int code = rp.retriableStatusCodes().get(i);
      if (code < 100 || code > 599) {
        errorAt(rp, origin(rp).elementLocation("retriableStatusCodes", i),
            path(rp, "retriableStatusCodes") + "[" + i + "]", String.valueOf(code),
            "an HTTP status between 100 and 599");
      }
    }
    if (!rp.retriableStatusCodes().isEmpty() && !rp.retryOn().contains("retriable-status-codes")
        && !failed(rp, "retryOn")) {
      warning(rp, "retriableStatusCodes", "retriableStatusCodes has no effect without retriable-status-codes"
          + " in retryOn", null);
    }
    positive(rp.backoff(), "baseInterval", rp.backoff().baseInterval(), Duration.ofMillis(1));
    if (rp.backoff().maxInterval().compareTo(rp.backoff().baseInterval()) < 0) {
      error(rp.backoff(), "maxInterval", Durations.format(rp.backoff().maxInterval()),
          ">= baseInterval (" + Durations.format(rp.backoff().baseInterval()) + ")");
    }
    if (rp.budget() != null) {
      retryBudget(rp.budget());
    }
  }

  private void fault(Fault f) {
    if (f.delay() == null && f.abort() == null) {
      error(f, "", "empty fault", "delay or abort");
    }
    if (f.delay() != null) {
      if (f.delay().fixedDelay().isNegative()) {
        error(f.delay(), "fixedDelay", Durations.format(f.delay().fixedDelay()), ">= 0");
      }
      if (f.delay().percentage() != null) {
        percent(f.delay().percentage());
      }
    }
    if (f.abort() != null) {
      if (f.abort().httpStatus() < 200 || f.abort().httpStatus() > 599) {
        error(f.abort(), "httpStatus", String.valueOf(f.abort().httpStatus()), "an HTTP status between 200 and 599");
      }
      if (f.abort().percentage() != null) {
        percent(f.abort().percentage());
      }
    }
  }

  private void headers(RouteConfig.Headers h) {
    if (h.request() != null) {
      headerOperations(h.request());
    }
    if (h.response() != null) {
      headerOperations(h.response());
    }
  }

  private void headerOperations(HeaderOperations ops) {
    for (String name : ops.set().keySet()) {
      headerNameKey(ops, "set", name);
    }
    for (String name : ops.add().keySet()) {
      headerNameKey(ops, "add", name);
    }
    for (int i = 0; i < ops.remove().size(); i++) {
      String name = ops.remove().get(i);
      if (!TOKEN.matcher(name).matches() || name.equalsIgnoreCase("host")) {
        errorAt(ops, origin(ops).elementLocation("remove", i), path(ops, "remove") + "[" + i + "]",
            "'" + name + "' cannot be removed", "a header name other than host");
      }
    }
  }

  private void headerNameKey(Object rec, String field, String name) {
    if (!TOKEN.matcher(name).matches()) {
      errorAt(rec, origin(rec).keyLocation(field, name), path(rec, field) + "." + name,
          "'" + name + "' is not a valid header name", "a token such as x-request-source");
    }
  }

  private void percent(Percent p) {
    if (p.value() < 0 || p.value() > 100) {
      error(p, "value", num(p.value()), "between 0 and 100");
    }
  }

  // ---------------------------------------------------------------- inbound

  private void inbound(InboundConfig in) {
    Map<String, Object> names = new HashMap<>();
    for (PeerAuthentication pa : in.peerAuthentication()) {
      scope(pa, "peerAuthentication", pa.name(), pa.namespace(), pa.selector(), names);
      if (!pa.portLevelMtls().isEmpty() && pa.selector() == null && !failed(pa, "selector")) {
        error(pa, "portLevelMtls", "portLevelMtls needs a selector (as in Istio)", "selector.matchLabels");
      }
      for (Integer port : pa.portLevelMtls().keySet()) {
        if (port < 1 || port > 65535) {
          errorAt(pa, origin(pa).keyLocation("portLevelMtls", String.valueOf(port)),
              path(pa, "portLevelMtls") + "." + port, String.valueOf(port), "a port between 1 and 65535");
        }
      }
    }
    for (AuthorizationPolicy ap : in.authorization()) {
      scope(ap, "authorization", ap.name(), ap.namespace(), ap.selector(), names);
      authorization(ap);
    }
    for (RateLimitPolicy rl : in.rateLimits()) {
      scope(rl, "rateLimits", rl.name(), rl.namespace(), rl.selector(), names);
      tokenBucket(rl.tokenBucket());
      for (Match m : rl.match()) {
        match(m, false);
      }
      if (!rl.overrides().isEmpty() && rl.scope() != RateLimitScope.CLIENT && !failed(rl, "scope")) {
        error(rl, "overrides", "overrides need scope CLIENT", "scope: CLIENT");
      }
      for (RateLimitOverride o : rl.overrides()) {
        if (o.clients().isEmpty()) {
          error(o, "clients", "no clients", "at least one principal");
        }
        for (int i = 0; i < o.clients().size(); i++) {
          principal(o, "clients", i, o.clients().get(i));
        }
        tokenBucket(o.tokenBucket());
      }
    }
    for (PathNormalizationPolicy pn : in.pathNormalization()) {
      scope(pn, "pathNormalization", pn.name(), pn.namespace(), pn.selector(), names);
    }
  }

  private void scope(Object policy, String kind, String name, @Nullable String namespace,
      @Nullable WorkloadSelector selector, Map<String, Object> names) {
    if (!DNS_NAME.matcher(name).matches()) {
      error(policy, "name", "'" + name + "' is not a valid policy name", "lowercase letters, digits, '-' and '.'");
    }
    if (namespace != null) {
      dnsLabel(policy, "namespace", namespace);
    }
    String key = kind + ":" + (namespace == null ? "*" : namespace) + "/" + name;
    Object first = names.putIfAbsent(key, policy);
    if (first != null) {
      error(policy, "name", "duplicate " + KIND_NAMES.getOrDefault(kind, kind) + " policy '"
          + (namespace == null ? "" : namespace + "/") + name + "'" + firstAt(first, "name"),
          "unique names per namespace");
    }
    if (selector != null) {
      labels(selector, "matchLabels", selector.matchLabels());
    }
  }

  private void authorization(AuthorizationPolicy ap) {
    if (ap.action() == AuthorizationAction.CUSTOM && ap.provider() == null && !failed(ap, "provider")) {
      error(ap, "action", "action CUSTOM needs a provider", "provider: {name: my-authorizer}");
    }
    if (ap.action() != AuthorizationAction.CUSTOM && ap.provider() != null && !failed(ap, "action")) {
      error(ap, "provider", "provider is only used with action CUSTOM", "action: CUSTOM");
    }
    for (Rule rule : ap.rules()) {
      for (From from : rule.from()) {
        source(from.source());
      }
      for (To to : rule.to()) {
        operation(to.operation());
      }
      for (Condition c : rule.when()) {
        if (!CONDITION_KEY.matcher(c.key()).matches()) {
          String suggestion = conditionKeySuggestion(c.key());
          error(c, "key", c.key().startsWith("request.auth.")
                  ? "'" + c.key() + "' needs JWT request authentication, which InMesh does not support"
                  : "unknown condition key '" + c.key() + "'"
                      + (suggestion == null ? "" : ", did you mean '" + suggestion + "'?"),
              "request.headers[NAME], source.ip, remote.ip, source.namespace, source.principal, destination.ip,"
                  + " destination.port or connection.sni");
        }
        if (c.values().isEmpty() && c.notValues().isEmpty()) {
          error(c, "values", "condition without values", "values or notValues");
        }
        if (c.key().equals("source.ip") || c.key().equals("remote.ip") || c.key().equals("destination.ip")) {
          for (int i = 0; i < c.values().size(); i++) {
            ipBlock(c, "values", i, c.values().get(i));
          }
          for (int i = 0; i < c.notValues().size(); i++) {
            ipBlock(c, "notValues", i, c.notValues().get(i));
          }
        }
      }
    }
  }

  private static @Nullable String conditionKeySuggestion(String key) {
    int bracket = key.indexOf('[');
    if (bracket > 0 && key.endsWith("]")) {
      String head = key.substring(0, bracket);
      String suggestion = RecordBinder.closest(head, List.of("request.headers"));
      return suggestion == null ? null : suggestion + key.substring(bracket);
    }
    return RecordBinder.closest(key, List.of("source.ip", "remote.ip", "source.namespace", "source.principal",
        "destination.ip", "destination.port", "connection.sni"));
  }

  private void source(Source s) {
    for (String field : List.of("principals", "notPrincipals")) {
      List<String> values = field.equals("principals") ? s.principals() : s.notPrincipals();
      for (int i = 0; i < values.size(); i++) {
        principal(s, field, i, values.get(i));
      }
    }
    wildcards(s, "namespaces", s.namespaces());
    wildcards(s, "notNamespaces", s.notNamespaces());
    for (int i = 0; i < s.ipBlocks().size(); i++) {
      ipBlock(s, "ipBlocks", i, s.ipBlocks().get(i));
    }
    for (int i = 0; i < s.notIpBlocks().size(); i++) {
      ipBlock(s, "notIpBlocks", i, s.notIpBlocks().get(i));
    }
    for (int i = 0; i < s.remoteIpBlocks().size(); i++) {
      ipBlock(s, "remoteIpBlocks", i, s.remoteIpBlocks().get(i));
    }
    for (int i = 0; i < s.notRemoteIpBlocks().size(); i++) {
      ipBlock(s, "notRemoteIpBlocks", i, s.notRemoteIpBlocks().get(i));
    }
  }

  private void operation(Operation o) {
    wildcards(o, "hosts", o.hosts());
    wildcards(o, "notHosts", o.notHosts());
    ports(o, "ports", o.ports());
    ports(o, "notPorts", o.notPorts());
    methods(o, "methods", o.methods());
    methods(o, "notMethods", o.notMethods());
    paths(o, "paths", o.paths());
    paths(o, "notPaths", o.notPaths());
  }

  private void principal(Object rec, String field, int i, String value) {
    if (value.isEmpty()) {
      errorAt(rec, origin(rec).elementLocation(field, i), path(rec, field) + "[" + i + "]", "empty principal",
          "cluster.local/ns/<namespace>/sa/<account>, a SPIFFE ID, or a prefix/suffix match with *");
      return;
    }
    if (!wildcard(value, rec, field, i)) {
      return;
    }
    if (!value.contains("*")) {
      String problem = principalProblem(value);
      if (problem != null) {
        errorAt(rec, origin(rec).elementLocation(field, i), path(rec, field) + "[" + i + "]",
            "malformed principal '" + value + "': " + problem,
            "cluster.local/ns/<namespace>/sa/<account> or spiffe://...");
      }
    }
  }

  /** Why {@code value} is neither an Istio principal nor a SPIFFE ID, in the terms the user wrote it in; or null. */
  private static @Nullable String principalProblem(String value) {
    String rest = value;
    if (value.startsWith("spiffe://")) {
      rest = value.substring("spiffe://".length());
    } else if (value.contains("://")) {
      return "only spiffe:// URIs are identities";
    }
    int slash = rest.indexOf('/');
    try {
      new SpiffeId(slash < 0 ? rest : rest.substring(0, slash), slash < 0 ? "" : rest.substring(slash));
      SpiffeId.fromPrincipal(value); // what the authorizer will do with it (length limit included)
      return null;
    } catch (IllegalArgumentException e) {
      return stripExpected(e.getMessage());
    }
  }

  private void wildcards(Object rec, String field, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      wildcard(values.get(i), rec, field, i);
    }
  }

  /** Istio string matches: exact, {@code prefix*}, {@code *suffix} or {@code *}; a {@code *} elsewhere is an error. */
  private boolean wildcard(String value, Object rec, String field, int i) {
    int star = value.indexOf('*');
    boolean ok = star < 0 || value.equals("*")
        || (star == 0 && value.indexOf('*', 1) < 0)
        || (star == value.length() - 1);
    if (!ok || value.isEmpty()) {
      errorAt(rec, origin(rec).elementLocation(field, i), path(rec, field) + "[" + i + "]",
          value.isEmpty() ? "empty value" : "'" + value + "' has '*' in the middle",
          "an exact value, prefix*, *suffix or *");
      return false;
    }
    return true;
  }

  private void ports(Object rec, String field, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      boolean ok;
      try {
        int p = Integer.parseInt(v);
        ok = p >= 1 && p <= 65535;
      } catch (NumberFormatException e) {
        ok = false;
      }
      if (!ok) {
        errorAt(rec, origin(rec).elementLocation(field, i), path(rec, field) + "[" + i + "]", "'" + v + "'",
            "a port between 1 and 65535");
      }
    }
  }

  private void methods(Object rec, String field, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      if (!v.equals("*") && !TOKEN.matcher(v).matches()) {
        errorAt(rec, origin(rec).elementLocation(field, i), path(rec, field) + "[" + i + "]",
            "'" + v + "' is not an HTTP method", "GET, POST, ...");
      } else if (lowercaseMethod(v)) {
        warningAt(rec, origin(rec).elementLocation(field, i), path(rec, field) + "[" + i + "]",
            "'" + v + "' never matches: HTTP methods are case-sensitive", v.toUpperCase(Locale.ROOT));
      }
    }
  }

  /** A standard method written in lower case: legal HTTP, but no client sends it, so the rule is dead. */
  private static boolean lowercaseMethod(String method) {
    return STANDARD_METHODS.contains(method.toUpperCase(Locale.ROOT)) && !STANDARD_METHODS.contains(method);
  }

  private void paths(Object rec, String field, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      boolean template = v.contains("{*}") || v.contains("{**}");
      if (template) {
        if (!v.startsWith("/") || v.indexOf("{**}") >= 0 && !v.endsWith("{**}")) {
          errorAt(rec, origin(rec).elementLocation(field, i), path(rec, field) + "[" + i + "]",
              "'" + v + "' is not a valid path template", "/a/{*}/b or /a/{**} ({**} only last)");
        }
        continue;
      }
      if (!wildcard(v, rec, field, i)) {
        continue;
      }
      if (!v.startsWith("/") && !v.startsWith("*")) {
        errorAt(rec, origin(rec).elementLocation(field, i), path(rec, field) + "[" + i + "]",
            "'" + v + "' does not start with /", "/exact, /prefix*, *suffix or *");
      }
    }
  }

  private void ipBlock(Object rec, String field, int i, String value) {
    if (!validCidr(value)) {
      errorAt(rec, origin(rec).elementLocation(field, i), path(rec, field) + "[" + i + "]",
          "'" + value + "' is not an IP address or CIDR block", "10.0.0.0/8, 192.168.1.7 or 2001:db8::/32");
    }
  }

  private void tokenBucket(TokenBucket tb) {
    min(tb, "maxTokens", tb.maxTokens(), 0);
    min(tb, "tokensPerFill", tb.tokensPerFill(), 1);
    positive(tb, "fillInterval", tb.fillInterval(), Duration.ofMillis(50));
  }

  // ---------------------------------------------------------------- telemetry and admin

  private void telemetry(TelemetryConfig t) {
    double p = t.tracing().randomSamplingPercentage();
    if (p < 0 || p > 100) {
      error(t.tracing(), "randomSamplingPercentage", num(p), "between 0 and 100");
    }
    TelemetryConfig.Otlp otlp = t.tracing().otlp();
    if (otlp != null) {
      try {
        URI uri = new URI(otlp.endpoint());
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
            || uri.getHost() == null) {
          throw new IllegalArgumentException();
        }
      } catch (Exception e) {
        error(otlp, "endpoint", "'" + otlp.endpoint() + "' is not an http(s) URL", "http://localhost:4318");
      }
      positive(otlp, "timeout", otlp.timeout(), Duration.ofMillis(1));
    }
    double s = t.accessLog().samplePercentage();
    if (s < 0 || s > 100) {
      error(t.accessLog(), "samplePercentage", num(s), "between 0 and 100");
    }
  }

  private void admin(AdminConfig a) {
    if (a.port() < 0 || a.port() > 65535) {
      error(a, "port", String.valueOf(a.port()), "a port between 0 and 65535 (0: any free port)");
    }
    if (!validHost(a.bindAddress())) {
      error(a, "bindAddress", "'" + a.bindAddress() + "' is not an address", "127.0.0.1, 0.0.0.0 or a host name");
    }
  }

  // ---------------------------------------------------------------- small checks

  private void dnsLabel(Object rec, String field, String value) {
    if (!DNS_LABEL.matcher(value).matches()) {
      error(rec, field, "'" + value + "' is not a valid " + field,
          "a DNS label: lowercase letters, digits and '-', at most 63 characters");
    }
  }

  private void labels(Object rec, String field, Map<String, String> labels) {
    for (String key : labels.keySet()) {
      if (key.isEmpty() || key.length() > 253 || !key.matches("[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?")) {
        errorAt(rec, origin(rec).keyLocation(field, key), path(rec, field) + "." + key,
            "'" + key + "' is not a valid label key", "letters, digits, '-', '_', '.' and '/'");
      }
    }
  }

  private void headerName(Object rec, String field, String name) {
    if (!TOKEN.matcher(name).matches()) {
      error(rec, field, "'" + name + "' is not a valid header name", "a token such as x-user-id");
    }
  }

  private void port(Object rec, String field, int port) {
    if (port < 1 || port > 65535) {
      error(rec, field, String.valueOf(port), "a port between 1 and 65535");
    }
  }

  private void min(Object rec, String field, long value, long min) {
    if (value < min) {
      error(rec, field, String.valueOf(value), ">= " + min);
    }
  }

  private void percentInt(Object rec, String field, int value) {
    if (value < 0 || value > 100) {
      error(rec, field, String.valueOf(value), "between 0 and 100");
    }
  }

  private void positive(Object rec, String field, Duration d, Duration min) {
    if (d.compareTo(min) < 0) {
      error(rec, field, Durations.format(d), ">= " + Durations.format(min));
    }
  }

  private static boolean validHost(String host) {
    String h = host.strip();
    if (h.isEmpty() || h.contains(" ") || h.contains("/")) {
      return false;
    }
    if (h.indexOf(':') >= 0) {
      return InetAddressParser.isIpv6Literal(h);
    }
    return DNS_NAME.matcher(h.toLowerCase(Locale.ROOT)).matches();
  }

  private static boolean validAuthority(String authority) {
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        return false;
      }
      String rest = authority.substring(close + 1);
      return InetAddressParser.isIpv6Literal(authority.substring(1, close))
          && (rest.isEmpty() || rest.startsWith(":") && validPort(rest.substring(1)));
    }
    int colon = authority.lastIndexOf(':');
    String host = colon < 0 ? authority : authority.substring(0, colon);
    return (colon < 0 || validPort(authority.substring(colon + 1))) && host.indexOf(':') < 0 && validHost(host);
  }

  private static boolean validPort(String text) {
    try {
      int p = Integer.parseInt(text);
      return p >= 1 && p <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static boolean validCidr(String value) {
    int slash = value.indexOf('/');
    String addr = slash < 0 ? value : value.substring(0, slash);
    boolean v6 = addr.indexOf(':') >= 0;
    if (v6 ? !InetAddressParser.isIpv6Literal(addr) : !InetAddressParser.isIpv4Literal(addr)) {
      return false;
    }
    if (slash < 0) {
      return true;
    }
    try {
      int bits = Integer.parseInt(value.substring(slash + 1));
      return bits >= 0 && bits <= (v6 ? 128 : 32);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String stripExpected(String message) {
    int i = message.indexOf(" (expected:");
    return i < 0 ? message : message.substring(0, i);
  }

  // ---------------------------------------------------------------- reporting

  private RecordBinder.Origin origin(Object rec) {
    RecordBinder.Origin o = binder.origin(rec);
    Object from = o == null ? provenance.derivedFrom(rec) : null;
    if (from != null) {
      o = binder.origin(from);
    }
    return o != null ? o : new RecordBinder.Origin("", new Location("<defaults>", 0, 0), null);
  }

  private String path(Object rec, String field) {
    return field.isEmpty() ? origin(rec).path() : origin(rec).child(field);
  }

  private String firstAt(Object first, String field) {
    Location l = origin(first).fieldLocation(field);
    return " (first at " + (l.line() > 0 ? l.origin() + ":" + l.line() : l.origin()) + ")";
  }

  /**
   * Reports a problem with {@code field} of {@code rec} (the record itself when empty), unless binding already
   * reported a value there or inside it: the semantic check then saw a default in place of what the user wrote, and
   * its complaint would be a consequence of the first one.
   */
  private void error(Object rec, String field, String message, @Nullable String expected) {
    if (!binder.failed(rec, path(rec, field))) {
      problems.error(field.isEmpty() ? origin(rec).location() : origin(rec).fieldLocation(field), path(rec, field),
          message, expected);
    }
  }

  private void errorAt(Object rec, Location at, String path, String message, @Nullable String expected) {
    if (!binder.failed(rec, path)) {
      problems.error(at, path, message, expected);
    }
  }

  private void warningAt(Object rec, Location at, String path, String message, @Nullable String expected) {
    if (!binder.failed(rec, path)) {
      problems.warning(at, path, message, expected);
    }
  }

  private void warning(Object rec, String field, String message, @Nullable String expected) {
    if (!binder.failed(rec, path(rec, field))) {
      problems.warning(field.isEmpty() ? origin(rec).location() : origin(rec).fieldLocation(field),
          path(rec, field), message, expected);
    }
  }

  /**
   * True when {@code field} of {@code rec} did not bind and holds a default in its place: checks that compare it
   * with other fields are skipped (the binding problem is already reported).
   */
  private boolean failed(Object rec, String field) {
    return binder.failed(rec, path(rec, field));
  }

  /** A number as a user writes it: 150, not 150.0. */
  private static String num(double value) {
    return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
