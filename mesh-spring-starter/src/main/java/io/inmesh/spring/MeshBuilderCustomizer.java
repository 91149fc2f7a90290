package io.inmesh.spring;

import io.inmesh.Mesh;

/**
 * Adjusts the {@link Mesh.Builder} before the auto-configured mesh is built: the application's own stages and
 * features, a seeded random source in tests... Beans of this type are applied in their {@code @Order}.
 */
@FunctionalInterface
public interface MeshBuilderCustomizer {
  void customize(Mesh.Builder builder);
}
