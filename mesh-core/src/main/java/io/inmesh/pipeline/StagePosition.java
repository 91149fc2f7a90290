package io.inmesh.pipeline;

import java.util.Objects;

/**
 * Where a stage sits: at a role (the built-in stage of that role), or just before or after it (an application's own
 * stage, what EnvoyFilter gives Istio users).
 *
 * @param role the role the position is relative to
 * @param placement before, at or after the role
 */
public record StagePosition(StageRole role, Placement placement) {

  /** Relative placement. */
  public enum Placement {
    BEFORE,
    AT,
    AFTER
  }

  public StagePosition {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(placement, "placement");
  }

  /** Just before the stage of {@code role} (further from the transport or application). */
  public static StagePosition before(StageRole role) {
    return new StagePosition(role, Placement.BEFORE);
  }

  /** Just after the stage of {@code role} (closer to the transport or application). */
  public static StagePosition after(StageRole role) {
    return new StagePosition(role, Placement.AFTER);
  }

  /** The built-in position of {@code role}. */
  public static StagePosition at(StageRole role) {
    return new StagePosition(role, Placement.AT);
  }

  /** The pipeline this position belongs to. */
  public Direction direction() {
    return role.direction();
  }

  int rank() {
    return role.ordinal() * 3 + placement.ordinal();
  }
}
