package io.inmesh.routing;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Why a request from this workload goes where it goes: the matching rule and what it decides. Computed by the same
 * route table the runtime uses ({@link OutboundExplainer}).
 *
 * @param service the destination service ({@code namespace/name}), or null when the host is not a mesh service
 * @param route the matching rule as {@code service/index}, or null when none matches (404, {@code NR})
 * @param routeName its name, or null
 * @param destinations the weighted destinations with their share in percent
 * @param timeout the route timeout as written ({@code 5s}), or null
 * @param retries the retry policy, or null when the route does not retry
 * @param mirrors the mirror destinations with their percentages
 * @param fault the fault injected, or null
 * @param loadBalancer the balancer of the first destination
 * @param error why there is no route, or null
 */
public record OutboundExplanation(
    @Nullable String service,
    @Nullable String route,
    @Nullable String routeName,
    List<Destination> destinations,
    @Nullable String timeout,
    @Nullable Retries retries,
    List<Mirror> mirrors,
    @Nullable Fault fault,
    @Nullable String loadBalancer,
    @Nullable String error) {

  public OutboundExplanation {
    destinations = List.copyOf(destinations);
    mirrors = List.copyOf(mirrors);
  }

  /** A destination and its share in percent. */
  public record Destination(String service, @Nullable String subset, double weight) {}

  /**
   * The retry policy as it applies to this request.
   *
   * @param retryable false when the method is not idempotent and the route does not opt in
   */
  public record Retries(int attempts, @Nullable String perTryTimeout, List<String> retryOn, boolean retryable) {
    public Retries {
      retryOn = List.copyOf(retryOn);
    }
  }

  /** A mirror destination. */
  public record Mirror(String service, @Nullable String subset, double percentage) {}

  /** The fault injected. */
  public record Fault(@Nullable String delay, double delayPercentage, @Nullable Integer abortStatus,
      double abortPercentage) {}
}
