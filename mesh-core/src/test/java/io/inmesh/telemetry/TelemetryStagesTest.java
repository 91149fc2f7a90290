package io.inmesh.telemetry;

import static io.inmesh.telemetry.TelemetryTestSupport.answer;
import static io.inmesh.telemetry.TelemetryTestSupport.get;
import static io.inmesh.telemetry.TelemetryTestSupport.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.Mesh;
import io.inmesh.NoRouteException;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryStagesTest {
  @TempDir Path dir;
  Mesh mesh;

  @BeforeEach
  void start() throws Exception {
    mesh = TelemetryTestSupport.mesh(dir, "frontend", "telemetry: {tracing: {enabled: false}}\n");
  }

  @AfterEach
  void stop() {
    mesh.close();
  }

  @Test
  void countsOutboundRequestsWithIstioSourceLabelsOnTheAdminMetricsPage() throws Exception {
    for (int i = 0; i < 3; i++) {
      mesh.outbound(get("backend", "/api/items/" + i), (ctx, req) -> answer(200)).get();
    }
    mesh.outbound(get("backend", "/api/items/x"), (ctx, req) -> answer(503)).get();

    String metrics = http(mesh, "/metrics");
    String labels = "reporter=\"source\",source_workload=\"frontend\",source_workload_namespace=\"shop\","
        + "source_principal=\"spiffe://cluster.local/ns/shop/sa/frontend\","
        + "destination_service=\"backend.shop.svc.cluster.local\",destination_service_name=\"backend\","
        + "destination_service_namespace=\"shop\",destination_workload=\"backend\","
        + "destination_workload_namespace=\"shop\",destination_principal=\"spiffe://cluster.local/ns/shop/sa/backend\","
        + "request_protocol=\"http\",connection_security_policy=\"unknown\",security_policy=\"unknown\"";
    assertThat(metrics)
        .contains("istio_requests_total{" + labels + ",response_code=\"200\",response_flags=\"-\"} 3\n")
        .contains("istio_requests_total{" + labels + ",response_code=\"503\",response_flags=\"-\"} 1\n")
        .contains("istio_request_duration_milliseconds_bucket{" + labels
            + ",response_code=\"200\",response_flags=\"-\",le=\"0.5\"}")
        .contains("istio_request_duration_milliseconds_count{" + labels
            + ",response_code=\"200\",response_flags=\"-\"} 3\n")
        // Content-Length 42 falls in the (10, 100] bucket of the bytes histogram.
        .contains("istio_response_bytes_bucket{" + labels + ",response_code=\"200\",response_flags=\"-\",le=\"10\"} 0")
        .contains("istio_response_bytes_bucket{" + labels + ",response_code=\"200\",response_flags=\"-\",le=\"100\"} 3")
        .doesNotContain("/api/items"); // never raw paths
  }

  @Test
  void mapsFailuresToStatusAndEnvoyFlagsAndHandsCallersTheOriginalException() throws Exception {
    // No route of backend matches /other: routing throws NoRouteException -> 404 NR.
    CompletableFuture<MeshResponse> noRoute = mesh.outbound(get("backend", "/other"), (ctx, req) -> answer(200));
    assertThatThrownBy(noRoute::get).isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(NoRouteException.class);
    IOException refused = new ConnectException("Connection refused");
    CompletableFuture<MeshResponse> failed = mesh.outbound(get("backend", "/api"),
        (ctx, req) -> CompletableFuture.failedFuture(refused));
    assertThatThrownBy(failed::get).cause().isSameAs(refused);

    String metrics = http(mesh, "/metrics");
    assertThat(metrics).containsPattern("istio_requests_total\\{[^}]*destination_service_name=\"backend\""
        + "[^}]*response_code=\"404\",response_flags=\"NR\"} 1");
    assertThat(metrics).containsPattern("istio_requests_total\\{[^}]*destination_service_name=\"backend\""
        + "[^}]*response_code=\"503\",response_flags=\"UF\"} 1");
  }

  @Test
  void reportsInboundRequestsAsDestinationWithTheCallersPrincipalAndMutualTls() throws Exception {
    MeshResponse r = mesh.inbound(get("frontend", "/"), (ctx, req) -> answer(200)).get();
    assertThat(r.status()).isEqualTo(200);

    var ctxRequest = get("frontend", "/orders");
    // An adapter sets the verified peer on the context; simulate the servlet filter's part with a stage-less call.
    mesh.state().execute(mesh.state().newContext(Direction.INBOUND, (ctx, req) -> answer(201))
        .peerPrincipal("cluster.local/ns/shop/sa/checkout"), ctxRequest).get();

    String metrics = http(mesh, "/metrics");
    assertThat(metrics).containsPattern("istio_requests_total\\{reporter=\"destination\",source_workload=\"checkout\","
        + "source_workload_namespace=\"shop\",source_principal=\"spiffe://cluster.local/ns/shop/sa/checkout\","
        + "destination_service=\"frontend.shop.svc.cluster.local\"[^}]*connection_security_policy=\"mutual_tls\","
        + "security_policy=\"mutual_tls\",response_code=\"201\",response_flags=\"-\"} 1");
    assertThat(metrics).containsPattern("istio_requests_total\\{reporter=\"destination\",source_workload=\"unknown\""
        + "[^}]*security_policy=\"none\",response_code=\"200\"");
  }

  @Test
  void countsConnectionsReportedByTransportsWithTheirSecurityPolicy() throws Exception {
    MeshTelemetry telemetry = mesh.feature(MeshTelemetry.class);
    TcpConnection c = new TcpConnection(Direction.INBOUND, null, "cluster.local/ns/shop/sa/checkout", true);
    telemetry.connectionOpened(c);
    telemetry.connectionOpened(c);
    telemetry.connectionClosed(c);

    String metrics = http(mesh, "/metrics");
    assertThat(metrics).containsPattern("istio_tcp_connections_opened_total\\{reporter=\"destination\""
        + "[^}]*request_protocol=\"tcp\",connection_security_policy=\"mutual_tls\",security_policy=\"mutual_tls\"} 2");
    assertThat(metrics).containsPattern("istio_tcp_connections_closed_total\\{[^}]*security_policy=\"mutual_tls\"} 1");
  }

  @Test
  void countsRetriesEjectionsBreakersAndConfigReloads() throws Exception {
    mesh.outbound(get("backend", "/api"), (ctx, req) -> {
      ctx.attempt(3); // what the retry stage leaves behind after two retries
      ctx.attribute(TelemetryKeys.RETRY_BUDGET_EXHAUSTED, true);
      return answer(503);
    }).get();
    MeshTelemetry telemetry = mesh.feature(MeshTelemetry.class);
    telemetry.outlierEjection("backend");
    telemetry.circuitBreakerStateChanged("backend", "CLOSED", "OPEN");
    mesh.apply(java.util.List.of(new io.inmesh.config.ConfigDocument("bad.yaml", "services: [{nme: x}]\n")));

    String metrics = http(mesh, "/metrics");
    assertThat(metrics)
        .contains("inmesh_retries_total{destination_service=\"backend\",route=\"api\"} 2\n")
        .contains("inmesh_retry_budget_exhausted_total{destination_service=\"backend\",route=\"api\"} 1\n")
        .contains("inmesh_outlier_ejections_total{destination_service=\"backend\"} 1\n")
        .contains("inmesh_circuit_breakers_open{destination_service=\"backend\"} 1\n")
        .contains("inmesh_circuit_breaker_transitions_total{destination_service=\"backend\",state=\"OPEN\"} 1\n")
        .contains("inmesh_config_reloads_total{result=\"applied\"} 1\n")
        .contains("inmesh_config_reloads_total{result=\"rejected\"} 1\n")
        .contains("inmesh_config_version 1\n");
  }
}
