package io.inmesh.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inmesh.Mesh;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The traffic stages in a real mesh, with an in-memory transport that records what it is asked to send. */
class TrafficStagesTest {
  @TempDir Path dir;

  /** What the transport saw: the context's decisions and the request as it reached the transport. */
  record Sent(MeshRequest request, String service, String subset, boolean mirror) {}

  private final Queue sent = new Queue();

  static final class Queue extends ConcurrentLinkedQueue<Sent> {
    private static final long serialVersionUID = 1L;

    List<Sent> primary() {
      return stream().filter(s -> !s.mirror()).toList();
    }

    List<Sent> mirrors() {
      return stream().filter(Sent::mirror).toList();
    }
  }

  private MeshService recordingTransport(MeshService answer) {
    return (ctx, request) -> {
      sent.add(new Sent(request, ctx.service() == null ? "" : ctx.service().name(),
          ctx.destination() == null || ctx.destination().subset() == null ? "" : ctx.destination().subset(),
          TrafficFeature.isMirrorCopy(ctx)));
      return answer.execute(ctx, request);
    };
  }

  private static final MeshService OK = (ctx, req) ->
      CompletableFuture.completedFuture(new MeshResponse(200, MeshHeaders.of(Map.of("server", "upstream")), null));

  private Mesh mesh(String yaml, MeshStage... stages) throws IOException {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), yaml);
    Mesh.Builder b = Mesh.builder().workload("client").config(file).watch(false).loadStageProviders(false)
        .random(new SplittableRandom(7));
    for (MeshStage s : stages) {
      b.addStage(s);
    }
    return b.build();
  }

  private static MeshRequest get(String target, MeshHeaders headers) {
    return MeshRequest.builder().authority("api").target(target).headers(headers).build();
  }

  private static MeshRequest get(String target) {
    return get(target, MeshHeaders.empty());
  }

  private static final String SERVICES = """
      mesh:
        defaults: {mtlsMode: DISABLE}
      services:
        - name: shadow
          endpoints: [{address: 127.0.0.1, port: 8082}]
        - name: api
          endpoints: [{address: 127.0.0.1, port: 8081, labels: {version: v1}}]
          subsets: [{name: v1, labels: {version: v1}}]
      """;

  /** {@link #SERVICES} with {@code routes} (written from column 0) as the routes of {@code api}. */
  private static String withRoutes(String routes) {
    return SERVICES + "    routes:\n" + routes.indent(6);
  }

  @Test
  void leavesOutEveryTrafficStageWhenNoRouteUsesThem() throws Exception {
    try (Mesh m = mesh(SERVICES)) {
      assertThat(m.state().outbound().stageNames()).doesNotContain("traffic-headers", "fault", "mirror");
    }
  }

  @Test
  void abortsTheConfiguredShareWithASynthesizedResponseFlaggedFi() throws Exception {
    List<String> flags = Collections.synchronizedList(new ArrayList<>());
    MeshStage flagRecorder = MeshStage.of("flags", StagePosition.before(OutboundRole.ROUTING),
        (ctx, req, next) -> next.execute(ctx, req).whenComplete((r, e) -> flags.add(String.valueOf(ctx.responseFlags()))));
    try (Mesh m = mesh(withRoutes("""
        - fault: {abort: {httpStatus: 503, percentage: {value: 10}}}
          route: [{destination: {host: api}}]
        """), flagRecorder)) {
      int n = 10_000;
      int aborted = 0;
      for (int i = 0; i < n; i++) {
        MeshResponse r = m.outbound(get("/x"), recordingTransport(OK)).join();
        if (r.status() == 503) {
          assertThat(r.isSynthesized()).isTrue();
          aborted++;
        }
      }
      assertThat(aborted / (double) n).isBetween(0.08, 0.12);
      assertThat(sent).hasSize(n - aborted);
      assertThat(flags.stream().filter("FI"::equals).count()).isEqualTo(aborted);
    }
  }

  @Test
  void delaysOnTheSchedulerWithoutHoldingTheCallersThread() throws Exception {
    try (Mesh m = mesh(withRoutes("""
        - fault: {delay: {fixedDelay: 300ms}}
        """))) {
      long start = System.nanoTime();
      List<CompletableFuture<MeshResponse>> futures = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        futures.add(m.outbound(get("/x"), recordingTransport(OK)));
      }
      long issued = System.nanoTime() - start;
      assertThat(Duration.ofNanos(issued)).isLessThan(Duration.ofMillis(200)); // 50 x 300 ms issued at once
      assertThat(futures).noneMatch(CompletableFuture::isDone);
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
      long total = System.nanoTime() - start;
      assertThat(Duration.ofNanos(total)).isBetween(Duration.ofMillis(300), Duration.ofMillis(2000));
      assertThat(futures).allMatch(f -> f.join().status() == 200);
    }
  }

  @Test
  void appliesDestinationThenRouteHeaderOperationsToRequestAndResponse() throws Exception {
    try (Mesh m = mesh(withRoutes("""
        - route:
            - destination: {host: api, subset: v1}
              headers:
                request: {set: {x-variant: v1, x-both: destination}}
                response: {add: {x-served-by: v1}}
          headers:
            request: {set: {x-both: route}, add: {x-tag: added}, remove: [x-secret]}
            response: {remove: [server], set: {x-mesh: "yes"}}
        """))) {
      MeshResponse r = m.outbound(get("/x", MeshHeaders.of(Map.of("x-secret", "s", "x-tag", "original"))),
          recordingTransport(OK)).join();

      MeshHeaders h = sent.peek().request().headers();
      assertThat(h.get("x-variant")).isEqualTo("v1");
      assertThat(h.get("x-both")).isEqualTo("route"); // the route's set wins, as in Envoy
      assertThat(h.getAll("x-tag")).containsExactly("original", "added");
      assertThat(h.get("x-secret")).isNull();
      assertThat(r.headers().get("server")).isNull();
      assertThat(r.headers().get("x-mesh")).isEqualTo("yes");
      assertThat(r.headers().get("x-served-by")).isEqualTo("v1");
    }
  }

  @Test
  void rewritesTheMatchedPrefixOrTheWholePathAndTheAuthority() throws Exception {
    try (Mesh m = mesh(withRoutes("""
        - match: [{uri: {prefix: /api/v1/}}]
          rewrite: {uri: /v1/, authority: api.internal.example}
        - match: [{uri: {exact: /old}}, {uri: {regex: "/legacy/[0-9]+"}}]
          rewrite: {uri: /new}
        - route: [{destination: {host: api}}]
        """))) {
      m.outbound(get("/api/v1/users/42?x=1"), recordingTransport(OK)).join();
      m.outbound(get("/old"), recordingTransport(OK)).join();
      m.outbound(get("/legacy/17?y=2"), recordingTransport(OK)).join();
      m.outbound(get("/other"), recordingTransport(OK)).join();

      List<MeshRequest> requests = sent.stream().map(Sent::request).toList();
      assertThat(requests.get(0).path()).isEqualTo("/v1/users/42");
      assertThat(requests.get(0).query()).isEqualTo("x=1");
      assertThat(requests.get(0).authority()).isEqualTo("api.internal.example");
      assertThat(requests.get(1).path()).isEqualTo("/new");
      assertThat(requests.get(2).path()).isEqualTo("/new");
      assertThat(requests.get(2).query()).isEqualTo("y=2");
      assertThat(requests.get(2).authority()).isEqualTo("api");
      assertThat(requests.get(3).path()).isEqualTo("/other");
    }
  }

  private static final String MIRRORED = withRoutes("""
        - route: [{destination: {host: api}}]
          mirror: {host: shadow}
          mirrorPercentage: {value: PCT}
        """);

  @Test
  void mirrorsACopyWithAShadowAuthorityThatTheCallerNeverWaitsFor() throws Exception {
    CompletableFuture<MeshResponse> never = new CompletableFuture<>();
    try (Mesh m = mesh(MIRRORED.replace("PCT", "100"))) {
      MeshService transport = recordingTransport((ctx, req) -> TrafficFeature.isMirrorCopy(ctx) ? never
          : OK.execute(ctx, req));
      MeshResponse r = m.outbound(get("/x"), transport).get(5, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(r.status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).until(() -> sent.mirrors().size() == 1);
      Sent copy = sent.mirrors().get(0);
      assertThat(copy.service()).isEqualTo("shadow");
      assertThat(copy.request().authority()).isEqualTo("api-shadow");
      assertThat(sent.primary()).singleElement().satisfies(p -> assertThat(p.request().authority()).isEqualTo("api"));
      assertThat(m.feature(TrafficFeature.class).mirrorStats().sent()).isEqualTo(1);
    } finally {
      never.complete(MeshResponse.synthesized(200));
    }
  }

  @Test
  void dropsAndCountsCopiesBeyondTheMirrorCapacity() throws Exception {
    CompletableFuture<MeshResponse> never = new CompletableFuture<>();
    try (Mesh m = mesh(MIRRORED.replace("PCT", "100"))) {
      MeshService transport = (ctx, req) -> TrafficFeature.isMirrorCopy(ctx) ? never : OK.execute(ctx, req);
      int n = Mirrors.MAX_IN_FLIGHT + 100;
      for (int i = 0; i < n; i++) {
        assertThat(m.outbound(get("/x"), transport).join().status()).isEqualTo(200);
      }
      TrafficFeature.MirrorStats stats = m.feature(TrafficFeature.class).mirrorStats();
      assertThat(stats.dropped()).isEqualTo(100);
      await().atMost(Duration.ofSeconds(5))
          .until(() -> m.feature(TrafficFeature.class).mirrorStats().sent() == Mirrors.MAX_IN_FLIGHT);
    } finally {
      never.complete(MeshResponse.synthesized(200));
    }
  }

  @Test
  void aFailingMirrorIsCountedAndNeverSeenByTheCaller() throws Exception {
    try (Mesh m = mesh(MIRRORED.replace("PCT", "100"))) {
      MeshService transport = (ctx, req) -> TrafficFeature.isMirrorCopy(ctx)
          ? CompletableFuture.failedFuture(new IOException("mirror down"))
          : OK.execute(ctx, req);
      for (int i = 0; i < 10; i++) {
        assertThat(m.outbound(get("/x"), transport).join().status()).isEqualTo(200);
      }
      await().atMost(Duration.ofSeconds(5))
          .until(() -> m.feature(TrafficFeature.class).mirrorStats().failed() == 10);
    }
  }

  @Test
  void mirrorsTheConfiguredPercentage() throws Exception {
    AtomicInteger mirrored = new AtomicInteger();
    try (Mesh m = mesh(MIRRORED.replace("PCT", "25"))) {
      MeshService transport = (ctx, req) -> {
        if (TrafficFeature.isMirrorCopy(ctx)) {
          mirrored.incrementAndGet();
        }
        return OK.execute(ctx, req);
      };
      int n = 4000;
      for (int i = 0; i < n; i++) {
        m.outbound(get("/x"), transport).join();
      }
      await().atMost(Duration.ofSeconds(5))
          .until(() -> m.feature(TrafficFeature.class).mirrorStats().sent() == mirrored.get());
      // A copy that finds the bounded mirror executor full is dropped and counted (on a busy machine, some are):
      // the percentage is of copies decided, sent or dropped.
      long dropped = m.feature(TrafficFeature.class).mirrorStats().dropped();
      assertThat((mirrored.get() + dropped) / (double) n).isBetween(0.23, 0.27);
    }
  }
}
