package io.inmesh;

/**
 * Told about configuration changes, on the thread that applied them (never a request thread). Must return quickly.
 */
public interface ConfigListener {
  /** A new snapshot is in force. */
  default void onApplied(MeshSnapshot previous, MeshSnapshot current) {}

  /** A change was rejected; {@code current} stays in force. */
  default void onRejected(ConfigStatus.ConfigRejection rejection, MeshSnapshot current) {}
}
