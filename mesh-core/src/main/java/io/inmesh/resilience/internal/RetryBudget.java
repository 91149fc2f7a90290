package io.inmesh.resilience.internal;

import io.inmesh.config.MeshConfig;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Finagle's and Linkerd's retry budget (tower's {@code TpsBudget}): every original request deposits one unit, a retry
 * withdraws {@code 1 / retryRatio} units, deposits and withdrawals expire after {@code ttl}, and a reserve of {@code
 * minRetriesPerSecond * ttl} retries is always there. Over any ttl, retries therefore stay below {@code retryRatio *
 * requests + minRetriesPerSecond * ttl}.
 *
 * <p>The ttl is cut into {@value #SLOTS} slots, counted from the budget's creation. The current slot's net amount is
 * one atomic counter (deposits and withdrawals take no lock); the sum of the older slots is recomputed under a lock
 * when time moves into a new slot, at most once per slot.
 */
public final class RetryBudget {
  static final int SLOTS = 10;
  /** One deposit, in the fixed-point units of the counters. */
  private static final long DEPOSIT = 1000;

  private final LongSupplier nanoTime;
  private final long origin;
  private final long slotNanos;
  private final long withdrawal;
  private final long reserve;
  private final AtomicLong current = new AtomicLong();
  private final long[] slots = new long[SLOTS];
  private volatile long committed; // the sum of slots
  private volatile long generation; // the slot number `current` belongs to

  public RetryBudget(MeshConfig.RetryBudget config, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.origin = nanoTime.getAsLong();
    this.slotNanos = Math.max(1, config.ttl().toNanos() / SLOTS);
    this.withdrawal = Math.max(1, Math.round(DEPOSIT / config.retryRatio()));
    long minRetries = (long) config.minRetriesPerSecond() * config.ttl().toSeconds();
    this.reserve = minRetries * withdrawal;
  }

  /** An original request: deposits one unit. */
  public void deposit() {
    advance();
    current.addAndGet(DEPOSIT);
  }

  /** A retry: withdraws its cost if the balance allows it; false (and nothing withdrawn) otherwise. */
  public boolean tryWithdraw() {
    advance();
    while (true) {
      long c = current.get();
      if (reserve + committed + c < withdrawal) {
        return false;
      }
      if (current.compareAndSet(c, c - withdrawal)) {
        return true;
      }
    }
  }

  /** The retries the balance allows now (for stats and tests). */
  public long available() {
    advance();
    return Math.max(0, (reserve + committed + current.get()) / withdrawal);
  }

  private void advance() {
    long gen = Math.floorDiv(nanoTime.getAsLong() - origin, slotNanos);
    if (gen > generation) {
      rotate(gen);
    }
  }

  private synchronized void rotate(long gen) {
    long from = generation;
    if (gen <= from) {
      return; // another thread rotated
    }
    // The current slot's amount joins the history; the slots time has moved past expire.
    slots[(int) (from % SLOTS)] += current.getAndSet(0);
    for (long g = from + 1; g <= gen && g <= from + SLOTS; g++) {
      slots[(int) (g % SLOTS)] = 0;
    }
    long sum = 0;
    for (long s : slots) {
      sum += s;
    }
    committed = sum;
    generation = gen;
  }
}
