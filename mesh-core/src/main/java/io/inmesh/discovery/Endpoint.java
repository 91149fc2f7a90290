package io.inmesh.discovery;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One instance of a service that requests can be sent to.
 *
 * @param host an IP address or host name
 * @param port the port
 * @param labels labels subsets select on ({@code version: v2})
 * @param weight relative weight for load balancing, at least 1
 * @param zone the locality zone, or null
 */
public record Endpoint(String host, int port, Map<String, String> labels, int weight, @Nullable String zone) {
  public Endpoint {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " (expected: 1-65535)");
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight " + weight + " (expected: >= 1)");
    }
    labels = Map.copyOf(labels);
  }

  /** {@code host:port} ({@code [v6]:port} for IPv6): the identity of the endpoint across config reloads. */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** Whether this endpoint carries every one of {@code selector}'s labels. */
  public boolean matches(Map<String, String> selector) {
    return labels.entrySet().containsAll(selector.entrySet());
  }

  @Override
  public String toString() {
    return address();
  }
}
