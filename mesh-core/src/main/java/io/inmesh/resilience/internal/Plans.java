package io.inmesh.resilience.internal;

import io.inmesh.MeshSnapshot;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.RouteConfig.RetryPolicy;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.EffectiveTrafficPolicy;
import io.inmesh.routing.WeightedDestination;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What the resilience stages need of one snapshot, decided once when the snapshot comes into force: per route its
 * timeouts and compiled retry policy, per destination (service or subset) its limits and breakers. Looked up by the
 * identity of the snapshot's own route and service objects, so a request neither builds nor hashes a key string.
 */
public final class Plans {
  /** A route's timeouts and retries. */
  public record RoutePlan(long timeoutNanos, long perTryNanos, @Nullable RetryPlan retry) {}

  /** A route's compiled retry policy. */
  public record RetryPlan(int attempts, RetryCondition condition, boolean retryNonIdempotent, long baseNanos,
      long maxNanos, @Nullable RetryBudget budget) {}

  /** A destination's stateful parts, either null when its config does not ask for them. */
  public record Destination(String key, @Nullable ConnectionLimits limits, @Nullable BreakerGroup breakers) {}

  /** The registries of state that outlives snapshots, owned by the feature. */
  public record Registries(StateRegistry<RetryBudget> budgets, StateRegistry<ConnectionLimits> limits,
      StateRegistry<BreakerGroup> breakers, LongSupplier nanoTime, BreakerFactory breakerFactory) {}

  /** Creates a destination's breaker group. */
  @FunctionalInterface
  public interface BreakerFactory {
    BreakerGroup create(String service, String destination, TrafficPolicy.CircuitBreaker config);
  }

  private static final class PerService {
    @Nullable Destination whole;
    final Map<String, Destination> subsets = new HashMap<>(4);
  }

  private final MeshSnapshot snapshot;
  private final IdentityHashMap<CompiledRoute, RoutePlan> routes = new IdentityHashMap<>();
  private final IdentityHashMap<CompiledService, PerService> destinations = new IdentityHashMap<>();
  private boolean anyTimeout;
  private boolean anyRetry;
  private boolean anyBounded;
  private boolean anyLimits;
  private boolean anyBreaker;

  private Plans(MeshSnapshot snapshot) {
    this.snapshot = snapshot;
  }

  /** Builds the plans of {@code snapshot}, reusing the registries' state where config is unchanged. */
  public static Plans build(MeshSnapshot snapshot, Registries reg) {
    Plans p = new Plans(snapshot);
    Set<String> budgetKeys = new HashSet<>();
    Set<String> destinationKeys = new HashSet<>();
    for (CompiledService service : snapshot.services().services()) {
      for (CompiledRoute route : service.routes().routes()) {
        p.routes.put(route, p.routePlan(service, route, reg, budgetKeys));
      }
      PerService per = new PerService();
      per.whole = p.destination(service, null, service.trafficPolicy(), reg, destinationKeys);
      for (CompiledService.Subset subset : service.subsets().values()) {
        per.subsets.put(subset.name(), p.destination(service, subset.name(), subset.trafficPolicy(), reg,
            destinationKeys));
      }
      p.destinations.put(service, per);
    }
    return p;
  }

  /** Drops the registries' state that {@code plans} (the snapshot now in force) no longer uses. */
  public static void retainOnly(Plans plans, Registries reg) {
    Set<String> budgetKeys = new HashSet<>();
    Set<String> destinationKeys = new HashSet<>();
    for (CompiledService service : plans.snapshot.services().services()) {
      for (CompiledRoute route : service.routes().routes()) {
        String key = budgetKey(service, route);
        if (key != null) {
          budgetKeys.add(key);
        }
      }
      destinationKeys.add(destinationKey(service, null));
      for (String subset : service.subsets().keySet()) {
        destinationKeys.add(destinationKey(service, subset));
      }
    }
    reg.budgets().retain(budgetKeys);
    reg.limits().retain(destinationKeys);
    reg.breakers().retain(destinationKeys);
  }

