package io.inmesh.resilience;

import static io.inmesh.resilience.ResilienceFixtures.apiService;
import static io.inmesh.resilience.ResilienceFixtures.get;
import static io.inmesh.resilience.ResilienceFixtures.mesh;
import static io.inmesh.resilience.ResilienceFixtures.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.Mesh;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.resilience.ResilienceFixtures.Recording;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Route timeouts and per-try timeouts (DEADLINE and ATTEMPT_TIMEOUT) in a real mesh. */
class TimeoutStageTest {
  @TempDir Path dir;
  private final ScheduledExecutorService upstreamTimer = Executors.newSingleThreadScheduledExecutor();
  /** The futures of attempts the upstream never answered, to see how they ended. */
  private final List<CompletableFuture<MeshResponse>> hanging = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopTimer() {
    upstreamTimer.shutdownNow();
  }

  /** Answers 200 after {@code delay} on the upstream's own timer (no thread waits); never for attempt 1 if hang. */
  private MeshService slowFirstTry(Duration firstDelay) {
    return (ctx, request) -> {
      CompletableFuture<MeshResponse> f = new CompletableFuture<>();
      if (ctx.attempt() == 1) {
        hanging.add(f);
        upstreamTimer.schedule(() -> f.complete(upstream(200)), firstDelay.toMillis(), TimeUnit.MILLISECONDS);
      } else {
        upstreamTimer.schedule(() -> f.complete(upstream(200)), 10, TimeUnit.MILLISECONDS);
      }
      return f;
    };
  }

  private MeshService neverAnswers() {
    return (ctx, request) -> {
      CompletableFuture<MeshResponse> f = new CompletableFuture<>();
      hanging.add(f);
      return f;
    };
  }

  @Test
  void aSlowTryTimesOutAndTheRetryOnAnotherEndpointSucceedsWithinTheRouteTimeout() throws Exception {
    Recording upstream = new Recording(slowFirstTry(Duration.ofSeconds(5)));
    String route = """
        timeout: 2s
        retries: {attempts: 2, perTryTimeout: 100ms, retryOn: [reset], backoff: {baseInterval: 1ms, maxInterval: 1ms}}
        """;
    try (Mesh mesh = mesh(dir, "client", apiService(route))) {
      long start = System.nanoTime();
      MeshResponse response = mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(response.status()).isEqualTo(200);
      assertThat(took).isBetween(Duration.ofMillis(100), Duration.ofMillis(1500));
      assertThat(mesh.feature(Resilience.class).stats().attemptTimeouts()).isEqualTo(1);
    }
    assertThat(upstream.count()).isEqualTo(2);
    assertThat(upstream.endpoints()).doesNotHaveDuplicates();
    // The timed-out try was failed (adapters cancel its I/O when its future fails), with the distinct exception.
    assertThatThrownBy(() -> hanging.get(0).join()).hasCauseInstanceOf(MeshTimeoutException.class);
    // Each try told the upstream the time it had: the per-try bound.
    assertThat(upstream.tries).allSatisfy(t ->
        assertThat(Long.parseLong(t.header(MeshDeadline.HEADER))).isBetween(1L, 100L));
  }

  @Test
  void theRouteTimeoutBoundsAllTriesAndBackoffs() throws Exception {
    Recording upstream = new Recording(neverAnswers());
    AtomicReference<MeshContext> context = new AtomicReference<>();
    String route = """
        timeout: 400ms
        retries: {attempts: 10, perTryTimeout: 150ms, retryOn: [reset], backoff: {baseInterval: 1ms, maxInterval: 1ms}}
        """;
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", apiService(route))
        .addStage(RetryStageTest.captureContext(context)).build()) {
      long start = System.nanoTime();
      CompletableFuture<MeshResponse> result = mesh.outbound(get("api"), upstream);
      assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(MeshTimeoutException.class);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isBetween(Duration.ofMillis(390), Duration.ofMillis(1000));
    }
    // 150 + 150 + the last 100 ms: the third try is cut short by the route timeout, and no fourth is sent.
    assertThat(upstream.count()).isEqualTo(3);
    assertThat(Long.parseLong(upstream.tries.get(2).header(MeshDeadline.HEADER))).isLessThan(150);
    assertThat(context.get().responseFlags()).contains("UT");
    assertThat(hanging).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
  }

  @Test
  void aRouteTimeoutAloneEndsTheRequestWithMeshTimeoutExceptionAndUt() throws Exception {
    Recording upstream = new Recording(neverAnswers());
    AtomicReference<MeshContext> context = new AtomicReference<>();
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", apiService("timeout: 100ms\nretries: {attempts: 0}\n"))
        .addStage(RetryStageTest.captureContext(context)).build()) {
      assertThatThrownBy(() -> mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(MeshTimeoutException.class);
    }
    assertThat(upstream.count()).isEqualTo(1);
    assertThat(context.get().responseFlags()).isEqualTo("UT");
    MeshTimeoutException e = new MeshTimeoutException("x");
    assertThat(e).isInstanceOf(java.io.IOException.class);
    assertThat(e.httpStatus()).isEqualTo(504);
    assertThat(e.getStackTrace()).isEmpty();
  }

  @Test
  void withoutAnyTimeoutNoDeadlineHeaderIsSent() throws Exception {
    Recording upstream = new Recording(ResilienceFixtures.status(200));
    try (Mesh mesh = mesh(dir, "client", apiService("retries: {attempts: 1}\n"))) {
      mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS);
    }
    assertThat(upstream.tries.get(0).header(MeshDeadline.HEADER)).isNull();
    assertThat(upstream.tries.get(0).header(Retries.ATTEMPT_HEADER)).isEqualTo("1");
  }
}
