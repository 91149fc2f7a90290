package io.inmesh.samples.demo;

import io.inmesh.Mesh;
import io.inmesh.telemetry.MeshTelemetry;
import org.jspecify.annotations.Nullable;

/**
 * One running workload instance of the demo: its mesh and, for a server, what serves its port.
 *
 * @param name the instance ({@code api-service-v1-a})
 * @param service the workload / service it belongs to ({@code api-service})
 * @param mesh its mesh
 * @param server what listens on its port (null for a pure client)
 */
record Instance(String name, String service, Mesh mesh, @Nullable AutoCloseable server) {

  /** The mesh's Prometheus exposition, or "" when it has no telemetry. */
  String scrape() {
    MeshTelemetry t = mesh.feature(MeshTelemetry.class);
    return t == null ? "" : t.scrape();
  }
}
