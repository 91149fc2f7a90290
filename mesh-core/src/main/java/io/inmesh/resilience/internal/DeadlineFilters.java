package io.inmesh.resilience.internal;

import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.resilience.MeshDeadline;
import java.util.concurrent.CompletableFuture;

/** The outbound deadline filters: the inherited deadline, and the route timeout (DEADLINE). */
public final class DeadlineFilters {
  private DeadlineFilters() {}

  /**
   * Outermost: the deadline of the request this thread serves ({@link MeshDeadline#current()}) bounds the outbound
   * request. Read here, on the caller's thread, because stages further in may continue on another (a fault delay).
   */
  public static final MeshFilter INHERIT = (ctx, request, next) -> {
    MeshDeadline inherited = MeshDeadline.current();
    if (inherited != null) {
      ctx.deadlineNanos(inherited.nanoTime());
    }
    return next.execute(ctx, request);
  };

  /** DEADLINE: the route timeout, from now, tightens the request's deadline; it bounds every attempt and backoff. */
  public static MeshFilter routeTimeout(Plans plans) {
    return new RouteTimeout(plans);
  }

  private static final class RouteTimeout implements MeshFilter {
    private final Plans plans;

    RouteTimeout(Plans plans) {
      this.plans = plans;
    }

    @Override
    public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
      Plans.RoutePlan plan = plans.route(ctx.route());
      if (plan != null && plan.timeoutNanos() > 0) {
        ctx.deadlineNanos(System.nanoTime() + plan.timeoutNanos());
      }
      return next.execute(ctx, request);
    }
  }

  /**
   * Inbound DEADLINE: reads {@value MeshDeadline#HEADER}; a spent deadline (0 or less) is answered 504 without
   * calling the application (flag {@code UT}); otherwise the deadline bounds the request's context and is {@link
   * MeshDeadline#current()} while the stages below and the application run on this thread. An unparseable value is
   * ignored (the request is served without a deadline): a malformed header must not turn into a rejection.
   */
  public static MeshFilter inbound(Counters counters) {
    return (ctx, request, next) -> {
      String header = request.headers().get(MeshDeadline.HEADER);
      if (header == null) {
        return next.execute(ctx, request);
      }
      long millis = parseMillis(header);
      if (millis == Long.MIN_VALUE) {
        return next.execute(ctx, request);
      }
      if (millis <= 0) {
        counters.deadlineRejections.increment();
        ctx.addResponseFlag("UT");
        return CompletableFuture.completedFuture(MeshResponse.synthesized(504, EXPIRED));
      }
      ctx.deadlineNanos(System.nanoTime() + Math.min(millis, MAX_MILLIS) * 1_000_000L);
      try (MeshDeadline.Scope ignored = MeshDeadline.atNanos(ctx.deadlineNanos()).makeCurrent()) {
        return next.execute(ctx, request);
      }
    };
  }

  /** Longer deadlines than this (about 106 days) are capped, which keeps the nanosecond arithmetic in range. */
  private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000L / 1000;

  private static final io.inmesh.pipeline.MeshHeaders EXPIRED =
      io.inmesh.pipeline.MeshHeaders.of(java.util.Map.of("x-mesh-deadline-exceeded", "true"));

  /** The header's milliseconds, or Long.MIN_VALUE when it is not an integer. */
  static long parseMillis(String value) {
    String v = value.strip();
    if (v.isEmpty() || v.length() > 19) {
      return Long.MIN_VALUE;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return Long.MIN_VALUE;
    }
  }
}
