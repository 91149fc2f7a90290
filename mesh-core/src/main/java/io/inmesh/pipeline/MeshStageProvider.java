package io.inmesh.pipeline;

import java.util.List;

/**
 * A {@link java.util.ServiceLoader} provider of stages: a jar that lists its implementation in
 * {@code META-INF/services/io.inmesh.pipeline.MeshStageProvider} adds its stages to every {@code Mesh} built without
 * {@code Mesh.Builder.loadStageProviders(false)}.
 */
public interface MeshStageProvider {
  /** The stages to add; each at a BEFORE or AFTER position. */
  List<MeshStage> stages();
}
