package io.inmesh.config;

import io.inmesh.config.internal.Default;
import java.util.List;
import java.util.Objects;

/**
 * The whole mesh, as one shared file (or directory of files) describes it. Every application of the fleet reads the
 * same configuration and applies what concerns it. Immutable; equal content gives equal objects.
 *
 * <p>See {@code docs/mesh-reference.yaml} for every field, its default and its meaning.
 *
 * @param mesh mesh-wide settings and defaults
 * @param services the services of the mesh, with their endpoints, policies and routes
 * @param inbound server-side policies, each scoped to workloads by namespace and label selector
 * @param telemetry tracing, metrics and access log settings
 * @param admin the admin endpoint
 */
public record MeshConfig(
    MeshSettings mesh,
    List<ServiceConfig> services,
    InboundConfig inbound,
    TelemetryConfig telemetry,
    AdminConfig admin) {

  public MeshConfig {
    Objects.requireNonNull(mesh, "mesh");
    services = List.copyOf(services);
    Objects.requireNonNull(inbound, "inbound");
    Objects.requireNonNull(telemetry, "telemetry");
    Objects.requireNonNull(admin, "admin");
  }

  /** Mesh-wide settings. */
  public record MeshSettings(
      @Default("cluster.local") String trustDomain,
      @Default("default") String defaultNamespace,
      @Default("ALLOW_ANY") OutboundTrafficPolicy outboundTrafficPolicy,
      Defaults defaults,
      IdentityConfig identity) {}

  /** What happens to a request for a host that is not a mesh service (Istio's {@code outboundTrafficPolicy}). */
  public enum OutboundTrafficPolicy {
    /** Pass it through untouched. */
    ALLOW_ANY,
    /** Fail it: only registered services may be called. */
    REGISTRY_ONLY
  }

  /**
   * Defaults that services and workloads inherit unless they set their own.
   *
   * @param mtlsMode the inbound mTLS mode where no PeerAuthentication applies (InMesh: STRICT; Istio: PERMISSIVE)
   * @param pathNormalization how inbound paths are normalised before authorization
   * @param retryBudget the retry budget every route gets unless it sets its own
   * @param retries the retry policy of routes that do not declare one (Istio's default, minus gRPC-only codes)
   * @param loadBalancer the load-balancer policy of services that do not set one
   * @param outlierDetection outlier detection for services that do not set it
   * @param connectionPool connection-pool limits for services that do not set them
   * @param denialNamesPolicy a 403 body names the policy that denied ({@code RBAC: access denied by policy
   *     production/deny-all}); off by default, because it tells callers about your policies (the access log and
   *     {@code mesh explain} always name it)
   */
  public record Defaults(
      @Default("STRICT") MtlsMode mtlsMode,
      @Default("DECODE_AND_MERGE_SLASHES") PathNormalizationMode pathNormalization,
      RetryBudget retryBudget,
      @Default("{attempts: 2, retryOn: [connect-failure, refused-stream, \"503\"]}") RouteConfig.RetryPolicy retries,
      TrafficPolicy.LoadBalancerSettings loadBalancer,
      TrafficPolicy.OutlierDetection outlierDetection,
      TrafficPolicy.ConnectionPool connectionPool,
      @Default("false") boolean denialNamesPolicy) {}

  /**
   * Linkerd / Finagle retry budget: retries stay below {@code retryRatio} of requests over {@code ttl}, plus a reserve
   * of {@code minRetriesPerSecond}.
   */
  public record RetryBudget(
      @Default("true") boolean enabled,
      @Default("0.2") double retryRatio,
      @Default("10") int minRetriesPerSecond,
      @Default("10s") java.time.Duration ttl) {}

  /** Where workload certificates come from. */
  public record IdentityConfig(
      @Default("DEV_CA") IdentityProviderType provider,
      DevCa devCa,
      @org.jspecify.annotations.Nullable PemFiles pemFiles) {}

  /** Identity provider kinds. */
  public enum IdentityProviderType {
    /** A local development certificate authority issues short-lived workload certificates. */
    DEV_CA,
    /** PEM files written by cert-manager, SPIRE or a Vault agent, watched and hot-reloaded. */
    PEM_FILES
  }

  /** The embedded development CA. */
  public record DevCa(
      @Default(".inmesh/ca") String directory,
      @Default("24h") java.time.Duration certificateTtl) {}

  /** PEM files: certificate chain, private key and trust bundle. */
  public record PemFiles(String certificateChain, String privateKey, String trustBundle) {}
}
