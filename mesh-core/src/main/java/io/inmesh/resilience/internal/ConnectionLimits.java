package io.inmesh.resilience.internal;

import io.inmesh.config.TrafficPolicy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection-pool limits of one destination (service or subset) and its counters of requests and retries in
 * flight. The mesh does not own the HTTP client's connections, so the limits are applied to requests: {@code
 * http2MaxRequests} bounds concurrent requests; an HTTP/1.1 connection carries one request at a time, so requests
 * beyond {@code maxConnections} are the ones waiting for a connection, of which at most {@code
 * http1MaxPendingRequests} may wait. The effective bound is therefore {@code min(http2MaxRequests, maxConnections +
 * http1MaxPendingRequests)}. {@code maxRetries} bounds retries outstanding (from the decision to retry until the retry
 * completes).
 */
public final class ConnectionLimits {
  private final String destination;
  private final int maxRequests;
  private final int maxRetries;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();

  public ConnectionLimits(String destination, TrafficPolicy.ConnectionPool pool) {
    this.destination = destination;
    long connectionsAndPending = (long) pool.tcp().maxConnections() + pool.http().http1MaxPendingRequests();
    this.maxRequests = (int) Math.min(pool.http().http2MaxRequests(), Math.min(connectionsAndPending,
        Integer.MAX_VALUE));
    this.maxRetries = pool.http().maxRetries();
  }

  /** Whether the limits are the defaults (nothing to enforce): the OVERLOAD stage then skips the destination. */
  public boolean unlimited() {
    return maxRequests == Integer.MAX_VALUE && maxRetries == Integer.MAX_VALUE;
  }

  public String destination() {
    return destination;
  }

  public int maxRequests() {
    return maxRequests;
  }

  /** Takes a request slot; false when {@link #maxRequests()} are in flight. */
  public boolean tryAcquireRequest() {
    return tryAcquire(requests, maxRequests);
  }

  public void releaseRequest() {
    requests.decrementAndGet();
  }

  /** Takes a retry slot; false when {@code maxRetries} retries are outstanding. */
  public boolean tryAcquireRetry() {
    return tryAcquire(retries, maxRetries);
  }

  public void releaseRetry() {
    retries.decrementAndGet();
  }

  /** Requests in flight now. */
  public int requestsInFlight() {
    return requests.get();
  }

  private static boolean tryAcquire(AtomicInteger counter, int max) {
    while (true) {
      int n = counter.get();
      if (n >= max) {
        return false;
      }
      if (counter.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }
}
