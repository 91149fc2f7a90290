package io.inmesh.resilience.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.inmesh.discovery.Endpoint;
import io.inmesh.internal.Completions;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.resilience.CircuitOpenException;
import io.inmesh.routing.CompiledRoute;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * CIRCUIT_BREAKER: the Resilience4j breaker of the chosen endpoint (or of the route) decides whether the attempt may
 * go; when open the attempt fails at once with {@link CircuitOpenException} (flag {@code UO}). Outcomes recorded:
 * an exception or a 5xx from the upstream is a failure, anything else a success; an attempt cancelled by the caller
 * gives its permission back unrecorded. Durations are not measured (InMesh configures no slow-call threshold).
 */
public final class BreakerFilter implements MeshFilter {
  /** Recorded for a 5xx response: Resilience4j's failure calls take a throwable. */
  private static final Exception SERVER_ERROR = new Exception("upstream 5xx", null, false, false) {
    private static final long serialVersionUID = 1L;
  };

  private final Plans plans;
  private final Counters counters;

  public BreakerFilter(Plans plans, Counters counters) {
    this.plans = plans;
    this.counters = counters;
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    Plans.Destination d = plans.destination(ctx.destination());
    BreakerGroup group = d == null ? null : d.breakers();
    if (group == null) {
      return next.execute(ctx, request);
    }
    CircuitBreaker breaker;
    if (group.perRoute()) {
      CompiledRoute route = ctx.route();
      if (route == null) {
        return next.execute(ctx, request);
      }
      breaker = group.route(route.id());
    } else {
      Endpoint endpoint = ctx.endpoint();
      if (endpoint == null) {
        return next.execute(ctx, request);
      }
      breaker = group.endpoint(endpoint.host(), endpoint.port());
    }
    if (!breaker.tryAcquirePermission()) {
      counters.circuitOpenRejections.increment();
      ctx.addResponseFlag("UO");
      return CompletableFuture.failedFuture(new CircuitOpenException(breaker.getName()));
    }
    CompletableFuture<MeshResponse> result;
    try {
      result = next.execute(ctx, request);
    } catch (RuntimeException | Error e) {
      breaker.onError(0, TimeUnit.NANOSECONDS, e);
      throw e;
    }
    if (result.isDone() && !result.isCompletedExceptionally()) {
      record(breaker, result.join(), null);
    } else {
      result.whenComplete((r, e) -> record(breaker, r, e));
    }
    return result;
  }

  private static void record(CircuitBreaker breaker, @Nullable MeshResponse response, @Nullable Throwable error) {
    if (error != null) {
      if (Completions.unwrap(error) instanceof CancellationException) {
        breaker.releasePermission();
      } else {
        breaker.onError(0, TimeUnit.NANOSECONDS, Completions.unwrap(error));
      }
    } else if (response != null && response.status() >= 500 && !response.isSynthesized()) {
      breaker.onError(0, TimeUnit.NANOSECONDS, SERVER_ERROR);
    } else {
      breaker.onSuccess(0, TimeUnit.NANOSECONDS);
    }
  }
}
