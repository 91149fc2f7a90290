package io.inmesh.resilience;

import io.inmesh.Mesh;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/** Builds meshes from YAML and in-process upstreams for the resilience tests. */
final class ResilienceFixtures {
  private ResilienceFixtures() {}

  /** A config with service {@code api} (three static endpoints) and the route fields given, in plaintext. */
  static String apiService(String routeYaml) {
    return apiService("", routeYaml);
  }

  /** As {@link #apiService(String)} with a service-level {@code trafficPolicy} (YAML, indented 4). */
  static String apiService(String trafficPolicyYaml, String routeYaml) {
    return """
        mesh: {defaults: {mtlsMode: DISABLE}}
        admin: {enabled: false}
        services:
          - name: api
            ports: [{number: 80}]
            endpoints: [{address: 10.0.0.1}, {address: 10.0.0.2}, {address: 10.0.0.3}]
            trafficPolicy:
              loadBalancer: {simple: ROUND_ROBIN}
        %s
            routes:
              - name: main
        %s
        """.formatted(indent(trafficPolicyYaml, 6), indent(routeYaml, 8));
  }

  private static String indent(String yaml, int spaces) {
    if (yaml.isBlank()) {
      return "";
    }
    String pad = " ".repeat(spaces);
    return yaml.stripIndent().lines().map(l -> pad + l).reduce((a, b) -> a + "\n" + b).orElse("");
  }

  static Mesh mesh(Path dir, String workload, String yaml) throws IOException {
    return builder(dir, workload, yaml).build();
  }

  static Mesh.Builder builder(Path dir, String workload, String yaml) throws IOException {
    Path file = Files.writeString(dir.resolve(workload + "-mesh.yaml"), yaml);
    return Mesh.builder().workload(workload).config(file).watch(false).loadStageProviders(false)
        .random(new SplittableRandom(42));
  }

  static Mesh mesh(Path dir, String workload, String yaml, LongSupplier nanoTime) throws IOException {
    return builder(dir, workload, yaml).nanoTime(nanoTime).build();
  }

  static MeshRequest get(String host) {
    return request("GET", host, Map.of());
  }

  static MeshRequest request(String method, String host, Map<String, String> headers) {
    return MeshRequest.builder().method(method).authority(host).path("/items").headers(MeshHeaders.of(headers))
        .build();
  }

  /** A response as an upstream sent it (not synthesised by the mesh). */
  static MeshResponse upstream(int status) {
    return upstream(status, Map.of());
  }

  static MeshResponse upstream(int status, Map<String, String> headers) {
    return new MeshResponse(status, MeshHeaders.of(headers), "upstream response");
  }

  /** One try a transport saw. */
  record Try(int attempt, String endpoint, MeshRequest request, String thread) {
    String header(String name) {
      return request.headers().get(name);
    }
  }

  /** A transport that records each try and answers with {@code answer}. */
  static final class Recording implements MeshService {
    final List<Try> tries = new CopyOnWriteArrayList<>();
    private final MeshService answer;

    Recording(MeshService answer) {
      this.answer = answer;
    }

    @Override
    public CompletableFuture<MeshResponse> execute(MeshContext ctx, MeshRequest request) {
      tries.add(new Try(ctx.attempt(), Objects.requireNonNull(ctx.endpoint()).host(), request,
          Thread.currentThread().getName()));
      return answer.execute(ctx, request);
    }

    int count() {
      return tries.size();
    }

    List<String> endpoints() {
      return tries.stream().map(Try::endpoint).toList();
    }
  }

  /** Answers the first {@code failures} tries with {@code failure}, then 200. */
  static MeshService failing(int failures, MeshService failure) {
    return (ctx, request) -> ctx.attempt() <= failures ? failure.execute(ctx, request)
        : CompletableFuture.completedFuture(upstream(200));
  }

  static MeshService status(int status) {
    return (ctx, request) -> CompletableFuture.completedFuture(upstream(status));
  }

  static MeshService error(IOException e) {
    return (ctx, request) -> CompletableFuture.failedFuture(e);
  }
}
