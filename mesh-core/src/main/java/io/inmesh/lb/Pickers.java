package io.inmesh.lb;

import io.inmesh.config.TrafficPolicy.LbPolicy;
import io.inmesh.config.TrafficPolicy.LoadBalancerSettings;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import java.util.concurrent.atomic.AtomicInteger;

/** The algorithms. Each is built over a non-empty array of endpoints. */
final class Pickers {
  /** Round-robin schedules longer than this are scaled down (weights keep their proportions to 1 in 65,536). */
  static final int MAX_SCHEDULE = 65_536;

  private Pickers() {}

  /** The policy's name as configured: {@code RING_HASH} when consistentHash is set, else {@code simple}. */
  static String policyName(LoadBalancerSettings settings) {
    return settings.consistentHash() != null ? "RING_HASH" : settings.simple().name();
  }

  static Picker create(LoadBalancerSettings settings, EndpointState[] endpoints, LbEnvironment env) {
    if (endpoints.length == 0) {
      throw new IllegalArgumentException("a picker needs at least one endpoint");
    }
    if (settings.consistentHash() != null) {
      return new RingHashPicker(settings.consistentHash(), endpoints, env);
    }
    if (endpoints.length == 1) {
      EndpointState only = endpoints[0];
      return (ctx, request) -> only;
    }
    LbPolicy policy = settings.simple();
    return switch (policy) {
      case ROUND_ROBIN -> roundRobin(endpoints, env);
      case RANDOM -> random(endpoints, env);
      case LEAST_REQUEST -> new P2cPicker(endpoints, env, false);
      case PEAK_EWMA -> new P2cPicker(endpoints, env, true);
    };
  }

  static Picker random(EndpointState[] endpoints, LbEnvironment env) {
    WeightedIndex index = new WeightedIndex(endpoints);
    return (ctx, request) -> endpoints[index.draw(env.rng())];
  }

  /**
   * Weighted round robin: a precomputed smooth (nginx) schedule, so that a pick is one atomic increment and weights
   * are interleaved rather than sent in bursts. Starts at a random place so that callers do not march in step.
   */
  static Picker roundRobin(EndpointState[] endpoints, LbEnvironment env) {
    int[] schedule = schedule(endpoints);
    AtomicInteger next = new AtomicInteger(env.rng().nextInt(schedule.length));
    return (ctx, request) -> endpoints[schedule[Math.floorMod(next.getAndIncrement(), schedule.length)]];
  }

  static int[] schedule(EndpointState[] endpoints) {
    int n = endpoints.length;
    long[] weights = new long[n];
    long g = 0;
    long total = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = endpoints[i].endpoint().weight();
      g = gcd(g, weights[i]);
    }
    for (int i = 0; i < n; i++) {
      weights[i] /= g;
      total += weights[i];
    }
    if (total > MAX_SCHEDULE) {
      long reduced = total;
      total = 0;
      for (int i = 0; i < n; i++) {
        weights[i] = Math.max(1, Math.round((double) weights[i] * MAX_SCHEDULE / reduced));
        total += weights[i];
      }
    }
    int[] schedule = new int[(int) total];
    long[] current = new long[n];
    for (int s = 0; s < schedule.length; s++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      schedule[s] = best;
    }
    return schedule;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /**
   * Power of two choices: draw two distinct endpoints in proportion to weight and take the one with the lower load,
   * the first on a tie (so idle endpoints share traffic by weight). LEAST_REQUEST's load is the requests in flight per
   * unit of weight; PEAK_EWMA's is the latency estimate times (in flight + 1), as in Finagle and Linkerd, where weight
   * acts through the draws only: dividing a latency by a weight would make a heavy idle endpoint win every pair.
   */
  static final class P2cPicker implements Picker {
    private final EndpointState[] endpoints;
    private final WeightedIndex index;
    private final LbEnvironment env;
    private final boolean ewma;

    P2cPicker(EndpointState[] endpoints, LbEnvironment env, boolean ewma) {
      this.endpoints = endpoints;
      this.index = new WeightedIndex(endpoints);
      this.env = env;
      this.ewma = ewma;
    }

    @Override
    public EndpointState pick(MeshContext ctx, MeshRequest request) {
      var r = env.rng();
      int a = index.draw(r);
      int b = index.drawOther(r, a);
      long now = ewma ? env.now() : 0;
      return load(endpoints[b], now) < load(endpoints[a], now) ? endpoints[b] : endpoints[a];
    }

    private double load(EndpointState e, long now) {
      return ewma ? e.cost(now) * (e.inFlight() + 1) : e.inFlight() / (double) e.endpoint().weight();
    }
  }
}
