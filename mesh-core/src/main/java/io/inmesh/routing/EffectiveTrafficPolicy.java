package io.inmesh.routing;

import io.inmesh.config.TrafficPolicy;
import org.jspecify.annotations.Nullable;

/**
 * The traffic policy in force for a service or one of its subsets, each part inherited piecewise: subset, then
 * service, then {@code mesh.defaults}.
 */
public record EffectiveTrafficPolicy(
    TrafficPolicy.LoadBalancerSettings loadBalancer,
    TrafficPolicy.ConnectionPool connectionPool,
    TrafficPolicy.OutlierDetection outlierDetection,
    TrafficPolicy.@Nullable CircuitBreaker circuitBreaker,
    TrafficPolicy.@Nullable HealthCheck healthCheck,
    TrafficPolicy.ClientTls tls) {

  static EffectiveTrafficPolicy inherit(@Nullable TrafficPolicy own, EffectiveTrafficPolicy parent) {
    if (own == null) {
      return parent;
    }
    return new EffectiveTrafficPolicy(
        own.loadBalancer() != null ? own.loadBalancer() : parent.loadBalancer(),
        own.connectionPool() != null ? own.connectionPool() : parent.connectionPool(),
        own.outlierDetection() != null ? own.outlierDetection() : parent.outlierDetection(),
        own.circuitBreaker() != null ? own.circuitBreaker() : parent.circuitBreaker(),
        own.healthCheck() != null ? own.healthCheck() : parent.healthCheck(),
        own.tls() != null ? own.tls() : parent.tls());
  }
}
