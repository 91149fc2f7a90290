package io.inmesh.pipeline;

import io.inmesh.MeshSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One direction's filters composed in front of its terminal service, built once per config snapshot. A request calls
 * {@link #service()}; nothing is allocated for the chain per request.
 */
public final class Pipeline {
  private final Direction direction;
  private final MeshService service;
  private final List<String> stageNames;

  private Pipeline(Direction direction, MeshService service, List<String> stageNames) {
    this.direction = direction;
    this.service = service;
    this.stageNames = List.copyOf(stageNames);
  }

  /**
   * Composes the stages of {@code direction} for {@code snapshot}: ordered by role (BEFORE, AT, AFTER), then by
   * registration order among stages at the same position.
   *
   * @throws IllegalArgumentException when two stages share a name, a stage is of the other direction, or two
   *     stages claim the same built-in role
   */
  public static Pipeline compose(
      Direction direction, List<MeshStage> stages, MeshSnapshot snapshot, MeshService terminal) {
    Objects.requireNonNull(terminal, "terminal");
    List<MeshStage> ordered = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    java.util.Set<StageRole> builtIns = new java.util.HashSet<>();
    for (MeshStage stage : stages) {
      if (stage.position().direction() != direction) {
        continue;
      }
      if (!names.add(stage.name())) {
        throw new IllegalArgumentException("two stages are named '" + stage.name() + "'");
      }
      if (stage.position().placement() == StagePosition.Placement.AT && !builtIns.add(stage.position().role())) {
        throw new IllegalArgumentException("two stages claim role " + stage.position().role()
            + "; add yours BEFORE or AFTER it");
      }
      ordered.add(stage);
    }
    ordered.sort(Comparator.comparingInt(s -> s.position().rank())); // stable: keeps registration order
    List<MeshFilter> filters = new ArrayList<>();
    List<String> present = new ArrayList<>();
    for (MeshStage stage : ordered) {
      MeshFilter filter = stage.factory().create(snapshot);
      if (filter != null) {
        filters.add(filter);
        present.add(stage.name());
      }
    }
    MeshService service = terminal;
    for (int i = filters.size() - 1; i >= 0; i--) {
      service = filters.get(i).andThen(service);
    }
    return new Pipeline(direction, service, present);
  }

  /** The composed service; call it once per request. */
  public MeshService service() {
    return service;
  }

  /** The names of the stages present, outermost first. */
  public List<String> stageNames() {
    return stageNames;
  }

  public Direction direction() {
    return direction;
  }

  @Override
  public String toString() {
    return direction + " " + stageNames;
  }
}
