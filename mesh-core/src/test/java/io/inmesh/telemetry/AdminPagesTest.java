package io.inmesh.telemetry;

import static io.inmesh.telemetry.TelemetryTestSupport.answer;
import static io.inmesh.telemetry.TelemetryTestSupport.get;
import static io.inmesh.telemetry.TelemetryTestSupport.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inmesh.Mesh;
import io.inmesh.config.ConfigDocument;
import io.inmesh.pipeline.Direction;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminPagesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  Mesh mesh;

  @BeforeEach
  void start() throws Exception {
    mesh = TelemetryTestSupport.mesh(dir, "frontend", """
        telemetry:
          tracing:
            enabled: false
            otlp: {endpoint: "http://127.0.0.1:4318", headers: {authorization: "Bearer s3cr3t", x-tenant: shop}}
          accessLog: {mode: ALL}
        """);
  }

  @AfterEach
  void stop() {
    mesh.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + mesh.feature(MeshTelemetry.class).adminAddress().getPort() + path;
  }

  @Test
  void answersHealthAndReadinessAndRefusesWrites() throws Exception {
    assertThat(http(mesh, "/healthz")).isEqualTo("ok\n");
    assertThat(http(mesh, "/readyz")).startsWith("config: v1 ");
    HttpResponse<String> post = TelemetryTestSupport.CLIENT.send(HttpRequest.newBuilder(URI.create(url("/metrics")))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void statsShowRatesSuccessAndPercentilesPerServiceRouteAndSubset() throws Exception {
    for (int i = 0; i < 9; i++) {
      mesh.outbound(get("backend", "/api"), (ctx, req) -> answer(200)).get();
    }
    mesh.outbound(get("backend", "/api"), (ctx, req) -> answer(500)).get();

    JsonNode rows = JSON.readTree(http(mesh, "/mesh/stats")).get("rows");
    assertThat(rows).hasSize(1);
    JsonNode row = rows.get(0);
    assertThat(row.get("direction").asText()).isEqualTo("outbound");
    assertThat(row.get("service").asText()).isEqualTo("backend");
    assertThat(row.get("route").asText()).isEqualTo("api");
    assertThat(row.get("subset").asText()).isEqualTo("v1");
    assertThat(row.get("requests").asLong()).isEqualTo(10);
    assertThat(row.get("successRate").asDouble()).isEqualTo(0.9);
    assertThat(row.get("rps").asDouble()).isPositive();
    assertThat(row.get("p50Ms").asDouble()).isPositive().isLessThanOrEqualTo(row.get("p99Ms").asDouble());
  }

  @Test
  void edgesShowWhoTalksToWhomWithIdentitiesAndMutualTls() throws Exception {
    mesh.outbound(get("backend", "/api"), (ctx, req) -> answer(200)).get();
    mesh.state().execute(mesh.state().newContext(Direction.INBOUND, (ctx, req) -> answer(200))
        .peerPrincipal("cluster.local/ns/shop/sa/checkout"), get("frontend", "/")).get();

    JsonNode edges = JSON.readTree(http(mesh, "/mesh/edges")).get("edges");
    assertThat(edges).hasSize(2);
    JsonNode in = edges.get(0);
    assertThat(in.get("direction").asText()).isEqualTo("inbound");
    assertThat(in.get("source").asText()).isEqualTo("checkout");
    assertThat(in.get("sourcePrincipal").asText()).isEqualTo("spiffe://cluster.local/ns/shop/sa/checkout");
    assertThat(in.get("destination").asText()).isEqualTo("frontend");
    assertThat(in.get("mtls").asBoolean()).isTrue();
    JsonNode out = edges.get(1);
    assertThat(out.get("destination").asText()).isEqualTo("backend");
    assertThat(out.get("mtls").isNull()).isTrue(); // unknown until a transport reports its connections
    assertThat(out.get("requests").asLong()).isEqualTo(1);
  }

  @Test
  void configShowsVersionHashLastRejectionAndRedactsSecrets() throws Exception {
    mesh.apply(List.of(new ConfigDocument("bad.yaml", "admin: {port: -1}\n")));

    JsonNode config = JSON.readTree(http(mesh, "/mesh/config"));
    assertThat(config.get("version").asLong()).isEqualTo(1);
    assertThat(config.get("hash").asText()).isEqualTo(mesh.configStatus().contentHash());
    assertThat(config.get("source").asText()).isEqualTo(mesh.configStatus().source());
    assertThat(config.get("rejectedCount").asLong()).isEqualTo(1);
    assertThat(config.get("lastRejection").get("errors").get(0).asText()).contains("admin.port");
    JsonNode otlp = config.get("config").get("telemetry").get("tracing").get("otlp");
    assertThat(otlp.get("endpoint").asText()).isEqualTo("http://127.0.0.1:4318");
    assertThat(otlp.get("headers").get("authorization").asText()).isEqualTo("<redacted>");
    assertThat(http(mesh, "/mesh/config")).doesNotContain("s3cr3t");
    assertThat(config.get("config").get("services")).hasSize(2);
  }

  @Test
  void tapStreamsMatchingRequestSummariesAsServerSentEvents() throws Exception {
    HttpResponse<java.io.InputStream> tap = TelemetryTestSupport.CLIENT.send(HttpRequest.newBuilder(
        URI.create(url("/mesh/tap?service=backend&status=5xx&limit=1"))).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(tap.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v)
        .startsWith("text/event-stream"));
    List<String> events = new ArrayList<>();
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(tap.body(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("data: ")) {
            events.add(line.substring(6));
          }
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    // Publish until the subscription (registered when the stream starts) sees the failing request.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      mesh.outbound(get("backend", "/api/ok"), (ctx, req) -> answer(200)).get();
      mesh.outbound(get("frontend", "/x"), (ctx, req) -> answer(503)).get();
      mesh.outbound(get("backend", "/api/broken"), (ctx, req) -> answer(503)).get();
      return reader.isDone();
    });
    reader.get(5, TimeUnit.SECONDS);

    assertThat(events).hasSize(1);
    JsonNode e = JSON.readTree(events.get(0));
    assertThat(e.get("path").asText()).isEqualTo("/api/broken");
    assertThat(e.get("status").asInt()).isEqualTo(503);
    assertThat(e.get("service").asText()).isEqualTo("backend");
    assertThat(e.get("route").asText()).isEqualTo("api");
    assertThat(e.get("upstream_endpoint").asText()).isEqualTo("127.0.0.1:9090");
    assertThat(e.get("attempts").asInt()).isEqualTo(1);
  }

  @Test
  void writesOneJsonAccessLogLinePerRequestWithEnvoyFlags() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      mesh.outbound(get("backend", "/nowhere"), (ctx, req) -> answer(200)).exceptionally(t -> null).get();
    } finally {
      System.setErr(original);
    }
    String line = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("inmesh.access"))
        .findFirst().orElseThrow();
    JsonNode log = JSON.readTree(line.substring(line.indexOf('{')));
    assertThat(log.get("status").asInt()).isEqualTo(404);
    assertThat(log.get("response_flags").asText()).isEqualTo("NR");
    assertThat(log.get("method").asText()).isEqualTo("GET");
    assertThat(log.get("authority").asText()).isEqualTo("backend");
    assertThat(log.get("path").asText()).isEqualTo("/nowhere");
    assertThat(log.get("start_time").asText()).endsWith("Z");
    assertThat(log.has("duration_ms") && log.has("trace_id") && log.has("peer_principal") && log.has("policy"))
        .isTrue();
  }
}
