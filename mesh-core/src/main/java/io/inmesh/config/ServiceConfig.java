package io.inmesh.config;

import io.inmesh.config.internal.Default;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One service of the mesh: where its endpoints come from, how to reach them, and how requests to it are routed.
 *
 * @param name the service name; a URL whose host is this name is routed by the mesh
 * @param namespace the namespace; defaults to {@code mesh.defaultNamespace}
 * @param hosts further host names that address this service ({@code api.example.internal})
 * @param ports the service ports; the first is used when a URL names none
 * @param serviceAccount the service account its workloads run as; defaults to the service name
 * @param identity the SPIFFE ID its servers must present; defaults to
 *     {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>}
 * @param labels labels of the service's own workloads (an application named like the service gets them)
 * @param discovery where endpoints come from
 * @param endpoints static endpoints (discovery type STATIC)
 * @param subsets named subsets of endpoints selected by labels (Istio DestinationRule subsets)
 * @param trafficPolicy load balancing, pools, outlier detection, circuit breaker, health checks, client TLS
 * @param routes ordered routing rules; the first that matches wins; none means "all traffic to the service"
 */
public record ServiceConfig(
    String name,
    @Nullable String namespace,
    List<String> hosts,
    @Default("[{number: 80}]") List<Port> ports,
    @Nullable String serviceAccount,
    @Nullable String identity,
    Map<String, String> labels,
    Discovery discovery,
    List<Endpoint> endpoints,
    List<Subset> subsets,
    @Nullable TrafficPolicy trafficPolicy,
    List<RouteConfig> routes) {

  public ServiceConfig {
    hosts = List.copyOf(hosts);
    ports = List.copyOf(ports);
    labels = Map.copyOf(labels);
    endpoints = List.copyOf(endpoints);
    subsets = List.copyOf(subsets);
    routes = List.copyOf(routes);
  }

  /**
   * A service port.
   *
   * @param number the port clients address
   * @param name a name (Istio convention: {@code http}, {@code http-admin})
   * @param protocol the application protocol
   * @param targetPort the port endpoints listen on when it differs from {@code number}
   */
  public record Port(
      int number,
      @Default("http") String name,
      @Default("HTTP") Protocol protocol,
      @Nullable Integer targetPort) {}

  /** Application protocols. */
  public enum Protocol {
    HTTP,
    HTTP2,
    HTTPS
  }

  /**
   * Where a service's endpoints come from.
   *
   * @param type STATIC (the {@code endpoints} list), DNS (the records of {@code hostname}) or REGISTRY
   * @param hostname the DNS name whose A/AAAA records are the endpoints (type DNS)
   * @param port the port of DNS-discovered endpoints; defaults to the first service port's target
   * @param refreshInterval how often DNS is re-resolved (at the latest; a shorter TTL wins)
   * @param registry the name of the registry provider (type REGISTRY), such as {@code etcd}
   */
  public record Discovery(
      @Default("STATIC") DiscoveryType type,
      @Nullable String hostname,
      @Nullable Integer port,
      @Default("30s") Duration refreshInterval,
      @Nullable String registry) {}

  /** Discovery kinds. */
  public enum DiscoveryType {
    STATIC,
    DNS,
    REGISTRY
  }

  /**
   * One endpoint.
   *
   * @param address an IP address or host name
   * @param port the port; defaults to the first service port's target
   * @param labels labels that subsets select on ({@code version: v2})
   * @param weight relative weight for load balancing
   * @param zone the locality zone, for locality-aware balancing
   */
  public record Endpoint(
      String address,
      @Nullable Integer port,
      Map<String, String> labels,
      @Default("1") int weight,
      @Nullable String zone) {
    public Endpoint {
      labels = Map.copyOf(labels);
    }
  }

  /**
   * A named subset of a service's endpoints (Istio DestinationRule subset).
   *
   * @param name the subset name routes refer to
   * @param labels the labels an endpoint must carry (all of them)
   * @param trafficPolicy overrides the service's traffic policy for this subset
   */
  public record Subset(String name, Map<String, String> labels, @Nullable TrafficPolicy trafficPolicy) {
    public Subset {
      labels = Map.copyOf(labels);
    }
  }
}
