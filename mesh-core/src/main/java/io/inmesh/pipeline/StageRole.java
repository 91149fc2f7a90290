package io.inmesh.pipeline;

/**
 * The named positions of a pipeline. A stage's place is decided by its role, never by the order in which it was
 * registered: the role enums are the single source of truth for the order, with the reason for each position.
 */
public sealed interface StageRole permits OutboundRole, InboundRole {
  /** The pipeline this role belongs to. */
  Direction direction();

  /** The position of the role; lower runs first (closer to the caller). */
  int ordinal();

  /** The role's name. */
  String name();
}
