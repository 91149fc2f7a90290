package io.inmesh.resilience;

import static io.inmesh.resilience.ResilienceFixtures.apiService;
import static io.inmesh.resilience.ResilienceFixtures.error;
import static io.inmesh.resilience.ResilienceFixtures.failing;
import static io.inmesh.resilience.ResilienceFixtures.get;
import static io.inmesh.resilience.ResilienceFixtures.mesh;
import static io.inmesh.resilience.ResilienceFixtures.request;
import static io.inmesh.resilience.ResilienceFixtures.status;
import static io.inmesh.resilience.ResilienceFixtures.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.inmesh.Mesh;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import io.inmesh.resilience.ResilienceFixtures.Recording;
import io.inmesh.resilience.ResilienceFixtures.Try;
import io.inmesh.telemetry.TelemetryKeys;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The RETRY stage in a real mesh built from YAML, with in-process upstreams. */
class RetryStageTest {
  @TempDir Path dir;

  private static String retries(String retryOn) {
    return """
        retries:
          attempts: 2
          retryOn: %s
          backoff: {baseInterval: 1ms, maxInterval: 2ms}
        """.formatted(retryOn) + (retryOn.contains("retriable-status-codes") ? "  retriableStatusCodes: [418]\n" : "");
  }

  /** Sends one GET through a mesh whose route retries on {@code retryOn}; returns how many tries the upstream saw. */
  private int tries(String retryOn, MeshService failure) throws Exception {
    Recording upstream = new Recording(failing(1, failure));
    try (Mesh mesh = mesh(dir, "client", apiService(retries(retryOn)))) {
      try {
        mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS);
      } catch (ExecutionException expected) {
        // not retried: the failure itself reaches the caller
      }
    }
    return upstream.count();
  }

  static Stream<Arguments> conditions() {
    IOException connect = new ConnectException("Failed to connect to /10.0.0.1:80");
    IOException reset = new SocketException("Connection reset");
    IOException readTimeout = new SocketTimeoutException("timeout");
    IOException refused = new IOException("stream was reset: REFUSED_STREAM");
    return Stream.of(
        // retryOn, failure, retried?
        Arguments.of("[5xx]", status(500), true),
        Arguments.of("[5xx]", status(503), true),
        Arguments.of("[5xx]", error(connect), true),
        Arguments.of("[5xx]", error(reset), true),
        Arguments.of("[5xx]", status(404), false),
        Arguments.of("[gateway-error]", status(502), true),
        Arguments.of("[gateway-error]", status(504), true),
        Arguments.of("[gateway-error]", status(500), false),
        Arguments.of("[reset]", error(reset), true),
        Arguments.of("[reset]", error(readTimeout), true),
        Arguments.of("[reset]", status(503), false),
        Arguments.of("[connect-failure]", error(connect), true),
        Arguments.of("[connect-failure]", error(reset), false),
        Arguments.of("[connect-failure]", status(503), false),
        Arguments.of("[refused-stream]", error(refused), true),
        Arguments.of("[refused-stream]", error(reset), false),
        Arguments.of("[retriable-4xx]", status(409), true),
        Arguments.of("[retriable-4xx]", status(429), false),
        Arguments.of("[retriable-status-codes]", status(418), true),
        Arguments.of("[retriable-status-codes]", status(503), false),
        Arguments.of("[\"503\"]", status(503), true),
        Arguments.of("[\"503\"]", status(502), false),
        Arguments.of("[\"503\"]", error(connect), false));
  }

  @ParameterizedTest(name = "retryOn {0}, {1} -> retried: {2}")
  @MethodSource("conditions")
  void retriesExactlyTheOutcomesItsRetryOnNames(String retryOn, MeshService failure, boolean retried)
      throws Exception {
    assertThat(tries(retryOn, failure)).isEqualTo(retried ? 2 : 1);
  }

  @Test
  void neverRetriesAStatusTheMeshSynthesisedItself() throws Exception {
    assertThat(tries("[5xx, \"503\"]", (ctx, r) -> CompletableFuture.completedFuture(MeshResponse.synthesized(503))))
        .isEqualTo(1);
  }

  @Test
  void retriesOnAnotherEndpointWithTheAttemptHeaderOnEveryTry() throws Exception {
    Recording upstream = new Recording(failing(2, status(503)));
    try (Mesh mesh = mesh(dir, "client", apiService(retries("[\"503\"]")))) {
      MeshResponse response = mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(200);
    }
    assertThat(upstream.tries).extracting(t -> t.header(Retries.ATTEMPT_HEADER)).containsExactly("1", "2", "3");
    assertThat(upstream.endpoints()).doesNotHaveDuplicates();
  }

  @Test
  void returnsTheLastFailureWithUrxWhenRetriesAreExhausted() throws Exception {
    Recording upstream = new Recording(status(503));
    AtomicReference<MeshContext> context = new AtomicReference<>();
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", apiService(retries("[\"503\"]")))
        .addStage(captureContext(context)).build()) {
      MeshResponse response = mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(503);
      assertThat(mesh.feature(Resilience.class).stats().retriesExhausted()).isEqualTo(1);
    }
    assertThat(upstream.count()).isEqualTo(3);
    assertThat(context.get().responseFlags()).isEqualTo("URX");
    assertThat(context.get().attempt()).isEqualTo(3);
  }

  @Test
  void theCallerGetsTheLastAttemptsFailure() throws Exception {
    AtomicLong n = new AtomicLong();
    MeshService upstream = (ctx, r) -> CompletableFuture.failedFuture(
        new ConnectException("refused #" + n.incrementAndGet()));
    try (Mesh mesh = mesh(dir, "client", apiService(retries("[connect-failure]")))) {
      assertThatThrownBy(() -> mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(ConnectException.class).cause().hasMessage("refused #3");
    }
  }

  @Test
  void doesNotRetryNonIdempotentMethodsUnlessTheRouteOptsIn() throws Exception {
    for (String method : new String[] {"POST", "PATCH"}) {
      Recording upstream = new Recording(status(503));
      try (Mesh mesh = mesh(dir, "client", apiService(retries("[\"503\"]")))) {
        assertThat(mesh.outbound(request(method, "api", Map.of()), upstream).get().status()).isEqualTo(503);
      }
      assertThat(upstream.count()).as(method).isEqualTo(1);
    }
    for (String method : new String[] {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}) {
      Recording upstream = new Recording(status(503));
      try (Mesh mesh = mesh(dir, "client", apiService(retries("[\"503\"]")))) {
        mesh.outbound(request(method, "api", Map.of()), upstream).get();
      }
      assertThat(upstream.count()).as(method).isEqualTo(3);
    }
    Recording optedIn = new Recording(status(503));
    try (Mesh mesh = mesh(dir, "client", apiService(retries("[\"503\"]") + "  retryNonIdempotent: true\n"))) {
      mesh.outbound(request("POST", "api", Map.of()), optedIn).get();
    }
    assertThat(optedIn.count()).isEqualTo(3);
  }

  @Test
  void neverRetriesARequestWhoseBodyTheAdapterCannotReplay() throws Exception {
    MeshService oneShotBody = (ctx, r) -> {
      ctx.attribute(Retries.BODY_REPLAYABLE, false); // as an adapter does for a body over 64 KiB
      return CompletableFuture.completedFuture(upstream(503));
    };
    Recording upstream = new Recording(oneShotBody);
    try (Mesh mesh = mesh(dir, "client", apiService(retries("[\"503\"]")))) {
      assertThat(mesh.outbound(request("PUT", "api", Map.of()), upstream).get().status()).isEqualTo(503);
    }
    assertThat(upstream.count()).isEqualTo(1);
  }

  @Test
  void honoursRetryAfterUpToTheCap() throws Exception {
    Recording upstream = new Recording(failing(1, (ctx, r) ->
        CompletableFuture.completedFuture(upstream(503, Map.of("Retry-After", "1")))));
    try (Mesh mesh = mesh(dir, "client", apiService(retries("[\"503\"]")))) {
      long start = System.nanoTime();
      assertThat(mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(990));
    }
    Recording tooLong = new Recording(failing(1, (ctx, r) ->
        CompletableFuture.completedFuture(upstream(429, Map.of("Retry-After", "3600")))));
    try (Mesh mesh = mesh(dir, "client", apiService(retries("[retriable-status-codes]").replace("418", "429")))) {
      MeshResponse response = mesh.outbound(get("api"), tooLong).get(5, TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(429);
      assertThat(response.headers().get("retry-after")).isEqualTo("3600");
    }
    assertThat(tooLong.count()).isEqualTo(1);
  }

  @Test
  void aRouteWithAFaultHasNoRetries() throws Exception {
    Recording upstream = new Recording(status(503));
    String route = retries("[\"503\"]") + "fault: {delay: {fixedDelay: 1ms}}\n";
    try (Mesh mesh = mesh(dir, "client", apiService(route))) {
      mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS);
    }
    assertThat(upstream.count()).isEqualTo(1);
  }

  @Test
  void aMirrorCopyIsNeverRetried() throws Exception {
    String yaml = """
        mesh: {defaults: {mtlsMode: DISABLE}}
        admin: {enabled: false}
        services:
          - name: api
            ports: [{number: 80}]
            endpoints: [{address: 10.0.0.1}, {address: 10.0.0.2}]
            routes:
              - mirror: {host: shadow}
                retries: {attempts: 2, retryOn: ["503"], backoff: {baseInterval: 1ms, maxInterval: 1ms}}
          - name: shadow
            ports: [{number: 80}]
            endpoints: [{address: 10.0.9.1}, {address: 10.0.9.2}]
        """;
    Recording upstream = new Recording(status(503));
    try (Mesh mesh = mesh(dir, "client", yaml)) {
      assertThat(mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS).status()).isEqualTo(503);
      await().atMost(Duration.ofSeconds(5))
          .until(() -> upstream.endpoints().stream().anyMatch(e -> e.startsWith("10.0.9")));
    }
    assertThat(upstream.endpoints().stream().filter(e -> e.startsWith("10.0.0"))).hasSize(3);
    assertThat(upstream.endpoints().stream().filter(e -> e.startsWith("10.0.9"))).hasSize(1);
  }

  @Test
  void backoffWaitsOnTheMeshSchedulerNotOnTheCallersThread() throws Exception {
    Recording upstream = new Recording(failing(1, status(503)));
    String route = retries("[\"503\"]").replace("baseInterval: 1ms, maxInterval: 2ms",
        "baseInterval: 300ms, maxInterval: 300ms");
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", apiService(route))
        .random(new java.util.Random(7) { // full jitter draws the whole interval: the wait is measurable
          @Override
          public long nextLong(long bound) {
            return bound - 1;
          }
        }).build()) {
      CompletableFuture<MeshResponse> result = mesh.outbound(get("api"), upstream);
      // The call returned while the backoff runs: the caller's thread is free.
      assertThat(result).isNotDone();
      assertThat(result.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(upstream.tries).extracting(Try::thread)
        .containsExactly(Thread.currentThread().getName(), "inmesh-scheduler");
  }

  @Test
  void doesNotRetryAnAttemptTheCallerCancelled() throws Exception {
    // OkHttp fails a cancelled call with IOException("Canceled"): the caller is gone, nobody wants a retry.
    Recording upstream = new Recording(error(new IOException("Canceled")));
    try (Mesh mesh = mesh(dir, "client", apiService(retries("[5xx, reset]")))) {
      assertThatThrownBy(() -> mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IOException.class);
    }
    assertThat(upstream.count()).isEqualTo(1);
  }

  @Test
  void refusesRetriesBeyondMaxRetriesOutstanding() throws Exception {
    CompletableFuture<MeshResponse> never = new CompletableFuture<>();
    MeshService upstream = (ctx, r) -> ctx.attempt() == 1 ? CompletableFuture.completedFuture(upstream(503)) : never;
    String policy = "connectionPool: {http: {maxRetries: 1}}";
    try (Mesh mesh = mesh(dir, "client", apiService(policy, retries("[\"503\"]")))) {
      CompletableFuture<MeshResponse> first = mesh.outbound(get("api"), upstream); // its retry hangs: 1 outstanding
      MeshResponse second = mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS);
      assertThat(second.status()).isEqualTo(503);
      assertThat(mesh.feature(Resilience.class).stats().retryOverflows()).isEqualTo(1);
      assertThat(first).isNotDone();
      never.complete(upstream(200));
      assertThat(first.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  @Test
  void budgetBoundsAttemptsUnderATotallyFailingUpstream() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    Recording upstream = new Recording(status(503));
    AtomicReference<MeshContext> context = new AtomicReference<>();
    int requests = 0;
    int refusedRequests = 0;
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", apiService(retries("[\"503\"]")))
        .nanoTime(clock::get).addStage(captureContext(context)).build()) {
      // Steady load of 100 requests per second for 10 s of (fake) time, the defaults: ratio 0.2, 10/s, ttl 10 s.
      for (long t = 0; t < 10_000; t += 10) {
        clock.set(1_000_000_000L + t * 1_000_000L);
        assertThat(mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS).status()).isEqualTo(503);
        requests++;
        if (Boolean.TRUE.equals(context.get().attribute(TelemetryKeys.RETRY_BUDGET_EXHAUSTED))) {
          refusedRequests++;
        }
      }
      ResilienceStats stats = mesh.feature(Resilience.class).stats();
      long reserve = 10 * 10;
      assertThat(upstream.count()).isLessThanOrEqualTo((int) (1.2 * requests + reserve));
      // The budget is what stopped the retries, and it did let the ratio plus the reserve through.
      assertThat(stats.retries()).isGreaterThanOrEqualTo((long) (0.2 * requests + reserve) - 2);
      assertThat(stats.budgetRefusals()).isEqualTo(refusedRequests).isGreaterThan(requests / 2);
    }
  }

  static MeshStage captureContext(AtomicReference<MeshContext> context) {
    return MeshStage.of("capture", StagePosition.before(OutboundRole.TELEMETRY), (ctx, r, next) -> {
      context.set(ctx);
      return next.execute(ctx, r);
    });
  }
}
