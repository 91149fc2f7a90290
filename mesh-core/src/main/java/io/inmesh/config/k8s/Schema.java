package io.inmesh.config.k8s;

import io.inmesh.config.InboundConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.config.internal.Location;
import io.inmesh.config.internal.YamlNode;
import io.inmesh.config.internal.YamlNode.Entry;
import io.inmesh.config.internal.YamlNode.ListNode;
import io.inmesh.config.internal.YamlNode.MapNode;
import io.inmesh.config.internal.YamlNode.ScalarKind;
import io.inmesh.config.internal.YamlNode.ScalarNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * What Istio and Linkerd allow that InMesh's records do not hold, per record type, and the walk that removes it from a
 * resource's YAML before the strict binder sees it.
 *
 * <ul>
 *   <li>{@code unsupported}: valid in the resource, not implemented: reported ("not supported, ignored"; an error
 *       when strict) and removed;
 *   <li>{@code nativeOnly}: InMesh's own fields that the native record holds but the resource kind does not: an
 *       error (the file would not pass {@code kubectl apply}); they belong in the native format;
 *   <li>{@code silent}: bookkeeping that carries no meaning here (Kubernetes' {@code uid}, {@code resourceVersion}):
 *       removed without a word.
 * </ul>
 *
 * Anything else unknown is left in place, so the binder reports it as an unknown field, with its "did you mean".
 * Authorization sources, operations and conditions are security-sensitive: ignoring one of their fields would change
 * who is allowed, so their unsupported fields are always errors.
 */
final class Schema {
  private Schema() {}

  private record Fields(Set<String> unsupported, Set<String> nativeOnly, Set<String> silent) {}

  private static final Set<Class<?>> SECURITY_SENSITIVE =
      Set.of(InboundConfig.Source.class, InboundConfig.Operation.class, InboundConfig.Condition.class,
          InboundConfig.Rule.class);

  private static final Map<Class<?>, Fields> FIELDS = Map.ofEntries(
      fields(Specs.ObjectMeta.class, Set.of(), Set.of(), Set.of("uid", "resourceVersion", "generation",
          "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "ownerReferences",
          "finalizers", "generateName", "selfLink")),
      // Istio VirtualService
      fields(Specs.VirtualServiceSpec.class, Set.of("tls", "tcp"), Set.of(), Set.of()),
      fields(RouteConfig.class, Set.of("redirect", "directResponse", "delegate", "corsPolicy", "mirrorPercent",
          "mirror_percent"), Set.of(), Set.of()),
      fields(RouteConfig.Match.class, Set.of("scheme", "authority", "port", "gateways", "statPrefix"), Set.of(),
          Set.of()),
      fields(RouteConfig.RetryPolicy.class, Set.of("retryRemoteLocalities", "retryIgnorePreviousHosts"),
          Set.of("retriableStatusCodes", "backoff", "budget", "retryNonIdempotent"), Set.of()),
      fields(RouteConfig.Delay.class, Set.of("exponentialDelay", "percent"), Set.of(), Set.of()),
      fields(RouteConfig.Abort.class, Set.of("grpcStatus", "http2Error"), Set.of(), Set.of()),
      fields(RouteConfig.Rewrite.class, Set.of("uriRegexRewrite"), Set.of(), Set.of()),
      // Istio DestinationRule
      fields(Specs.DestinationRuleSpec.class, Set.of("workloadSelector"), Set.of(), Set.of()),
      fields(TrafficPolicy.class, Set.of("portLevelSettings", "tunnel", "proxyProtocol"),
          Set.of("circuitBreaker", "healthCheck"), Set.of()),
      fields(TrafficPolicy.LoadBalancerSettings.class, Set.of("warmup"), Set.of("panicThreshold"), Set.of()),
      fields(TrafficPolicy.ConsistentHash.class, Set.of("maglev"), Set.of("useSourceIdentity"), Set.of()),
      fields(TrafficPolicy.LocalityLbSetting.class, Set.of("distribute", "failover", "failoverPriority"), Set.of(),
          Set.of()),
      fields(TrafficPolicy.Tcp.class, Set.of("tcpKeepalive", "maxConnectionDuration", "idleTimeout"), Set.of(),
          Set.of()),
      fields(TrafficPolicy.Http.class, Set.of("h2UpgradePolicy", "useClientProtocol", "maxConcurrentStreams"),
          Set.of(), Set.of()),
      fields(TrafficPolicy.OutlierDetection.class, Set.of("splitExternalLocalOriginErrors",
          "consecutiveLocalOriginFailures", "consecutiveErrors"), Set.of(), Set.of()),
      fields(TrafficPolicy.ClientTls.class, Set.of("clientCertificate", "privateKey", "caCertificates",
          "credentialName", "subjectAltNames", "insecureSkipVerify", "caCrl"), Set.of(), Set.of()),
      // Istio ServiceEntry
      fields(Specs.ServiceEntrySpec.class, Set.of("workloadSelector", "subjectAltNames"), Set.of(), Set.of()),
      fields(Specs.EntryEndpoint.class, Set.of("network", "serviceAccount"), Set.of(), Set.of()),
      // Istio security
      fields(Specs.AuthorizationPolicySpec.class, Set.of("targetRef", "targetRefs"), Set.of(), Set.of()),
      fields(InboundConfig.Source.class, Set.of("requestPrincipals", "notRequestPrincipals", "serviceAccounts",
          "notServiceAccounts"), Set.of(), Set.of()),
      fields(Specs.TelemetrySpec.class, Set.of("targetRef", "targetRefs"), Set.of(), Set.of()),
      fields(Specs.Tracing.class, Set.of("customTags", "match", "useRequestIdForTraceSampling",
          "enableIstioTags"), Set.of(), Set.of()),
      fields(Specs.Metrics.class, Set.of("reportingInterval"), Set.of(), Set.of()),
      fields(Specs.MetricsOverride.class, Set.of("tagOverrides"), Set.of(), Set.of()),
      fields(Specs.MetricSelector.class, Set.of("customMetric"), Set.of(), Set.of()),
      fields(Specs.AccessLogging.class, Set.of("filter", "match"), Set.of(), Set.of()),
      // Istio EnvoyFilter
      fields(Specs.EnvoyFilterSpec.class, Set.of("targetRefs"), Set.of(), Set.of()),
      fields(Specs.PatchMatch.class, Set.of("proxy", "routeConfiguration", "cluster"), Set.of(), Set.of()),
      fields(Specs.ListenerMatch.class, Set.of("listenerFilter"), Set.of(), Set.of()),
      fields(Specs.FilterChainMatch.class, Set.of("sni", "transportProtocol", "applicationProtocols",
          "destinationPort"), Set.of(), Set.of()),
      fields(Specs.Patch.class, Set.of("filterClass"), Set.of(), Set.of()),
      fields(Specs.LocalRateLimit.class, Set.of("status", "descriptors", "stage", "request_headers_to_add_when_not_enforced",
          "response_headers_to_add", "local_rate_limit_per_downstream_connection", "vh_rate_limits",
          "always_consume_default_token_bucket", "rate_limited_as_resource_exhausted", "local_cluster_rate_limit"),
          Set.of(), Set.of("enable_x_ratelimit_headers")),
      // Linkerd
      fields(Specs.TrafficSplitSpec.class, Set.of("matches"), Set.of(), Set.of()),
      fields(Specs.ServiceProfileSpec.class, Set.of("opaquePorts"), Set.of(), Set.of()),
      fields(Specs.ProfileRoute.class, Set.of("responseClasses"), Set.of(), Set.of()),
      fields(MeshConfig.RetryBudget.class, Set.of(), Set.of("enabled"), Set.of()),
      fields(Specs.PodSelector.class, Set.of("matchExpressions"), Set.of(), Set.of()),
      fields(Specs.ServerSpec.class, Set.of("externalWorkloadSelector"), Set.of(), Set.of()));

  private static Map.Entry<Class<?>, Fields> fields(Class<?> type, Set<String> unsupported, Set<String> nativeOnly,
      Set<String> silent) {
    return Map.entry(type, new Fields(unsupported, nativeOnly, silent));
  }

  /** Reports what the walk finds. */
  interface Reporter {
    /** A valid field InMesh ignores; {@code security} when ignoring it would change who is allowed. */
    void unsupported(Location at, String path, boolean security);

    /** An InMesh field written in a resource of another kind. */
    void nativeOnly(Location at, String path, String field);
  }

  /**
   * {@code node} without the fields InMesh does not read, typed as {@code type}; {@code rewrite} may replace any map
   * before it is walked (Istio's {@code port: {number: 80}}, short host names).
   */
  static YamlNode prune(YamlNode node, Type type, String path, Reporter reporter,
      Map<Class<?>, UnaryOperator<MapNode>> rewrites) {
    Class<?> raw = raw(type);
    if (raw.isRecord() && node instanceof MapNode original) {
      UnaryOperator<MapNode> rewrite = rewrites.get(raw);
      MapNode map = rewrite == null ? original : rewrite.apply(original);
      Fields f = FIELDS.getOrDefault(raw, new Fields(Set.of(), Set.of(), Set.of()));
      Map<String, RecordComponent> components = new LinkedHashMap<>();
      for (RecordComponent c : raw.getRecordComponents()) {
        components.put(c.getName(), c);
      }
      Map<String, Entry> kept = new LinkedHashMap<>();
      for (Entry e : map.entries().values()) {
        String child = path.isEmpty() ? e.key() : path + "." + e.key();
        if (f.silent().contains(e.key())) {
          continue;
        }
        if (f.unsupported().contains(e.key())) {
          reporter.unsupported(e.keyLocation(), child, SECURITY_SENSITIVE.contains(raw));
          continue;
        }
        if (f.nativeOnly().contains(e.key())) {
          reporter.nativeOnly(e.keyLocation(), child, e.key());
          continue;
        }
        RecordComponent c = components.get(e.key());
        YamlNode value = c == null ? e.value() : prune(e.value(), c.getGenericType(), child, reporter, rewrites);
        kept.put(e.key(), new Entry(e.key(), e.keyLocation(), value));
      }
      return new MapNode(map.location(), kept);
    }
    if (raw == java.util.List.class && node instanceof ListNode list && type instanceof ParameterizedType p) {
      java.util.List<YamlNode> items = new java.util.ArrayList<>(list.items().size());
      for (int i = 0; i < list.items().size(); i++) {
        items.add(prune(list.items().get(i), p.getActualTypeArguments()[0], path + "[" + i + "]", reporter,
            rewrites));
      }
      return new ListNode(list.location(), items);
    }
    if (raw == Map.class && node instanceof MapNode map && type instanceof ParameterizedType p) {
      Map<String, Entry> kept = new LinkedHashMap<>();
      for (Entry e : map.entries().values()) {
        kept.put(e.key(), new Entry(e.key(), e.keyLocation(),
            prune(e.value(), p.getActualTypeArguments()[1], path + "." + e.key(), reporter, rewrites)));
      }
      return new MapNode(map.location(), kept);
    }
    return node;
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  // ---------------------------------------------------------------- small tree helpers

  /** {@code map} with {@code key} replaced by {@code value} (or removed when null), keeping the key's location. */
  static MapNode with(MapNode map, String key, @Nullable YamlNode value) {
    Map<String, Entry> entries = new LinkedHashMap<>(map.entries());
    Entry old = entries.get(key);
    if (value == null) {
      entries.remove(key);
    } else {
      entries.put(key, new Entry(key, old != null ? old.keyLocation() : value.location(), value));
    }
    return new MapNode(map.location(), entries);
  }

  /** {@code map} with {@code from} renamed to {@code to} (value and location kept). */
  static MapNode renamed(MapNode map, String from, String to) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (Entry e : map.entries().values()) {
      String key = e.key().equals(from) && !map.entries().containsKey(to) ? to : e.key();
      entries.put(key, new Entry(key, e.keyLocation(), e.value()));
    }
    return new MapNode(map.location(), entries);
  }

  static ScalarNode string(Location at, String text) {
    return new ScalarNode(at, text, ScalarKind.STRING, false);
  }

  /** The text of a scalar, or null for anything else. */
  static @Nullable String text(@Nullable YamlNode node) {
    return node instanceof ScalarNode s && !s.isNull() && !s.isInvalid() ? s.text() : null;
  }
}
