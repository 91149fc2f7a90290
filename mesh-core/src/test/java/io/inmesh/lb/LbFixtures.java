package io.inmesh.lb;

import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.discovery.Endpoint;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.routing.CompiledService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** Builds services from YAML and endpoints for balancer tests. */
final class LbFixtures {
  private LbFixtures() {}

  /** A snapshot of {@code yaml} for workload {@code client} in namespace default. */
  static MeshSnapshot snapshot(String yaml) {
    var loaded = ConfigLoader.create().loadDocuments(List.of(new ConfigDocument("mesh.yaml", yaml)));
    return MeshSnapshot.compile(loaded, new WorkloadIdentity("client", "default", "client", Map.of(), null), 1,
        "test", Instant.EPOCH);
  }

  /** Service {@code api} with subset v2 (labels version: v2) and the given loadBalancer settings (YAML flow map). */
  static CompiledService service(String loadBalancer) {
    MeshSnapshot s = snapshot("""
        services:
          - name: api
            ports: [{number: 8080}]
            discovery: {type: REGISTRY, registry: test}
            subsets: [{name: v2, labels: {version: v2}}]
            trafficPolicy:
              loadBalancer: %s
        """.formatted(loadBalancer));
    return Objects.requireNonNull(s.services().resolve("api"));
  }

  static MeshContext context(MeshSnapshot snapshot) {
    return new MeshContext(Direction.OUTBOUND, snapshot, (ctx, req) ->
        CompletableFuture.completedFuture(MeshResponse.synthesized(200)), 0);
  }

  static Endpoint endpoint(int i) {
    return endpoint(i, 1, null, Map.of());
  }

  static Endpoint endpoint(int i, int weight, @Nullable String zone, Map<String, String> labels) {
    return new Endpoint("10.0.0." + i, 8080, labels, weight, zone);
  }

  static List<Endpoint> endpoints(int n) {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      list.add(endpoint(i));
    }
    return list;
  }
}
