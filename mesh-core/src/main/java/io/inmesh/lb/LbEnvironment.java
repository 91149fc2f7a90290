package io.inmesh.lb;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Time and randomness of the balancers, injected so tests control them.
 *
 * @param random a random source, or null for {@link ThreadLocalRandom} (no contention between threads)
 * @param nanoTime monotonic time
 * @param zone the caller's locality zone, or null
 * @param selfIdentity the caller's principal, the hash key of {@code useSourceIdentity} when no peer identity is known
 */
record LbEnvironment(@Nullable RandomGenerator random, LongSupplier nanoTime, @Nullable String zone,
    String selfIdentity) {

  RandomGenerator rng() {
    RandomGenerator r = random;
    return r != null ? r : ThreadLocalRandom.current();
  }

  long now() {
    return nanoTime.getAsLong();
  }
}
