package io.inmesh.resilience;

import static io.inmesh.resilience.ResilienceFixtures.apiService;
import static io.inmesh.resilience.ResilienceFixtures.get;
import static io.inmesh.resilience.ResilienceFixtures.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.config.ConfigDocument;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection-pool limits (OVERLOAD): concurrent requests beyond the limit fail fast, counted exactly. */
class OverloadStageTest {
  @TempDir Path dir;

  /** Holds every request until released. */
  private final List<CompletableFuture<MeshResponse>> held = new CopyOnWriteArrayList<>();
  private final MeshService holding = (ctx, request) -> {
    CompletableFuture<MeshResponse> f = new CompletableFuture<>();
    held.add(f);
    return f;
  };
  private final List<String> flags = new CopyOnWriteArrayList<>();

  private Mesh mesh(String policy) throws Exception {
    return ResilienceFixtures.builder(dir, "client", apiService(policy, "retries: {attempts: 0}\n"))
        .addStage(MeshStage.of("flags", StagePosition.before(OutboundRole.TELEMETRY), (ctx, r, next) ->
            next.execute(ctx, r).whenComplete((x, e) -> flags.add(String.valueOf(ctx.responseFlags())))))
        .build();
  }

  /** Sends one request from each of {@code threads} threads at once; returns their futures. */
  private List<CompletableFuture<MeshResponse>> burst(Mesh mesh, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<CompletableFuture<MeshResponse>>> sent = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        sent.add(pool.submit(() -> {
          start.await();
          return mesh.outbound(get("api"), holding);
        }));
      }
      start.countDown();
      List<CompletableFuture<MeshResponse>> results = new ArrayList<>();
      for (Future<CompletableFuture<MeshResponse>> f : sent) {
        results.add(f.get(5, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long failedWith(List<CompletableFuture<MeshResponse>> results, Class<?> type) {
    return results.stream().filter(f -> f.isCompletedExceptionally()
        && type.isInstance(f.handle((r, e) -> e.getCause() != null ? e.getCause() : e).join())).count();
  }

  @Test
  void requestsBeyondHttp2MaxRequestsFailFastWithUo() throws Exception {
    try (Mesh mesh = mesh("connectionPool: {http: {http2MaxRequests: 4}}")) {
      List<CompletableFuture<MeshResponse>> results = burst(mesh, 16);

      assertThat(held).hasSize(4);
      assertThat(failedWith(results, OverloadedException.class)).isEqualTo(12);
      assertThat(flags).hasSize(12).containsOnly("UO");
      assertThat(mesh.feature(Resilience.class).stats().overloads()).isEqualTo(12);

      held.forEach(f -> f.complete(upstream(200)));
      assertThat(results.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count()).isEqualTo(4);
      // The slots are free again.
      held.clear();
      assertThat(burst(mesh, 4)).noneMatch(CompletableFuture::isCompletedExceptionally);
      assertThat(held).hasSize(4);
    }
  }

  @Test
  void requestsBeyondConnectionsPlusPendingFailFast() throws Exception {
    try (Mesh mesh = mesh("connectionPool: {tcp: {maxConnections: 2}, http: {http1MaxPendingRequests: 1}}")) {
      List<CompletableFuture<MeshResponse>> results = burst(mesh, 8);
      assertThat(held).hasSize(3);
      assertThat(failedWith(results, OverloadedException.class)).isEqualTo(5);
    }
  }

  @Test
  void limitsKeepTheirCountsAcrossAReloadThatDoesNotChangeThem() throws Exception {
    String policy = "connectionPool: {http: {http2MaxRequests: 2}}";
    try (Mesh mesh = mesh(policy)) {
      burst(mesh, 2);
      assertThat(held).hasSize(2);

      String other = apiService(policy, "retries: {attempts: 0}\ntimeout: 30s\n"); // a change elsewhere
      mesh.apply(List.of(new ConfigDocument("reload.yaml", other)));
      assertThat(mesh.snapshot().version()).isEqualTo(2);
      assertThat(failedWith(burst(mesh, 1), OverloadedException.class)).isEqualTo(1);

      String raised = apiService("connectionPool: {http: {http2MaxRequests: 3}}", "retries: {attempts: 0}\n");
      mesh.apply(List.of(new ConfigDocument("reload.yaml", raised)));
      // New limits, new counters: the two requests still held belong to the old limits.
      assertThat(failedWith(burst(mesh, 4), OverloadedException.class)).isEqualTo(1);
      assertThat(held).hasSize(5);
    }
  }

  @Test
  void overloadedExceptionIsADistinctIoExceptionWithoutStackTrace() {
    OverloadedException e = new OverloadedException("default/api", 4);
    assertThat(e).isInstanceOf(java.io.IOException.class);
    assertThat(e.responseFlag()).isEqualTo("UO");
    assertThat(e.getStackTrace()).isEmpty();
    assertThat(e.getMessage()).contains("default/api").contains("4");
  }
}
