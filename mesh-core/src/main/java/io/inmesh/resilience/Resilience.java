package io.inmesh.resilience;

import io.inmesh.MeshEnvironment;
import io.inmesh.MeshFeature;
import io.inmesh.MeshSnapshot;
import io.inmesh.lb.EndpointState;
import io.inmesh.lb.LoadBalancing;
import io.inmesh.pipeline.InboundRole;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import io.inmesh.resilience.ResilienceStats.BreakerState;
import io.inmesh.resilience.ResilienceStats.BreakerTransition;
import io.inmesh.resilience.internal.AttemptTimeoutFilter;
import io.inmesh.resilience.internal.BreakerFilter;
import io.inmesh.resilience.internal.BreakerGroup;
import io.inmesh.resilience.internal.ConnectionLimits;
import io.inmesh.resilience.internal.Counters;
import io.inmesh.resilience.internal.DeadlineFilters;
import io.inmesh.resilience.internal.HealthChecks;
import io.inmesh.resilience.internal.OutlierDetector;
import io.inmesh.resilience.internal.OutlierFilter;
import io.inmesh.resilience.internal.OverloadFilter;
import io.inmesh.resilience.internal.Plans;
import io.inmesh.resilience.internal.RetryBudget;
import io.inmesh.resilience.internal.RetryFilter;
import io.inmesh.resilience.internal.StateRegistry;
import io.inmesh.routing.CompiledService;
import io.inmesh.telemetry.MeshTelemetry;
import io.inmesh.tls.MeshTls;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in resilience feature. Stages, outermost first:
 *
 * <ul>
 *   <li>{@code deadline-inherit} (before TELEMETRY): the deadline of the request this thread serves ({@link
 *       MeshDeadline#current()}) bounds the outbound request;
 *   <li>{@code deadline} (DEADLINE): the route {@code timeout} from now tightens it: it bounds all tries and backoffs;
 *   <li>{@code retry} (RETRY): retries per {@code retryOn}, with budget, backoff, idempotency guard and {@value
 *       Retries#ATTEMPT_HEADER} (see {@link Retries});
 *   <li>{@code overload} (OVERLOAD): connection-pool limits per destination, failing fast with {@link
 *       OverloadedException};
 *   <li>{@code circuit-breaker} (CIRCUIT_BREAKER): a Resilience4j breaker per endpoint or per route from {@code
 *       trafficPolicy.circuitBreaker}, failing fast with {@link CircuitOpenException};
 *   <li>{@code attempt-timeout} (ATTEMPT_TIMEOUT): {@code perTryTimeout} and the remaining deadline bound each send
 *       ({@link MeshTimeoutException}), and the bound travels upstream in {@value MeshDeadline#HEADER};
 *   <li>{@code inbound-deadline} (inbound DEADLINE): reads that header, answers 504 to a spent deadline without
 *       calling the application, else publishes {@link MeshDeadline#current()}.
 * </ul>
 *
 * <p>A stage whose config is absent from the snapshot (no timeout, no retries, no limits, no breaker anywhere) is
 * left out of that snapshot's pipeline. Budgets, limits and breakers live here, keyed by route or destination, and
 * are kept across reloads while their config is equal. Counters: {@link #stats()}; breaker transitions are also
 * reported to the mesh's telemetry and to {@link #onBreakerTransition listeners}.
 */
public final class Resilience implements MeshFeature {
  private static final Logger log = LoggerFactory.getLogger(Resilience.class);

  private final MeshEnvironment env;
  private final Counters counters = new Counters();
  private final Supplier<RandomGenerator> random;
  private final List<Consumer<BreakerTransition>> breakerListeners = new CopyOnWriteArrayList<>();
  private final Plans.Registries registries;
  private volatile Plans plans;
  private final @Nullable OutlierDetector outliers;
  private final @Nullable HealthChecks healthChecks;
  private final @Nullable LoadBalancing lb;
  private volatile Set<String> serviceKeys;
  private final @Nullable ScheduledFuture<?> departedSweep;
  /** How often state kept per endpoint (breakers, outlier runs) is checked against the endpoints that remain. */
  private static final long DEPARTED_SWEEP_SECONDS = 60;

  /** Creates the feature for one mesh (listed in {@code BuiltInFeatures}). */
  public static Resilience create(MeshEnvironment env) {
    return new Resilience(env);
  }

  private Resilience(MeshEnvironment env) {
    this.env = env;
    RandomGenerator r = env.random();
    this.random = r != null ? () -> r : ThreadLocalRandom::current;
    this.registries = new Plans.Registries(
        new StateRegistry<RetryBudget>(),
        new StateRegistry<ConnectionLimits>(),
        new StateRegistry<BreakerGroup>(),
        env.nanoTime(),
        (service, destination, cb) -> new BreakerGroup(service, destination, cb, env.clock(), this::breakerTransition));
    this.plans = Plans.build(env.initialSnapshot(), registries);
    this.serviceKeys = serviceKeys(env.initialSnapshot());
    // Ejection and health act through the load balancer's per-endpoint state (LoadBalancing is created before us).
    LoadBalancing lb = env.feature(LoadBalancing.class);
    this.outliers = lb == null ? null
        : new OutlierDetector(lb, MeshTelemetry.of(env), env.scheduler(), env.nanoTime(), counters);
    this.healthChecks = lb == null ? null
        : new HealthChecks(lb, env.feature(MeshTls.class), env.scheduler(), counters);
    if (healthChecks != null) {
      healthChecks.apply(env.initialSnapshot());
    }
    this.lb = lb;
    ScheduledFuture<?> sweep = null;
    if (lb != null) {
      try {
        sweep = env.scheduler().scheduleWithFixedDelay(this::forgetDepartedEndpoints, DEPARTED_SWEEP_SECONDS,
            DEPARTED_SWEEP_SECONDS, TimeUnit.SECONDS);
      } catch (RejectedExecutionException e) {
        // the mesh is closing
      }
    }
    this.departedSweep = sweep;
  }

  @Override
  public void onSnapshot(MeshSnapshot snapshot) {
    Plans p = Plans.build(snapshot, registries);
    Plans.retainOnly(p, registries);
    plans = p;
    if (healthChecks != null) {
      healthChecks.apply(snapshot);
    }
    serviceKeys = serviceKeys(snapshot);
    if (outliers != null) {
      outliers.retainKnownEndpoints(serviceKeys);
    }
  }

  @Override
  public void close() {
    if (departedSweep != null) {
      departedSweep.cancel(false);
    }
    if (healthChecks != null) {
      healthChecks.close();
    }
  }

  private static Set<String> serviceKeys(MeshSnapshot snapshot) {
    return snapshot.services().services().stream().map(CompiledService::key).collect(Collectors.toSet());
  }

  /**
   * Drops the breakers and outlier-detection runs of endpoints that left their service (discovery changes happen
   * between snapshots: a rescheduled pod comes back under a new address), so that churn does not grow them for ever.
   */
  void forgetDepartedEndpoints() {
    LoadBalancing balancing = lb;
    if (balancing == null) {
      return;
    }
    try {
      for (BreakerGroup group : registries.breakers().states()) {
        Set<String> live = new HashSet<>();
        for (EndpointState s : balancing.endpointStates(group.service())) {
          live.add(s.endpoint().host() + '|' + s.endpoint().port());
        }
        group.retainEndpoints((host, port) -> live.contains(host + '|' + port));
      }
      if (outliers != null) {
        outliers.retainKnownEndpoints(serviceKeys);
      }
    } catch (RuntimeException e) {
      log.debug("forgetting departed endpoints failed", e);
    }
  }

  private Plans plans(MeshSnapshot snapshot) {
    Plans p = plans;
    return p.snapshot() == snapshot ? p : Plans.build(snapshot, registries);
  }

  @Override
  public List<MeshStage> stages() {
    return List.of(
        MeshStage.of("deadline-inherit", StagePosition.before(OutboundRole.TELEMETRY), DeadlineFilters.INHERIT),
        new MeshStage("deadline", StagePosition.at(OutboundRole.DEADLINE), s -> {
          Plans p = plans(s);
          return p.anyTimeout() ? DeadlineFilters.routeTimeout(p) : null;
        }),
        new MeshStage("retry", StagePosition.at(OutboundRole.RETRY), s -> {
          Plans p = plans(s);
          return p.anyRetry() ? new RetryFilter(p, env.scheduler(), random, env.clock(), counters) : null;
        }),
        new MeshStage("overload", StagePosition.at(OutboundRole.OVERLOAD), s -> {
          Plans p = plans(s);
          return p.anyLimits() ? new OverloadFilter(p, counters) : null;
        }),
        new MeshStage("circuit-breaker", StagePosition.at(OutboundRole.CIRCUIT_BREAKER), s -> {
          Plans p = plans(s);
          return p.anyBreaker() ? new BreakerFilter(p, counters) : null;
        }),
        new MeshStage("outlier-detection", StagePosition.after(OutboundRole.CIRCUIT_BREAKER),
            s -> outliers == null || s.services().services().stream()
                .noneMatch(svc -> OutlierDetector.active(svc.trafficPolicy().outlierDetection())
                    || svc.subsets().values().stream()
                        .anyMatch(sub -> OutlierDetector.active(sub.trafficPolicy().outlierDetection())))
                ? null : new OutlierFilter(outliers)),
        // Always present: an inherited deadline may bound any request, whatever the routes say.
        new MeshStage("attempt-timeout", StagePosition.at(OutboundRole.ATTEMPT_TIMEOUT),
            s -> new AttemptTimeoutFilter(plans(s), env.scheduler(), counters)),
        MeshStage.of("inbound-deadline", StagePosition.at(InboundRole.DEADLINE), DeadlineFilters.inbound(counters)));
  }

  /** The counters since the mesh started and the breakers' states now. */
  public ResilienceStats stats() {
    List<BreakerState> breakers = new ArrayList<>();
    for (BreakerGroup g : registries.breakers().states()) {
      breakers.addAll(g.states());
    }
    return new ResilienceStats(
        counters.retries.sum(),
        counters.retriesExhausted.sum(),
        counters.budgetRefusals.sum(),
        counters.retryOverflows.sum(),
        counters.attemptTimeouts.sum(),
        counters.deadlineRejections.sum(),
        counters.overloads.sum(),
        counters.circuitOpenRejections.sum(),
        counters.breakerTransitions.sum(),
        counters.ejections.sum(),
        counters.healthCheckFailures.sum(),
        breakers);
  }

  /** Registers a listener for circuit-breaker state changes (called on the thread of the call that caused one). */
  public void onBreakerTransition(Consumer<BreakerTransition> listener) {
    breakerListeners.add(listener);
  }

  private void breakerTransition(BreakerTransition t) {
    counters.breakerTransitions.increment();
    log.debug("circuit breaker {} of {}: {} -> {}", t.name(), t.service(), t.from(), t.to());
    MeshTelemetry telemetry = MeshTelemetry.of(env);
    if (telemetry != null) {
      telemetry.circuitBreakerStateChanged(t.service(), t.from(), t.to());
    }
    for (Consumer<BreakerTransition> l : breakerListeners) {
      try {
        l.accept(t);
      } catch (RuntimeException e) {
        log.warn("circuit breaker listener {} failed", l, e);
      }
    }
  }
}
