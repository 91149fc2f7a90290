package io.inmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.config.ConfigDocument;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.telemetry.MeshTelemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminCommandsTest {
  static final String CONFIG = """
      mesh: {defaultNamespace: shop}
      services:
        - name: frontend
          endpoints: [{address: 127.0.0.1, port: 8080}]
        - name: backend
          endpoints: [{address: 127.0.0.1, port: 9090}]
          routes:
            - name: api
              route: [{destination: {host: backend}}]
        - name: empty
      admin: {port: 0}
      telemetry: {tracing: {enabled: false}}
      """;
  @TempDir Path dir;
  Path file;
  Mesh mesh;
  String admin;

  @BeforeEach
  void start() throws Exception {
    file = Files.writeString(dir.resolve("mesh.yaml"), CONFIG);
    mesh = Mesh.builder().workload("frontend").config(file).watch(false).loadStageProviders(false).build();
    admin = "http://127.0.0.1:" + mesh.feature(MeshTelemetry.class).adminAddress().getPort();
    for (int i = 0; i < 4; i++) {
      call("backend", i == 0 ? 503 : 200);
    }
  }

  @AfterEach
  void stop() {
    mesh.close();
  }

  private void call(String host, int status) throws Exception {
    mesh.outbound(MeshRequest.builder().authority(host).path("/api").build(), (ctx, req) ->
        CompletableFuture.completedFuture(new MeshResponse(status, MeshHeaders.empty(), "r")))
        .exceptionally(t -> null).get();
  }

  @Test
  void statPrintsOneRowPerServiceRouteAndSubset() {
    CliRun run = CliRun.mesh("stat", "--admin", admin);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.outLines().get(0)).startsWith("DIRECTION  SERVICE  ROUTE  SUBSET  SUCCESS");
    assertThat(run.outLines().get(1)).startsWith("outbound   backend  api    -       75.00%");
  }

  @Test
  void statAndEdgesPrintTheAdminJsonWithJson() {
    assertThat(CliRun.mesh("stat", "--admin", admin, "--json").out()).startsWith("{\"windowSeconds\":30,");
    CliRun edges = CliRun.mesh("edges", "--admin", admin, "--json");
    assertThat(edges.out()).contains("\"destination\":\"backend\"").contains("\"requests\":4");
  }

  @Test
  void edgesPrintsCallerCalleeIdentitiesAndSecurity() {
    CliRun run = CliRun.mesh("edges", "--admin", admin);
    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines().get(1)).contains("outbound", "frontend", "backend",
        "spiffe://cluster.local/ns/shop/sa/backend", "?", "4");
  }

  @Test
  void configShowPrintsVersionHashAndTheLastRejection() {
    mesh.apply(List.of(new ConfigDocument("bad.yaml", "services: [{name: x, bogus: 1}]\n")));
    CliRun run = CliRun.mesh("config", "show", "--admin", admin);
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("version             1").contains(mesh.configStatus().contentHash())
        .contains("applied / rejected  1 / 1").contains("bad.yaml:1:").contains("bogus");
    assertThat(CliRun.mesh("config", "show", "--admin", admin, "--json").out()).contains("\"services\" : [");
  }

  @Test
  void tapPrintsRequestSummariesUntilTheLimit() throws Exception {
    CompletableFuture<CliRun> tap = CompletableFuture.supplyAsync(() -> CliRun.mesh("tap", "--admin", admin,
        "--service", "backend", "--status", "5xx", "-n", "1", "--seconds", "20"));
    // Publish until the tap (subscribed once its stream starts) has seen its one failing request.
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!tap.isDone() && System.nanoTime() < deadline) {
      call("backend", 200);
      call("backend", 502);
    }
    CliRun run = tap.get();
    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines()).hasSize(1);
    assertThat(run.outLines().get(0)).contains("outbound GET backend/api -> 502 - ").contains("attempts=1")
        .contains("endpoint=127.0.0.1:9090");
  }

  @Test
  void checkPassesWhenTheGivenConfigIsAppliedAndTheCertificateIsValid() {
    CliRun run = CliRun.mesh("check", "--admin", admin, "--config", file.toString());
    assertThat(run.outLines()).contains("[ok]   config loads: 3 services, 1 route, 0 policies")
        .anyMatch(l -> l.startsWith("[ok]   admin reachable"))
        .anyMatch(l -> l.startsWith("[ok]   config applied: v1 "))
        .anyMatch(l -> l.startsWith("[ok]   identity certificate: spiffe://cluster.local/ns/shop/sa/frontend valid until "))
        .anyMatch(l -> l.startsWith("[ok]   healthy endpoints"));
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void checkFailsWithAHintWhenServicesHaveNoHealthyEndpointOrAnotherConfigIsApplied() throws Exception {
    call("empty", 200); // no endpoints: 503 UH
    Path other = Files.writeString(dir.resolve("other.yaml"), CONFIG.replace("port: 9090", "port: 9091"));
    CliRun run = CliRun.mesh("check", "--admin", admin, "--config", other.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("[FAIL] config applied: the workload runs v1")
        .contains("[FAIL] healthy endpoints: requests to [empty] found no healthy endpoint (UH)")
        .contains("hint: ").contains("2 check(s) failed");
  }

  @Test
  void checkFailsWhenTheAdminIsUnreachable() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun run = CliRun.mesh("check", "--admin", "http://127.0.0.1:" + port);
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("[FAIL] admin reachable: cannot reach the mesh admin")
        .contains("[skip] config applied: admin not reachable");
    CliRun stat = CliRun.mesh("stat", "--admin", "http://127.0.0.1:" + port);
    assertThat(stat.exitCode()).isEqualTo(1);
    assertThat(stat.err()).startsWith("mesh stat: cannot reach the mesh admin");
  }
}
