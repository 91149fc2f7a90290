package io.inmesh.traffic;

import io.inmesh.MeshSnapshot;
import io.inmesh.config.RouteConfig.Abort;
import io.inmesh.config.RouteConfig.Delay;
import io.inmesh.config.RouteConfig.Fault;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * FAULT: Istio's {@code fault.delay} and {@code fault.abort}. The delay comes first (as in Envoy), then the abort
 * draw. A delay is a timer on the mesh scheduler, so no thread waits through it; an abort is a synthesized response
 * with an empty body. Response flags: {@code DI} for a delay, {@code FI} for an abort.
 */
final class FaultFilter implements MeshFilter {
  private final Supplier<RandomGenerator> random;
  private final ScheduledExecutorService scheduler;

  private FaultFilter(Supplier<RandomGenerator> random, ScheduledExecutorService scheduler) {
    this.random = random;
    this.scheduler = scheduler;
  }

  /** The filter, or null when no route of {@code snapshot} injects faults. */
  static @Nullable MeshFilter forSnapshot(
      MeshSnapshot snapshot, Supplier<RandomGenerator> random, ScheduledExecutorService scheduler) {
    for (CompiledService s : snapshot.services().services()) {
      for (CompiledRoute r : s.routes().routes()) {
        if (r.fault() != null) {
          return new FaultFilter(random, scheduler);
        }
      }
    }
    return null;
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    CompiledRoute route = ctx.route();
    Fault fault = route == null ? null : route.fault();
    if (fault == null) {
      return next.execute(ctx, request);
    }
    Delay delay = fault.delay();
    if (delay != null && TrafficFeature.draw(random.get(), delay.percentage())) {
      ctx.addResponseFlag("DI");
      CompletableFuture<MeshResponse> result = new CompletableFuture<>();
      scheduler.schedule(() -> {
        CompletableFuture<MeshResponse> f;
        try {
          f = afterDelay(ctx, request, next, fault.abort());
        } catch (RuntimeException e) {
          f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((response, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            result.complete(response);
          }
        });
      }, delay.fixedDelay().toNanos(), TimeUnit.NANOSECONDS);
      return result;
    }
    return afterDelay(ctx, request, next, fault.abort());
  }

  private CompletableFuture<MeshResponse> afterDelay(
      MeshContext ctx, MeshRequest request, MeshService next, @Nullable Abort abort) {
    if (abort != null && TrafficFeature.draw(random.get(), abort.percentage())) {
      ctx.addResponseFlag("FI");
      return CompletableFuture.completedFuture(MeshResponse.synthesized(abort.httpStatus()));
    }
    return next.execute(ctx, request);
  }
}
