package io.inmesh;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link MeshFeature} may use of its mesh: the workload, the first snapshot, time, randomness and the mesh's
 * scheduler. Injected so that tests control time and randomness without sleeping.
 *
 * @param workload this application's workload identity
 * @param initialSnapshot the snapshot in force when the feature is created
 * @param clock wall-clock time
 * @param nanoTime monotonic time in nanoseconds (System::nanoTime unless a test replaces it)
 * @param random a random source for the feature's own draws, or null for ThreadLocalRandom
 * @param scheduler the mesh's scheduler for timers (DNS refresh, ejection expiry, rotation, backoff); owned by the
 *     mesh, never shut down by a feature
 */
public record MeshEnvironment(
    WorkloadIdentity workload,
    MeshSnapshot initialSnapshot,
    Clock clock,
    java.util.function.LongSupplier nanoTime,
    @Nullable RandomGenerator random,
    ScheduledExecutorService scheduler) {}
