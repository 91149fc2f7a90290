package io.inmesh.routing;

import io.inmesh.config.MeshConfig.RetryBudget;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.RouteConfig.Fault;
import io.inmesh.config.RouteConfig.RetryPolicy;
import io.inmesh.pipeline.MeshRequest;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One routing rule, compiled: matchers built, destinations resolved to services with cumulative weights, and the
 * effective timeout and retry policy decided (a route with a fault has neither, as in Istio).
 */
public final class CompiledRoute {
  private final String id;
  private final @Nullable String name;
  private final int index;
  private final RouteConfig config;
  private final RequestMatcher[] matchers;
  private final boolean matchesAll;
  private final WeightedDestination[] destinations;
  private final int[] cumulativeWeights;
  private final int totalWeight;
  private final @Nullable Duration timeout;
  private final @Nullable RetryPolicy retries;
  private final RetryBudget retryBudget;

  CompiledRoute(
      String serviceName,
      int index,
      RouteConfig config,
      List<RequestMatcher> matchers,
      boolean matchesAll,
      List<WeightedDestination> destinations,
      RetryPolicy defaultRetries,
      RetryBudget defaultBudget) {
    this.id = serviceName + "/" + index;
    this.name = config.name();
    this.index = index;
    this.config = config;
    this.matchers = matchers.toArray(RequestMatcher[]::new);
    this.matchesAll = matchesAll;
    this.destinations = destinations.toArray(WeightedDestination[]::new);
    this.cumulativeWeights = new int[this.destinations.length];
    long total = 0;
    for (WeightedDestination d : this.destinations) {
      total += d.weight();
    }
    // Weights are relative and not bounded by validation: a sum beyond int range would overflow the cumulative
    // weights (and the draw), so scale them down keeping their ratios; a positive weight stays positive.
    long limit = Integer.MAX_VALUE - this.destinations.length;
    double scale = total > limit ? (double) limit / total : 1.0;
    int sum = 0;
    for (int i = 0; i < this.destinations.length; i++) {
      int w = this.destinations[i].weight();
      sum += scale == 1.0 || w == 0 ? w : (int) Math.max(1, (long) (w * scale));
      cumulativeWeights[i] = sum;
    }
    this.totalWeight = sum;
    boolean faulty = config.fault() != null;
    this.timeout = faulty ? null : config.timeout();
    RetryPolicy r = config.retries() != null ? config.retries() : defaultRetries;
    this.retries = faulty || r.attempts() == 0 ? null : r;
    this.retryBudget = r.budget() != null ? r.budget() : defaultBudget;
  }

  /** {@code service/index}: stable within a snapshot, used in metrics, explain and the access log. */
  public String id() {
    return id;
  }

  /** The rule's name, or null. */
  public @Nullable String name() {
    return name;
  }

  /** The rule's position in its service's list. */
  public int index() {
    return index;
  }

  public RouteConfig config() {
    return config;
  }

  /** Whether the rule applies to {@code request} (its match entries are ORed). */
  public boolean matches(MeshRequest request) {
    if (matchesAll) {
      return true;
    }
    for (RequestMatcher m : matchers) {
      if (m.matches(request)) {
        return true;
      }
    }
    return false;
  }

  /** The destinations, in config order. */
  public List<WeightedDestination> destinations() {
    return List.of(destinations);
  }

  /** The sum of the weights (scaled down, ratios kept, if it would exceed int range). */
  public int totalWeight() {
    return totalWeight;
  }

  /**
   * The destination for a draw {@code r} in {@code [0, totalWeight())}: each destination is chosen with probability
   * weight / total. Callers pass a uniform random draw (injected, so tests are deterministic).
   */
  public WeightedDestination pick(int r) {
    if (destinations.length == 1) {
      return destinations[0];
    }
    for (int i = 0; i < cumulativeWeights.length; i++) {
      if (r < cumulativeWeights[i]) {
        return destinations[i];
      }
    }
    return destinations[destinations.length - 1];
  }

  /** The route timeout bounding all attempts, or null (off, or disabled by a fault). */
  public @Nullable Duration timeout() {
    return timeout;
  }

  /** The effective retry policy, or null when the route does not retry. */
  public @Nullable RetryPolicy retries() {
    return retries;
  }

  /** The retry budget of this route. */
  public RetryBudget retryBudget() {
    return retryBudget;
  }

  /** The fault to inject, or null. */
  public @Nullable Fault fault() {
    return config.fault();
  }

  @Override
  public String toString() {
    return id + (name == null ? "" : " (" + name + ")");
  }
}
