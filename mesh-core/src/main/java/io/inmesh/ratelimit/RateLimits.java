package io.inmesh.ratelimit;

import io.inmesh.WorkloadIdentity;
import io.inmesh.authz.AuthorizationPolicies;
import io.inmesh.config.InboundConfig;
import io.inmesh.config.InboundConfig.RateLimitPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The rate limiters of one mesh, kept across configuration snapshots: a policy whose definition is unchanged keeps
 * its buckets (and so its clients' spent tokens) through a reload; a changed policy starts with full buckets.
 */
public final class RateLimits {
  private final LongSupplier nanoTime;
  private final Map<String, RateLimiter> byId = new HashMap<>();

  /** @param nanoTime monotonic time for every bucket */
  public RateLimits(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * The limiters of the policies of {@code inbound} that apply to {@code workload}, in configuration order, reusing
   * those whose policy is unchanged. Called once per snapshot (never on the request path).
   */
  public synchronized List<RateLimiter> select(InboundConfig inbound, WorkloadIdentity workload) {
    Map<String, RateLimiter> next = new HashMap<>();
    List<RateLimiter> selected = new ArrayList<>();
    for (RateLimitPolicy p : inbound.rateLimits()) {
      if (!AuthorizationPolicies.appliesTo(p.namespace(), p.selector(), workload)) {
        continue;
      }
      RateLimiter old = byId.get(RateLimiter.id(p));
      RateLimiter limiter = old != null && old.policy().equals(p) ? old : new RateLimiter(p, workload, nanoTime);
      next.put(limiter.id(), limiter);
      selected.add(limiter);
    }
    byId.clear();
    byId.putAll(next);
    return List.copyOf(selected);
  }

  /**
   * The limiters a snapshot with {@code inbound} would use, without changing which ones this registry keeps: the
   * live ones where their policy is unchanged, fresh ones otherwise (for explaining a request against a running mesh).
   */
  public synchronized List<RateLimiter> view(InboundConfig inbound, WorkloadIdentity workload) {
    List<RateLimiter> selected = new ArrayList<>();
    for (RateLimitPolicy p : inbound.rateLimits()) {
      if (AuthorizationPolicies.appliesTo(p.namespace(), p.selector(), workload)) {
        RateLimiter old = byId.get(RateLimiter.id(p));
        selected.add(old != null && old.policy().equals(p) ? old : new RateLimiter(p, workload, nanoTime));
      }
    }
    return List.copyOf(selected);
  }

  /** Fresh limiters with full buckets, for explaining a request offline ({@code mesh explain}). */
  public static List<RateLimiter> fresh(InboundConfig inbound, WorkloadIdentity workload) {
    return new RateLimits(System::nanoTime).select(inbound, workload);
  }
}
