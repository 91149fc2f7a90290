package io.inmesh.telemetry;

import io.inmesh.Mesh;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Shared set-up: a mesh file with two services and the admin on a free port. */
final class TelemetryTestSupport {
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  private TelemetryTestSupport() {}

  static String config(String telemetry) {
    return """
        mesh: {defaultNamespace: shop}
        services:
          - name: frontend
            endpoints: [{address: 127.0.0.1, port: 8080}]
          - name: backend
            endpoints: [{address: 127.0.0.1, port: 9090, labels: {version: v1}}]
            subsets: [{name: v1, labels: {version: v1}}]
            routes:
              - name: api
                match: [{uri: {prefix: /api}}]
                route: [{destination: {host: backend, subset: v1}}]
                retries: {attempts: 0} # these tests count single sends; TracingTest plays the retry stage itself
        admin: {port: 0}
        """ + telemetry;
  }

  static Mesh mesh(Path dir, String workload, String telemetry) throws Exception {
    Path file = Files.writeString(dir.resolve(workload + ".yaml"), config(telemetry));
    return Mesh.builder().workload(workload).config(file).watch(false).loadStageProviders(false).build();
  }

  static MeshRequest get(String authority, String target) {
    return MeshRequest.builder().method("GET").authority(authority).target(target).build();
  }

  static CompletableFuture<MeshResponse> answer(int status) {
    return CompletableFuture.completedFuture(
        new MeshResponse(status, MeshHeaders.of(Map.of("content-length", "42")), "transport response"));
  }

  static String http(Mesh mesh, String path) throws Exception {
    return http(mesh, path, 200);
  }

  static String http(Mesh mesh, String path, int expectedStatus) throws Exception {
    var address = mesh.feature(MeshTelemetry.class).adminAddress();
    {
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + address.getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != expectedStatus) {
        throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    }
  }
}
