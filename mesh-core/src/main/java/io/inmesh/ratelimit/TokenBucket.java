package io.inmesh.ratelimit;

import io.inmesh.config.InboundConfig;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket as Envoy's local rate limit defines it: it starts full at {@code maxTokens}; every
 * {@code fillInterval} (counted from the bucket's creation) adds {@code tokensPerFill}, up to {@code maxTokens}; each
 * request takes one token; {@code maxTokens: 0} refuses everything.
 *
 * <p>Lock-free and thread-free: the token count and the number of the last fill interval it was refilled for share
 * one {@link AtomicLong} (31 bits of tokens, 33 bits of interval number), refilled lazily by the thread that takes a
 * token and updated with one compare-and-set, so that racing threads can never take more tokens than there are.
 * The interval number wraps after 2^33 intervals (13 years at the smallest interval, 50 ms).
 */
public final class TokenBucket {
  private static final int TOKEN_BITS = 31;
  private static final long TOKEN_MASK = (1L << TOKEN_BITS) - 1;
  private static final long EPOCH_MASK = (1L << (64 - TOKEN_BITS)) - 1;

  private final long maxTokens;
  private final long tokensPerFill;
  private final long intervalNanos;
  private final long origin;
  private final LongSupplier nanoTime;
  private final AtomicLong state;

  /**
   * A full bucket.
   *
   * @param nanoTime monotonic time (System::nanoTime, or a test's fake clock)
   */
  public TokenBucket(InboundConfig.TokenBucket config, LongSupplier nanoTime) {
    this.maxTokens = config.maxTokens();
    this.tokensPerFill = Math.max(1, config.tokensPerFill());
    this.intervalNanos = Math.max(1, config.fillInterval().toNanos());
    this.nanoTime = nanoTime;
    this.origin = nanoTime.getAsLong();
    this.state = new AtomicLong(maxTokens & TOKEN_MASK);
  }

  /** Takes one token: returns the tokens left after it, or -1 when the bucket is empty (nothing is taken). */
  public long tryAcquire() {
    long nowEpoch = epoch(nanoTime.getAsLong());
    while (true) {
      long s = state.get();
      long stored = s >>> TOKEN_BITS;
      long delta = (nowEpoch - stored) & EPOCH_MASK;
      long epoch = nowEpoch;
      if (delta > EPOCH_MASK >>> 1) {
        // Another thread already stored a later interval than the one this thread read the clock in.
        delta = 0;
        epoch = stored;
      }
      long available = refill(s & TOKEN_MASK, delta);
      if (available == 0) {
        return -1;
      }
      if (state.compareAndSet(s, (epoch << TOKEN_BITS) | (available - 1))) {
        return available - 1;
      }
    }
  }

  /** The tokens available now, without taking one. */
  public long available() {
    long s = state.get();
    long delta = (epoch(nanoTime.getAsLong()) - (s >>> TOKEN_BITS)) & EPOCH_MASK;
    return refill(s & TOKEN_MASK, delta > EPOCH_MASK >>> 1 ? 0 : delta);
  }

  /** Nanoseconds until the next fill adds tokens. */
  public long nanosUntilNextFill() {
    long elapsed = nanoTime.getAsLong() - origin;
    return intervalNanos - Math.floorMod(elapsed, intervalNanos);
  }

  public long maxTokens() {
    return maxTokens;
  }

  private long epoch(long now) {
    return Math.floorDiv(now - origin, intervalNanos) & EPOCH_MASK;
  }

  private long refill(long tokens, long intervals) {
    long missing = maxTokens - tokens;
    if (missing <= 0 || intervals == 0) {
      return Math.min(tokens, maxTokens);
    }
    // Compare before multiplying, so a long idle bucket cannot overflow.
    if (intervals >= (missing + tokensPerFill - 1) / tokensPerFill) {
      return maxTokens;
    }
    return tokens + intervals * tokensPerFill;
  }

  @Override
  public String toString() {
    return "TokenBucket[" + available() + "/" + maxTokens + "]";
  }
}
