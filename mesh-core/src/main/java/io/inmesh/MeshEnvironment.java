package io.inmesh;

import io.opentelemetry.api.OpenTelemetry;
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
 * @param features the mesh's other features: those created before this one while it is being created (so a feature
 *     can use one listed before it in the built-in order), all of them afterwards
 * @param configStatus the mesh's configuration status now (version, counters, last rejection, last-good copy)
 * @param openTelemetry the application's OpenTelemetry the mesh records its spans with, or null (then
 *     GlobalOpenTelemetry when set, else the mesh's own SDK when present)
 */
public record MeshEnvironment(
    WorkloadIdentity workload,
    MeshSnapshot initialSnapshot,
    Clock clock,
    java.util.function.LongSupplier nanoTime,
    @Nullable RandomGenerator random,
    ScheduledExecutorService scheduler,
    Features features,
    java.util.function.Supplier<@Nullable ConfigStatus> configStatus,
    @Nullable OpenTelemetry openTelemetry) {

  /** An environment without an OpenTelemetry instance of the application's. */
  public MeshEnvironment(WorkloadIdentity workload, MeshSnapshot initialSnapshot, Clock clock,
      java.util.function.LongSupplier nanoTime, @Nullable RandomGenerator random, ScheduledExecutorService scheduler,
      Features features, java.util.function.Supplier<@Nullable ConfigStatus> configStatus) {
    this(workload, initialSnapshot, clock, nanoTime, random, scheduler, features, configStatus, null);
  }

  /** An environment whose mesh has no other features (tests, standalone use). */
  public MeshEnvironment(WorkloadIdentity workload, MeshSnapshot initialSnapshot, Clock clock,
      java.util.function.LongSupplier nanoTime, @Nullable RandomGenerator random,
      ScheduledExecutorService scheduler) {
    this(workload, initialSnapshot, clock, nanoTime, random, scheduler, Features.NONE, () -> null, null);
  }

  /** The mesh's feature of type {@code type}, or null (not present, or created after the caller). */
  public <T> @Nullable T feature(Class<T> type) {
    return features.get(type);
  }

  /** Looks up the features of one mesh. */
  public interface Features {
    /** No features. */
    Features NONE = new Features() {
      @Override
      public <T> @Nullable T get(Class<T> type) {
        return null;
      }
    };

    /** The feature of type {@code type}, or null. */
    <T> @Nullable T get(Class<T> type);
  }
}
