package io.inmesh.config;

import io.inmesh.config.internal.Default;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How a client talks to a service's endpoints (Istio DestinationRule {@code trafficPolicy}). Every part is optional:
 * a missing part is inherited (subset, then service, then {@code mesh.defaults}, then the built-in default).
 */
public record TrafficPolicy(
    @Nullable LoadBalancerSettings loadBalancer,
    @Nullable ConnectionPool connectionPool,
    @Nullable OutlierDetection outlierDetection,
    @Nullable CircuitBreaker circuitBreaker,
    @Nullable HealthCheck healthCheck,
    @Nullable ClientTls tls) {

  /**
   * Load-balancer settings.
   *
   * @param simple the algorithm, unless {@code consistentHash} is set
   * @param consistentHash hash-based affinity (RING_HASH)
   * @param localityLbSetting prefer endpoints in the caller's zone
   * @param warmupDuration slow start: a new endpoint's share ramps up linearly from 10 % over this time
   * @param panicThreshold percentage of healthy endpoints below which ejection is ignored
   */
  public record LoadBalancerSettings(
      @Default("PEAK_EWMA") LbPolicy simple,
      @Nullable ConsistentHash consistentHash,
      LocalityLbSetting localityLbSetting,
      @Nullable Duration warmupDuration,
      @Default("50") double panicThreshold) {}

  /** Load-balancing algorithms (Istio names, plus Finagle/Linkerd's PEAK_EWMA). */
  public enum LbPolicy {
    ROUND_ROBIN,
    RANDOM,
    LEAST_REQUEST,
    PEAK_EWMA
  }

  /** Consistent hashing on one request property; exactly one key is set. */
  public record ConsistentHash(
      @Nullable String httpHeaderName,
      @Nullable HttpCookie httpCookie,
      @Nullable String httpQueryParameterName,
      @Default("false") boolean useSourceIp,
      @Default("false") boolean useSourceIdentity,
      @Default("1024") int minimumRingSize) {}

  /** A cookie to hash on. */
  public record HttpCookie(String name, @Nullable String path, @Nullable Duration ttl) {}

  /** Locality-aware load balancing. */
  public record LocalityLbSetting(@Default("true") boolean enabled) {}

  /** Connection-pool limits; over a limit a request fails fast ({@code UO}). */
  public record ConnectionPool(Tcp tcp, Http http) {}

  /** TCP limits. */
  public record Tcp(
      @Default("2147483647") int maxConnections,
      @Default("10s") Duration connectTimeout) {}

  /** HTTP limits. */
  public record Http(
      @Default("2147483647") int http1MaxPendingRequests,
      @Default("2147483647") int http2MaxRequests,
      @Default("0") int maxRequestsPerConnection,
      @Default("2147483647") int maxRetries,
      @Default("1h") Duration idleTimeout) {}

  /** Outlier detection (Istio names and defaults). */
  public record OutlierDetection(
      @Default("5") int consecutive5xxErrors,
      @Default("0") int consecutiveGatewayErrors,
      @Default("10s") Duration interval,
      @Default("30s") Duration baseEjectionTime,
      @Default("10") int maxEjectionPercent,
      @Default("0") int minHealthPercent) {}

  /** A circuit breaker (Resilience4j's defaults). */
  public record CircuitBreaker(
      @Default("ENDPOINT") CircuitBreakerScope scope,
      @Default("50") double failureRateThreshold,
      @Default("100") int slidingWindowSize,
      @Default("100") int minimumNumberOfCalls,
      @Default("60s") Duration waitDurationInOpenState,
      @Default("10") int permittedNumberOfCallsInHalfOpenState) {}

  /** What a circuit breaker guards. */
  public enum CircuitBreakerScope {
    ENDPOINT,
    ROUTE
  }

  /** Active HTTP health checking. */
  public record HealthCheck(
      @Default("/healthz") String path,
      @Default("10s") Duration interval,
      @Default("1s") Duration timeout,
      @Default("2") int healthyThreshold,
      @Default("3") int unhealthyThreshold,
      @Default("[200]") List<Integer> expectedStatuses) {
    public HealthCheck {
      expectedStatuses = List.copyOf(expectedStatuses);
    }
  }

  /** Client-side TLS toward the service. */
  public record ClientTls(@Default("ISTIO_MUTUAL") ClientTlsMode mode, @Nullable String sni) {}

  /** Client TLS modes (Istio names). */
  public enum ClientTlsMode {
    /** mTLS with the mesh identity, the server verified by its SPIFFE ID. */
    ISTIO_MUTUAL,
    /** Plain TLS (a service outside the mesh). */
    SIMPLE,
    /** Plaintext. */
    DISABLE
  }
}
