package io.inmesh.telemetry;

import static io.inmesh.telemetry.TelemetryTestSupport.answer;
import static io.inmesh.telemetry.TelemetryTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracingTest {
  @TempDir Path dir;
  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final List<Mesh> meshes = new ArrayList<>();

  @BeforeEach
  void registerApplicationOpenTelemetry() {
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .build());
  }

  @AfterEach
  void reset() {
    meshes.forEach(Mesh::close);
    GlobalOpenTelemetry.resetForTest();
  }

  private Mesh mesh(String workload, String propagation, MeshStage... stages) throws Exception {
    Path file = Files.writeString(dir.resolve(workload + ".yaml"), TelemetryTestSupport.config(
        "telemetry: {tracing: {propagation: " + propagation + "}}\n"));
    Mesh.Builder b = Mesh.builder().workload(workload).config(file).watch(false).loadStageProviders(false);
    for (MeshStage s : stages) {
      b.addStage(s);
    }
    Mesh m = b.build();
    meshes.add(m);
    return m;
  }

  /** frontend's application, on an inbound request, calls backend through frontend's outbound pipeline. */
  private MeshResponse twoHops(Mesh frontend, Mesh backend, Map<String, String> seenHeaders) throws Exception {
    MeshService backendApp = (ctx, req) -> answer(200);
    MeshService transport = (ctx, req) -> {
      for (String name : req.headers().names()) {
        seenHeaders.put(name, req.headers().get(name));
      }
      // The "network": the backend's inbound pipeline receives what the transport would send.
      return backend.inbound(MeshRequest.builder().method(req.method()).authority("backend").path(req.path())
          .headers(req.headers()).build(), backendApp);
    };
    MeshService frontendApp = (ctx, req) -> frontend.outbound(get("backend", "/api/items"), transport);
    return frontend.inbound(get("frontend", "/"), frontendApp).get();
  }

  @Test
  void twoHopsMakeOneTraceWithServerClientAttemptServerParentage() throws Exception {
    Mesh frontend = mesh("frontend", "[W3C]");
    Mesh backend = mesh("backend", "[W3C]");
    Map<String, String> headers = new ConcurrentHashMap<>();

    assertThat(twoHops(frontend, backend, headers).status()).isEqualTo(200);

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(4);
    assertThat(spans).extracting(SpanData::getTraceId).containsOnly(spans.get(0).getTraceId());
    SpanData frontendServer = only(spans, SpanKind.SERVER, "frontend");
    SpanData client = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT
        && s.getAttributes().get(AttributeKey.stringKey("mesh.route")) != null).findFirst().orElseThrow();
    SpanData attempt = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT && s != client).findFirst()
        .orElseThrow();
    SpanData backendServer = only(spans, SpanKind.SERVER, "backend");
    assertThat(frontendServer.getParentSpanContext().isValid()).isFalse();
    assertThat(client.getParentSpanId()).isEqualTo(frontendServer.getSpanId());
    assertThat(attempt.getParentSpanId()).isEqualTo(client.getSpanId());
    assertThat(backendServer.getParentSpanId()).isEqualTo(attempt.getSpanId());
    assertThat(headers.get("traceparent")).contains(attempt.getSpanId());

    assertThat(client.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
    assertThat(client.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    assertThat(client.getAttributes().get(AttributeKey.stringKey("mesh.route"))).isEqualTo("api");
    assertThat(client.getAttributes().get(AttributeKey.stringKey("mesh.subset"))).isEqualTo("v1");
    assertThat(client.getAttributes().get(AttributeKey.stringKey("mesh.endpoint"))).isEqualTo("127.0.0.1:9090");
    assertThat(attempt.getAttributes().get(AttributeKey.longKey("mesh.attempt"))).isEqualTo(1L);
    assertThat(backendServer.getAttributes().get(AttributeKey.stringKey("url.path"))).isEqualTo("/api/items");
  }

  @Test
  void anUnsampledCallersTraceGoesOnWithoutNewSpansUnderTheMeshsOwnParentBasedSdk() throws Exception {
    GlobalOpenTelemetry.resetForTest(); // no application OpenTelemetry: the mesh builds its own SDK
    Mesh frontend = mesh("frontend", "[W3C]");
    Map<String, String> sent = new ConcurrentHashMap<>();
    MeshService transport = (ctx, req) -> {
      sent.put("traceparent", req.headers().get("traceparent"));
      return answer(200);
    };
    MeshService app = (ctx, req) -> frontend.outbound(get("backend", "/api/items"), transport);
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    for (String flags : List.of("00", "01")) {
      String incoming = "00-" + traceId + "-00f067aa0ba902b7-" + flags;
      frontend.inbound(MeshRequest.builder().method("GET").authority("frontend").path("/")
          .headers(MeshHeaders.of(Map.of("traceparent", incoming))).build(), app).get();

      String outgoing = sent.get("traceparent");
      assertThat(outgoing).startsWith("00-" + traceId + "-").endsWith("-" + flags);
      if (flags.equals("00")) {
        // Not sampled upstream, so nothing is recorded here: the caller's context goes on as it came.
        assertThat(outgoing).isEqualTo(incoming);
      } else {
        // Sampled: the mesh's own server, client and attempt spans sit between, the attempt is the new parent.
        assertThat(outgoing).isNotEqualTo(incoming);
      }
    }
  }

  @Test
  void anOpenTelemetryGivenToTheMeshRecordsItsSpansRatherThanTheGlobalOne() throws Exception {
    InMemorySpanExporter given = InMemorySpanExporter.create();
    OpenTelemetrySdk application = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(given)).build())
        .build();
    Path file = Files.writeString(dir.resolve("given.yaml"), TelemetryTestSupport.config(
        "telemetry: {tracing: {propagation: [W3C]}}\n"));
    try (Mesh mesh = Mesh.builder().workload("frontend").config(file).watch(false).loadStageProviders(false)
        .openTelemetry(application).build()) {
      mesh.outbound(get("backend", "/api/items"), (ctx, req) -> answer(200)).get();

      // The client and attempt spans went to the given SDK; the global one (set in @BeforeEach) saw nothing.
      assertThat(given.getFinishedSpanItems()).extracting(SpanData::getKind)
          .containsExactlyInAnyOrder(SpanKind.CLIENT, SpanKind.CLIENT);
      assertThat(exporter.getFinishedSpanItems()).isEmpty();
    } finally {
      application.close(); // (its exporter forgets its spans on shutdown: asserted above)
    }
  }

  private static SpanData only(List<SpanData> spans, SpanKind kind, String host) {
    return spans.stream().filter(s -> s.getKind() == kind
        && host.equals(s.getAttributes().get(AttributeKey.stringKey("server.address")))).findFirst().orElseThrow();
  }

  @Test
  void retriesShowAsSiblingAttemptSpansUnderOneClientSpan() throws Exception {
    // Stands in for the RETRY stage: calls the rest of the pipeline twice, as a retry after a 503 would.
    MeshStage retryTwice = MeshStage.of("test-retry", StagePosition.before(OutboundRole.RETRY),
        (ctx, request, next) -> next.execute(ctx, request).thenCompose(first -> {
          ctx.attempt(2);
          return next.execute(ctx, request);
        }));
    Mesh frontend = mesh("frontend", "[W3C]", retryTwice);
    List<String> traceparents = new ArrayList<>();
    frontend.outbound(get("backend", "/api"), (ctx, req) -> {
      traceparents.add(req.headers().get("traceparent"));
      return answer(ctx.attempt() == 1 ? 503 : 200);
    }).get();

    List<SpanData> spans = exporter.getFinishedSpanItems();
    SpanData client = spans.stream().filter(s -> s.getAttributes().get(AttributeKey.stringKey("mesh.route")) != null)
        .findFirst().orElseThrow();
    List<SpanData> attempts = spans.stream().filter(s -> s.getParentSpanId().equals(client.getSpanId())).toList();
    assertThat(attempts).hasSize(2);
    assertThat(attempts).extracting(s -> s.getAttributes().get(AttributeKey.longKey("mesh.attempt")))
        .containsExactly(1L, 2L);
    assertThat(attempts).extracting(s -> s.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .containsExactly(503L, 200L);
    assertThat(attempts.get(1).getAttributes().get(AttributeKey.longKey("http.request.resend_count"))).isEqualTo(1L);
    // Each try carries its own span id, never the previous attempt's.
    assertThat(traceparents).hasSize(2).doesNotHaveDuplicates();
    assertThat(client.getAttributes().get(AttributeKey.longKey("mesh.attempt"))).isEqualTo(2L);
  }

  @Test
  void propagatesWithB3MultiHeadersAcrossHopsWhenConfigured() throws Exception {
    Mesh frontend = mesh("frontend", "[B3_MULTI]");
    Mesh backend = mesh("backend", "[B3_MULTI]");
    Map<String, String> headers = new ConcurrentHashMap<>();

    twoHops(frontend, backend, headers);

    assertThat(headers).containsKeys("x-b3-traceid", "x-b3-spanid", "x-b3-sampled").doesNotContainKey("traceparent");
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(4).extracting(SpanData::getTraceId).containsOnly(headers.get("x-b3-traceid"));
  }

  @Test
  void continuesTheTraceOfAnIncomingB3SingleHeader() throws Exception {
    Mesh backend = mesh("backend", "[W3C, B3]");
    String traceId = "463ac35c9f6413ad48485a3953bb6124";
    backend.inbound(MeshRequest.builder().authority("backend").path("/")
        .headers(io.inmesh.pipeline.MeshHeaders.of(Map.of("b3", traceId + "-0020000000000001-1"))).build(),
        (ctx, req) -> CompletableFuture.completedFuture(MeshResponse.synthesized(204))).get();

    SpanData server = exporter.getFinishedSpanItems().get(0);
    assertThat(server.getTraceId()).isEqualTo(traceId);
    assertThat(server.getParentSpanId()).isEqualTo("0020000000000001");
  }
}
