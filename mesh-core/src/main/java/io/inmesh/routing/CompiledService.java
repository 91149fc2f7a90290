package io.inmesh.routing;

import io.inmesh.config.ServiceConfig;
import io.inmesh.tls.SpiffeId;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A service as one workload's snapshot sees it: its config, the identity its servers must present, the traffic policy
 * in force for it and each subset, and its compiled route table.
 */
public final class CompiledService {
  private final ServiceConfig config;
  private final String namespace;
  private final SpiffeId identity;
  private final EffectiveTrafficPolicy trafficPolicy;
  private final Map<String, Subset> subsets;
  /** Computed once: the outlier detector, balancer and telemetry look it up per request. */
  private final String key;
  private RouteTable routes = new RouteTable(java.util.List.of());

  /** A subset with its label selector and traffic policy. */
  public record Subset(String name, Map<String, String> labels, EffectiveTrafficPolicy trafficPolicy) {}

  CompiledService(ServiceConfig config, String namespace, SpiffeId identity, EffectiveTrafficPolicy trafficPolicy,
      Map<String, Subset> subsets) {
    this.config = config;
    this.namespace = namespace;
    this.identity = identity;
    this.trafficPolicy = trafficPolicy;
    this.subsets = Map.copyOf(subsets);
    this.key = namespace + "/" + config.name();
  }

  void routes(RouteTable routes) {
    this.routes = routes;
  }

  public String name() {
    return config.name();
  }

  public String namespace() {
    return namespace;
  }

  /** {@code namespace/name}: unique in the mesh. */
  public String key() {
    return key;
  }

  public ServiceConfig config() {
    return config;
  }

  /** The SPIFFE ID the service's servers must present. */
  public SpiffeId identity() {
    return identity;
  }

  public EffectiveTrafficPolicy trafficPolicy() {
    return trafficPolicy;
  }

  /** The subset named {@code name}, or null. */
  public @Nullable Subset subset(String name) {
    return subsets.get(name);
  }

  public Map<String, Subset> subsets() {
    return subsets;
  }

  /** The compiled rules (never empty: a service without rules has one that sends everything to itself). */
  public RouteTable routes() {
    return routes;
  }

  @Override
  public String toString() {
    return key();
  }
}
