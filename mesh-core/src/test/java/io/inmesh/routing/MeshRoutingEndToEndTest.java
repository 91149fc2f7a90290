package io.inmesh.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inmesh.Mesh;
import io.inmesh.NoRouteException;
import io.inmesh.UnknownServiceException;
import io.inmesh.config.ConfigDocument;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing through a real {@link Mesh} built from a YAML file, with a fake transport that records the decisions. */
class MeshRoutingEndToEndTest {

  private static final String CONFIG = """
      mesh:
        defaultNamespace: demo
        outboundTrafficPolicy: REGISTRY_ONLY
      services:
        - name: frontend
          endpoints: [{address: 127.0.0.1, port: 8080}]
        - name: api-service
          endpoints:
            - {address: 127.0.0.1, port: 8443, labels: {version: v1}}
            - {address: 127.0.0.1, port: 8445, labels: {version: v2}}
          subsets:
            - {name: v1, labels: {version: v1}}
            - {name: v2, labels: {version: v2}}
          routes:
            - name: canary
              match: [{headers: {x-canary: {exact: "true"}}}]
              route: [{destination: {host: api-service, subset: v2}}]
            - name: default
              route:
                - {destination: {host: api-service, subset: v1}, weight: 90}
                - {destination: {host: api-service, subset: v2}, weight: 10}
        - name: payments
          endpoints: [{address: 127.0.0.1, port: 8543}]
          routes:
            - name: charge
              match: [{uri: {prefix: /charge}, method: {exact: POST}}]
      """;

  @TempDir Path dir;

  /** What the transport saw of one request. */
  record Call(String service, String routeId, @Nullable String subset, String path) {}

  /** A transport that records the routing decisions and answers 200 at once. */
  static final class RecordingTransport implements MeshService {
    final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<MeshResponse> execute(MeshContext ctx, MeshRequest request) {
      calls.add(new Call(ctx.service().name(), ctx.route().id(), ctx.destination().subset(), request.path()));
      return CompletableFuture.completedFuture(new MeshResponse(200, MeshHeaders.empty(), "ok"));
    }
  }

  private Mesh mesh(boolean watch) throws IOException {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, CONFIG);
    return Mesh.builder()
        .workload("frontend")
        .config(file)
        .environment(name -> null)
        .random(new SplittableRandom(7))
        .loadStageProviders(false)
        .watch(watch)
        .build();
  }

  private static MeshRequest request(String authority, String method, String target, MeshHeaders headers) {
    return MeshRequest.builder().authority(authority).method(method).target(target).headers(headers).build();
  }

  @Test
  void unknownHostFailsWithUnknownServiceException() throws IOException {
    RecordingTransport transport = new RecordingTransport();
    try (Mesh mesh = mesh(false)) {
      CompletableFuture<MeshResponse> f = mesh.outbound(
          request("unknown.example.com:8080", "GET", "/", MeshHeaders.empty()), transport);

      assertThat(f).failsWithin(Duration.ofSeconds(1))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(UnknownServiceException.class,
              e -> assertThat(e.host()).isEqualTo("unknown.example.com"));
    }
    assertThat(transport.calls).isEmpty();
  }

  @Test
  void requestMatchingNoRuleFailsWithNoRouteExceptionNamingTheService() throws IOException {
    RecordingTransport transport = new RecordingTransport();
    try (Mesh mesh = mesh(false)) {
      CompletableFuture<MeshResponse> f = mesh.outbound(
          request("payments.demo.svc.cluster.local", "GET", "/charge", MeshHeaders.empty()), transport);

      assertThat(f).failsWithin(Duration.ofSeconds(1))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(NoRouteException.class, e -> {
            assertThat(e.service()).isEqualTo("payments");
            assertThat(e.getMessage()).contains("'payments'").contains("GET /charge");
            assertThat(e).isInstanceOf(IOException.class);
          });
    }
    assertThat(transport.calls).isEmpty();
  }

  @Test
  void matchingRuleReachesTheTransportWithServiceRouteAndDestination() throws Exception {
    RecordingTransport transport = new RecordingTransport();
    try (Mesh mesh = mesh(false)) {
      MeshResponse r = mesh.outbound(request("payments:8543", "POST", "/charge/42?x=1", MeshHeaders.empty()),
          transport).get();

      assertThat(r.status()).isEqualTo(200);
    }
    assertThat(transport.calls).containsExactly(new Call("payments", "payments/0", null, "/charge/42"));
  }

  @Test
  void canaryHeaderRoutesToV2() throws Exception {
    RecordingTransport transport = new RecordingTransport();
    try (Mesh mesh = mesh(true)) {
      for (int i = 0; i < 50; i++) {
        mesh.outbound(request("api-service", "GET", "/users", MeshHeaders.of(Map.of("X-Canary", "true"))),
            transport).get();
      }
    }
    assertThat(transport.calls).hasSize(50)
        .allSatisfy(c -> assertThat(c).isEqualTo(new Call("api-service", "api-service/0", "v2", "/users")));
  }

  @Test
  void requestsWithoutCanaryHeaderAreSplitNinetyTen() throws Exception {
    RecordingTransport transport = new RecordingTransport();
    int n = 20_000;
    try (Mesh mesh = mesh(false)) {
      for (int i = 0; i < n; i++) {
        mesh.outbound(request("api-service.demo", "GET", "/users",
            MeshHeaders.of(Map.of("x-canary", "false"))), transport).get();
      }
    }
    assertThat(transport.calls).hasSize(n).allSatisfy(c -> assertThat(c.routeId()).isEqualTo("api-service/1"));
    Map<String, Long> bySubset = transport.calls.stream()
        .collect(Collectors.groupingBy(Call::subset, Collectors.counting()));
    assertThat(bySubset.get("v1") / (double) n).isCloseTo(0.9, within(0.015));
    assertThat(bySubset.get("v2") / (double) n).isCloseTo(0.1, within(0.015));
  }

  @Test
  void reloadedRulesApplyToTheNextRequest() throws Exception {
    RecordingTransport transport = new RecordingTransport();
    try (Mesh mesh = mesh(false)) {
      Function<MeshRequest, String> routeOf = req -> {
        transport.calls.clear();
        mesh.outbound(req, transport).join();
        return transport.calls.get(0).routeId();
      };
      MeshRequest get = request("payments", "GET", "/balance", MeshHeaders.empty());
      assertThat(mesh.outbound(get, transport)).isCompletedExceptionally();

      boolean applied = mesh.apply(List.of(new ConfigDocument("mesh.yaml", CONFIG + """
                - name: read
          """)));

      assertThat(applied).isTrue();
      assertThat(routeOf.apply(get)).isEqualTo("payments/1");
    }
  }
}
