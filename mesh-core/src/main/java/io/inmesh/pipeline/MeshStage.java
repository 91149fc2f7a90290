package io.inmesh.pipeline;

import io.inmesh.MeshSnapshot;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A named stage and how to build its filter for a config snapshot. The factory runs once per snapshot, off the
 * request path; returning null leaves the stage out of that snapshot's pipeline (a feature the config turns off
 * costs nothing per request).
 *
 * @param name a unique name, shown in diagnostics
 * @param position where the stage sits
 * @param factory builds the filter for a snapshot
 */
public record MeshStage(String name, StagePosition position, Factory factory) {

  /** Builds a stage's filter for one snapshot. */
  @FunctionalInterface
  public interface Factory {
    /** The filter for {@code snapshot}, or null when the stage has nothing to do under it. */
    @Nullable MeshFilter create(MeshSnapshot snapshot);
  }

  public MeshStage {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(position, "position");
    Objects.requireNonNull(factory, "factory");
  }

  /** A stage whose filter is the same under every snapshot. */
  public static MeshStage of(String name, StagePosition position, MeshFilter filter) {
    Objects.requireNonNull(filter, "filter");
    return new MeshStage(name, position, snapshot -> filter);
  }
}
