package io.inmesh.lb;

import io.inmesh.discovery.Endpoint;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What the load balancer knows about one endpoint of a service: requests in flight, the peak-EWMA latency, and
 * whether it may receive traffic. Kept per service and endpoint address across config reloads and endpoint-set
 * changes; dropped when the endpoint leaves the set.
 *
 * <p>This is the hook of outlier detection and health checking: {@link #ejected(boolean)} and {@link
 * #healthy(boolean)} take an endpoint out of (or back into) load balancing, and the balancers of its service rebuild
 * their pickers at once. The two flags are independent so that an ejection and a failing health check do not
 * overwrite each other. Panic mode may still send to an unavailable endpoint when too few are available.
 */
public final class EndpointState {
  /** Finagle's and Linkerd's decay time constant of the latency EWMA. */
  static final double DECAY_NANOS = 10e9;
  /** The cost of an endpoint without samples (Finagle/Linkerd: 30 ms). */
  static final double SEED_NANOS = 30e6;

  private volatile Endpoint endpoint;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Consumer<EndpointState> onAvailabilityChange;
  // The EWMA: written under the lock, read without it (a torn pair only costs one slightly stale estimate).
  private volatile double cost = SEED_NANOS;
  private volatile long stamp;
  private volatile boolean ejected;
  private volatile boolean healthy = true;
  /** When the endpoint's slow start began (it joined, or became available again). */
  private volatile long warmStartNanos;
  private volatile boolean warming;

  EndpointState(Endpoint endpoint, long nowNanos, boolean warming,
      Consumer<EndpointState> onAvailabilityChange) {
    this.endpoint = endpoint;
    this.stamp = nowNanos;
    this.warmStartNanos = nowNanos;
    this.warming = warming;
    this.onAvailabilityChange = onAvailabilityChange;
  }

  /** The endpoint, as the latest endpoint set describes it (labels and weight may change, the address does not). */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** {@code host:port}: the key of this state within its service. */
  public String address() {
    return endpoint.address();
  }

  /** The requests sent to this endpoint that have not completed. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Whether outlier detection ejected the endpoint. */
  public boolean ejected() {
    return ejected;
  }

  /** Ejects the endpoint from load balancing, or returns it (outlier detection). */
  public void ejected(boolean ejected) {
    if (this.ejected != ejected) {
      this.ejected = ejected;
      onAvailabilityChange.accept(this);
    }
  }

  /** Whether active health checking considers the endpoint healthy (true until a checker says otherwise). */
  public boolean healthy() {
    return healthy;
  }

  /** Marks the endpoint healthy or unhealthy (active health checking). */
  public void healthy(boolean healthy) {
    if (this.healthy != healthy) {
      this.healthy = healthy;
      onAvailabilityChange.accept(this);
    }
  }

  /** Not ejected and healthy: the endpoint receives traffic (unless the service is in panic mode). */
  public boolean available() {
    return healthy && !ejected;
  }

  /** The latency estimate in nanoseconds at {@code nowNanos}: the EWMA decayed toward zero since its last sample. */
  double cost(long nowNanos) {
    double c = cost;
    long elapsed = nowNanos - stamp;
    return elapsed <= 0 ? c : c * Math.exp(-elapsed / DECAY_NANOS);
  }

  /**
   * Adds a latency sample: a higher sample replaces the estimate at once (the peak), a lower one is averaged in with
   * a weight that grows with the time since the last sample.
   */
  synchronized void observe(long rttNanos, long nowNanos) {
    double c = cost;
    long elapsed = Math.max(nowNanos - stamp, 0);
    double rtt = rttNanos;
    if (rtt > c) {
      cost = rtt;
    } else {
      double w = Math.exp(-elapsed / DECAY_NANOS);
      cost = c * w + rtt * (1 - w);
    }
    stamp = nowNanos;
  }

  void started() {
    inFlight.incrementAndGet();
  }

  /**
   * An attempt ended after {@code rttNanos}. A failure never makes the endpoint look cheaper than it was: an endpoint
   * that fails fast must not attract traffic for it.
   */
  void finished(long rttNanos, long nowNanos, boolean success) {
    inFlight.decrementAndGet();
    observe(success ? rttNanos : Math.max(rttNanos, (long) cost(nowNanos)), nowNanos);
  }

  /** An attempt ended; its latency is not measured (the policy does not use it). */
  void finished() {
    inFlight.decrementAndGet();
  }

  void endpoint(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Starts a new slow-start period (a joining endpoint, or one that became available again). */
  void startWarming(long nowNanos) {
    warmStartNanos = nowNanos;
    warming = true;
  }

  /**
   * The share factor of slow start at {@code nowNanos}: from 0.1 when warming began, linearly up to 1 after {@code
   * warmupNanos}.
   */
  double warmupFactor(long nowNanos, long warmupNanos) {
    if (!warming) {
      return 1;
    }
    long age = nowNanos - warmStartNanos;
    if (age >= warmupNanos) {
      warming = false; // benign race: another thread may compute one more factor
      return 1;
    }
    return 0.1 + 0.9 * Math.max(age, 0) / warmupNanos;
  }

  boolean warming() {
    return warming;
  }

  @Override
  public String toString() {
    return address() + (ejected ? " ejected" : "") + (healthy ? "" : " unhealthy") + " inFlight=" + inFlight();
  }
}
