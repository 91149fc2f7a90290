package io.inmesh.routing;

import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.LoadedConfig;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Compiles YAML through the real loader and {@link MeshSnapshot#compile}, as a running mesh does. */
final class RoutingFixtures {
  /** The workload most tests compile for: {@code frontend} in namespace {@code demo}. */
  static final WorkloadIdentity FRONTEND =
      new WorkloadIdentity("frontend", "demo", "frontend", Map.of("app", "frontend", "version", "v1"), null);

  private RoutingFixtures() {}

  static LoadedConfig load(String yaml) {
    return ConfigLoader.create().loadDocuments(List.of(new ConfigDocument("test.yaml", yaml)));
  }

  static MeshSnapshot snapshot(String yaml, WorkloadIdentity workload) {
    return MeshSnapshot.compile(load(yaml), workload, 1, "test.yaml", Instant.EPOCH);
  }

  static ServiceDirectory compile(String yaml) {
    return compile(yaml, FRONTEND);
  }

  static ServiceDirectory compile(String yaml, WorkloadIdentity workload) {
    return snapshot(yaml, workload).services();
  }

  /** The service {@code host} names; fails when it does not resolve. */
  static CompiledService service(ServiceDirectory directory, String host) {
    CompiledService s = directory.resolve(host);
    if (s == null) {
      throw new AssertionError("host '" + host + "' does not resolve");
    }
    return s;
  }

  static WorkloadIdentity workload(String name, String namespace, Map<String, String> labels) {
    return new WorkloadIdentity(name, namespace, name, labels, null);
  }

  /** A GET of {@code target} (path and query) on {@code api}. */
  static MeshRequest get(String target) {
    return request("GET", target, MeshHeaders.empty());
  }

  static MeshRequest request(String method, String target, MeshHeaders headers) {
    return MeshRequest.builder().method(method).authority("api").target(target).headers(headers).build();
  }

  /** Headers from name, value pairs; a name may repeat. */
  static MeshHeaders headers(String... nameValues) {
    MeshHeaders.Builder b = MeshHeaders.builder();
    for (int i = 0; i < nameValues.length; i += 2) {
      b.add(nameValues[i], nameValues[i + 1]);
    }
    return b.build();
  }
}
