package io.inmesh.config.k8s;

import io.inmesh.config.InboundConfig;
import io.inmesh.config.InboundConfig.AuthorizationAction;
import io.inmesh.config.InboundConfig.Mtls;
import io.inmesh.config.InboundConfig.WorkloadSelector;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.ServiceConfig;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.config.internal.Default;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code spec} (and {@code metadata}) of the resources InMesh reads, as records the {@code RecordBinder} binds
 * strictly. Where Istio's shape is InMesh's own (routes, traffic policies, authorization rules) the native records are
 * used directly, so that the semantic checks of the native format apply, located in the manifest. Fields that are
 * valid Istio / Linkerd but not implemented are listed in {@link Schema}, not here: they are removed (and reported)
 * before binding.
 */
final class Specs {
  private Specs() {}

  /** Kubernetes object metadata (fields that carry no meaning here are dropped silently by {@link Schema}). */
  record ObjectMeta(String name, @Nullable String namespace, Map<String, String> labels,
      Map<String, String> annotations) {}

  // ---------------------------------------------------------------- Istio networking

  record VirtualServiceSpec(List<String> hosts, List<String> gateways, List<RouteConfig> http,
      List<String> exportTo) {}

  record DestinationRuleSpec(String host, @Nullable TrafficPolicy trafficPolicy, List<ServiceConfig.Subset> subsets,
      List<String> exportTo) {}

  record ServiceEntrySpec(List<String> hosts, List<String> addresses, List<EntryPort> ports,
      @Default("MESH_EXTERNAL") EntryLocation location, @Default("NONE") Resolution resolution,
      List<EntryEndpoint> endpoints, List<String> exportTo) {}

  enum EntryLocation { MESH_EXTERNAL, MESH_INTERNAL }

  enum Resolution { NONE, STATIC, DNS, DNS_ROUND_ROBIN }

  record EntryPort(int number, @Nullable String protocol, @Nullable String name, @Nullable Integer targetPort) {}

  record EntryEndpoint(String address, Map<String, Integer> ports, Map<String, String> labels,
      @Nullable Integer weight, @Nullable String locality) {}

  // ---------------------------------------------------------------- Istio security and telemetry

  record PeerAuthenticationSpec(@Nullable WorkloadSelector selector, @Nullable Mtls mtls,
      Map<Integer, Mtls> portLevelMtls) {}

  record AuthorizationPolicySpec(@Nullable WorkloadSelector selector, @Default("ALLOW") AuthorizationAction action,
      InboundConfig.@Nullable Provider provider, List<InboundConfig.Rule> rules) {}

  record TelemetrySpec(@Nullable WorkloadSelector selector, List<Tracing> tracing, List<Metrics> metrics,
      List<AccessLogging> accessLogging) {}

  record ProviderRef(String name) {}

  record Tracing(List<ProviderRef> providers, @Nullable Double randomSamplingPercentage,
      @Nullable Boolean disableSpanReporting) {}

  record Metrics(List<ProviderRef> providers, List<MetricsOverride> overrides) {}

  record MetricsOverride(@Nullable MetricSelector match, @Nullable Boolean disabled) {}

  record MetricSelector(@Nullable String metric, @Nullable String mode) {}

  record AccessLogging(List<ProviderRef> providers, @Nullable Boolean disabled) {}

  // ---------------------------------------------------------------- Istio EnvoyFilter (local rate limit only)

  record EnvoyFilterSpec(@Nullable WorkloadLabels workloadSelector, List<ConfigPatch> configPatches,
      @Nullable Integer priority) {}

  record WorkloadLabels(Map<String, String> labels) {}

  record ConfigPatch(String applyTo, @Nullable PatchMatch match, Patch patch) {}

  record PatchMatch(@Nullable String context, @Nullable ListenerMatch listener) {}

  record ListenerMatch(@Nullable Integer portNumber, @Nullable FilterChainMatch filterChain, @Nullable String name) {}

  record FilterChainMatch(@Nullable FilterMatch filter, @Nullable String name) {}

  record FilterMatch(@Nullable String name, @Nullable SubFilter subFilter) {}

  record SubFilter(@Nullable String name) {}

  record Patch(@Nullable String operation, LocalRateLimitFilter value) {}

  /** The inserted filter; {@code typed_config} is normalised first (a TypedStruct's value, or the config itself). */
  record LocalRateLimitFilter(String name, LocalRateLimit typed_config) {}

  /** Envoy's own snake_case field names. */
  record LocalRateLimit(@Nullable String stat_prefix, EnvoyTokenBucket token_bucket,
      @Nullable RuntimeFraction filter_enabled, @Nullable RuntimeFraction filter_enforced) {}

  record EnvoyTokenBucket(int max_tokens, @Nullable Integer tokens_per_fill, Duration fill_interval) {}

  record RuntimeFraction(@Nullable String runtime_key, FractionalPercent default_value) {}

  record FractionalPercent(int numerator, @Default("HUNDRED") Denominator denominator) {}

  enum Denominator { HUNDRED, TEN_THOUSAND, MILLION }

  // ---------------------------------------------------------------- Linkerd and SMI

  /** SMI TrafficSplit; {@code weight} is a Kubernetes quantity ({@code 900m}) or an integer. */
  record TrafficSplitSpec(String service, List<Backend> backends) {}

  record Backend(String service, String weight) {}

  record ServiceProfileSpec(List<ProfileRoute> routes,
      io.inmesh.config.MeshConfig.@Nullable RetryBudget retryBudget, List<DstOverride> dstOverrides) {}

  record ProfileRoute(String name, @Nullable RequestMatch condition, @Nullable Boolean isRetryable,
      @Nullable Duration timeout, io.inmesh.config.MeshConfig.@Nullable RetryBudget retryBudget) {}

  record RequestMatch(@Nullable String pathRegex, @Nullable String method, List<RequestMatch> all,
      List<RequestMatch> any, @Nullable RequestMatch not) {}

  record DstOverride(String authority, String weight) {}

  record ServerSpec(@Nullable PodSelector podSelector, String port, @Nullable String proxyProtocol,
      @Nullable String accessPolicy, @Nullable ClientAuth clientAuth) {}

  record PodSelector(Map<String, String> matchLabels) {}

  /** The seed's {@code clientAuth: {mode: REQUIRED}} (an early Server draft): REQUIRED is mTLS STRICT. */
  record ClientAuth(ClientAuthMode mode) {}

  enum ClientAuthMode { REQUIRED, OPTIONAL }

  record LinkerdAuthorizationSpec(TargetRef targetRef, List<TargetRef> requiredAuthenticationRefs) {}

  record TargetRef(@Nullable String group, String kind, String name, @Nullable String namespace) {}

  record MeshTlsAuthenticationSpec(List<String> identities, List<TargetRef> identityRefs) {}

  record NetworkAuthenticationSpec(List<Network> networks) {}

  record Network(String cidr, List<String> except) {}
}
