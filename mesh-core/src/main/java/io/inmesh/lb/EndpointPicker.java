package io.inmesh.lb;

import io.inmesh.config.TrafficPolicy.LoadBalancerSettings;
import io.inmesh.discovery.Endpoint;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The picker of one destination (a service, or one of its subsets) for one endpoint set and health state: applies
 * health, panic mode and locality when built, and slow start and retry avoidance on each pick, around an algorithm
 * {@link Picker}. Immutable; rebuilt by {@link ServiceBalancer} when anything it was built from changes.
 */
final class EndpointPicker {
  private static final EndpointState[] NONE = new EndpointState[0];

  private final String policy;
  private final boolean tracksLatency;
  private final EndpointState[] candidates;
  private final EndpointState[] fallback;
  private final @Nullable Picker picker;
  private final String emptyReason;
  private final boolean panic;
  private final long warmupNanos;
  private final LbEnvironment env;

  private EndpointPicker(String policy, EndpointState[] candidates, EndpointState[] fallback, @Nullable Picker picker,
      String emptyReason, boolean panic, long warmupNanos, LbEnvironment env) {
    this.policy = policy;
    this.tracksLatency = policy.equals("PEAK_EWMA");
    this.candidates = candidates;
    this.fallback = fallback;
    this.picker = picker;
    this.emptyReason = emptyReason;
    this.panic = panic;
    this.warmupNanos = warmupNanos;
    this.env = env;
  }

  /** A picker with nothing to pick from. */
  static EndpointPicker empty(String policy, String reason, LbEnvironment env) {
    return new EndpointPicker(policy, NONE, NONE, null, reason, false, 0, env);
  }

  /**
   * Builds the picker over {@code members} (the destination's endpoints): the available ones, or all of them when
   * fewer than {@code panicThreshold} percent are available (panic mode); of those, the ones in the caller's zone
   * while there are any and locality is enabled.
   */
  static EndpointPicker build(LoadBalancerSettings settings, List<EndpointState> members, String noMembersReason,
      LbEnvironment env) {
    String policy = Pickers.policyName(settings);
    if (members.isEmpty()) {
      return empty(policy, noMembersReason, env);
    }
    List<EndpointState> available = new ArrayList<>(members.size());
    for (EndpointState s : members) {
      if (s.available()) {
        available.add(s);
      }
    }
    boolean panic = available.size() * 100.0 < settings.panicThreshold() * members.size();
    List<EndpointState> pool = panic ? members : available;
    if (pool.isEmpty()) {
      return empty(policy, "all " + members.size() + " endpoints are ejected or unhealthy (panic mode is off)", env);
    }
    List<EndpointState> chosen = pool;
    String zone = env.zone();
    if (settings.localityLbSetting().enabled() && zone != null) {
      List<EndpointState> local = new ArrayList<>();
      for (EndpointState s : pool) {
        if (zone.equals(s.endpoint().zone())) {
          local.add(s);
        }
      }
      if (!local.isEmpty()) {
        chosen = local;
      }
    }
    EndpointState[] candidates = chosen.toArray(NONE);
    // Slow start would move a ring's keys as weights ramp: Envoy does not apply it to hash balancers either.
    long warmup = settings.warmupDuration() == null || settings.consistentHash() != null ? 0
        : settings.warmupDuration().toNanos();
    return new EndpointPicker(policy, candidates, pool.toArray(NONE), Pickers.create(settings, candidates, env),
        "", panic, warmup, env);
  }

  boolean isEmpty() {
    return picker == null;
  }

  /** Why there is nothing to pick (when {@link #isEmpty()}). */
  String emptyReason() {
    return emptyReason;
  }

  boolean panic() {
    return panic;
  }

  String policy() {
    return policy;
  }

  /** Whether attempts' latencies feed the picks (PEAK_EWMA). */
  boolean tracksLatency() {
    return tracksLatency;
  }

  /** The endpoints picks choose from (the caller's zone, when locality applies). */
  List<EndpointState> candidates() {
    return List.of(candidates);
  }

  /**
   * Picks an endpoint; one of {@code tried} (earlier attempts of the request) only when every other one was tried
   * too. Must not be called when {@link #isEmpty()}.
   */
  EndpointState pick(MeshContext ctx, MeshRequest request, @Nullable List<Endpoint> tried) {
    EndpointState s = pickWarm(ctx, request);
    if (tried == null || tried.isEmpty() || !contains(tried, s)) {
      return s;
    }
    for (int i = 0; i < 3 && candidates.length > 1; i++) {
      EndpointState again = pickWarm(ctx, request);
      if (!contains(tried, again)) {
        return again;
      }
    }
    // The algorithm keeps choosing tried endpoints (a hash key, or few endpoints): take any untried one, in the
    // caller's zone first, then in the others.
    EndpointState untried = firstUntried(candidates, tried);
    if (untried == null) {
      untried = firstUntried(fallback, tried);
    }
    return untried != null ? untried : s;
  }

  private EndpointState pickWarm(MeshContext ctx, MeshRequest request) {
    Picker p = Objects.requireNonNull(picker, "empty picker");
    EndpointState s = p.pick(ctx, request);
    if (warmupNanos == 0 || !s.warming()) {
      return s;
    }
    // Slow start by rejection sampling: a warming endpoint is kept with probability equal to its share factor, so
    // its share is its weight times the factor. Bounded, in case every endpoint is warming.
    long now = env.now();
    for (int i = 0; i < 8; i++) {
      double f = s.warmupFactor(now, warmupNanos);
      if (f >= 1 || env.rng().nextDouble() < f) {
        return s;
      }
      s = p.pick(ctx, request);
    }
    return s;
  }

  private @Nullable EndpointState firstUntried(EndpointState[] from, List<Endpoint> tried) {
    if (from.length == 0) {
      return null;
    }
    int start = env.rng().nextInt(from.length);
    for (int i = 0; i < from.length; i++) {
      EndpointState s = from[(start + i) % from.length];
      if (!contains(tried, s)) {
        return s;
      }
    }
    return null;
  }

  private static boolean contains(List<Endpoint> tried, EndpointState s) {
    Endpoint e = s.endpoint();
    for (int i = 0; i < tried.size(); i++) {
      Endpoint t = tried.get(i);
      if (t.port() == e.port() && t.host().equals(e.host())) {
        return true;
      }
    }
    return false;
  }
}