  private RoutePlan routePlan(CompiledService service, CompiledRoute route, Registries reg, Set<String> budgetKeys) {
    long timeout = nanos(route.timeout());
    RetryPolicy rp = route.retries();
    RetryPlan retry = null;
    long perTry = 0;
    if (rp != null) {
      perTry = nanos(rp.perTryTimeout());
      RetryBudget budget = null;
      String key = budgetKey(service, route);
      if (key != null) {
        MeshConfig.RetryBudget cfg = route.retryBudget();
        budgetKeys.add(key);
        budget = reg.budgets().get(key, cfg, () -> new RetryBudget(cfg, reg.nanoTime()));
      }
      retry = new RetryPlan(rp.attempts(), RetryCondition.of(rp.retryOn(), rp.retriableStatusCodes()),
          rp.retryNonIdempotent(), nanos(rp.backoff().baseInterval()), nanos(rp.backoff().maxInterval()), budget);
      anyRetry = true;
    }
    anyTimeout |= timeout > 0;
    anyBounded |= timeout > 0 || perTry > 0;
    return new RoutePlan(timeout, perTry, retry);
  }

  /**
   * The budget's key: a route with its own budget has its own; the others of a service share the default budget, as
   * Linkerd's budget is per service profile. Null when the budget is disabled or the route does not retry.
   */
  private static @Nullable String budgetKey(CompiledService service, CompiledRoute route) {
    if (route.retries() == null || !route.retryBudget().enabled()) {
      return null;
    }
    RetryPolicy rp = route.retries();
    return rp.budget() != null ? "route:" + service.key() + "/" + route.index() : "service:" + service.key();
  }

  private Destination destination(CompiledService service, @Nullable String subset, EffectiveTrafficPolicy policy,
      Registries reg, Set<String> keys) {
    String key = destinationKey(service, subset);
    keys.add(key);
    ConnectionLimits limits = reg.limits().get(key, policy.connectionPool(),
        () -> new ConnectionLimits(key, policy.connectionPool()));
    if (limits.unlimited()) {
      limits = null;
    }
    TrafficPolicy.CircuitBreaker cb = policy.circuitBreaker();
    BreakerGroup breakers = null;
    if (cb != null) {
      breakers = reg.breakers().get(key, cb, () -> reg.breakerFactory().create(service.key(), key, cb));
    }
    anyLimits |= limits != null;
    anyBreaker |= breakers != null;
    return new Destination(key, limits, breakers);
  }

  static String destinationKey(CompiledService service, @Nullable String subset) {
    return subset == null ? service.key() : service.key() + "/" + subset;
  }

  private static long nanos(@Nullable Duration d) {
    return d == null ? 0 : d.toNanos();
  }

  public MeshSnapshot snapshot() {
    return snapshot;
  }

  /** The plan of {@code route} (a route of this snapshot, or of an older one still serving requests), or null. */
  public @Nullable RoutePlan route(@Nullable CompiledRoute route) {
    return route == null ? null : routes.get(route);
  }

  /** The stateful parts of {@code destination}, or null when unknown to this snapshot. */
  public @Nullable Destination destination(@Nullable WeightedDestination destination) {
    if (destination == null) {
      return null;
    }
    PerService per = destinations.get(destination.service());
    if (per == null) {
      return null;
    }
    return destination.subset() == null ? per.whole : per.subsets.get(destination.subset());
  }

  /** Whether any route sets a timeout (the DEADLINE stage is left out otherwise). */
  public boolean anyTimeout() {
    return anyTimeout;
  }

  public boolean anyRetry() {
    return anyRetry;
  }

  /** Whether any route sets a timeout or a per-try timeout. */
  public boolean anyBounded() {
    return anyBounded;
  }

  public boolean anyLimits() {
    return anyLimits;
  }

  public boolean anyBreaker() {
    return anyBreaker;
  }
}
