package io.inmesh;

import io.inmesh.pipeline.MeshStage;
import java.util.List;

/**
 * A feature of the mesh that keeps state across snapshots: endpoint sets and balancer statistics, identity and
 * certificates, circuit breakers, rate-limit buckets, telemetry. The {@link Mesh} creates its features once, tells
 * them about every new snapshot before composing the pipelines for it, and closes them when it closes.
 *
 * <p>State that must survive a reload lives in the feature, keyed by name; the stages it contributes read it through
 * the snapshot-specific filters their factories build.
 */
public interface MeshFeature extends AutoCloseable {

  /** The stages this feature contributes (at built-in roles, or before/after them). */
  default List<MeshStage> stages() {
    return List.of();
  }

  /**
   * A snapshot is about to come into force (the first one included). Runs on the thread applying the config, before
   * the pipelines are composed for it; a runtime exception rejects the snapshot and the previous one stays.
   */
  default void onSnapshot(MeshSnapshot snapshot) {}

  /** Releases threads, sockets and watchers. */
  @Override
  default void close() {}

  /** Creates a feature for one mesh. */
  @FunctionalInterface
  interface Factory {
    MeshFeature create(MeshEnvironment environment);
  }
}
