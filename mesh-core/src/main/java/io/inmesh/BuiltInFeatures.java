package io.inmesh;

import java.util.List;

/**
 * The features every mesh has, in creation order (closed in reverse). Each feature package adds its factory here;
 * their stages' order comes from their roles, not from this list.
 */
final class BuiltInFeatures {
  static final List<MeshFeature.Factory> FACTORIES = List.of();

  private BuiltInFeatures() {}
}
