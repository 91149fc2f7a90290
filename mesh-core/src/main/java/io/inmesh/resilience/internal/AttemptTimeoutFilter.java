package io.inmesh.resilience.internal;

import io.inmesh.internal.Completions;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.resilience.MeshDeadline;
import io.inmesh.resilience.MeshTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * ATTEMPT_TIMEOUT: bounds one send by {@code perTryTimeout} and by what is left of the request's deadline (the route
 * timeout, or an inherited one), whichever ends first, and tells the upstream that bound in {@value
 * MeshDeadline#HEADER}. The bound is a timer on the mesh scheduler that completes the attempt's future with {@link
 * MeshTimeoutException}: no thread waits, and the adapters cancel the call's I/O when its future fails. A transport
 * that runs the attempt on the calling thread and returns it complete (the OkHttp adapter's first attempt) enforces
 * {@link MeshContext#attemptDeadlineNanos()} itself, and no timer is scheduled. An attempt with less than a
 * millisecond left is not sent at all.
 *
 * <p>Response flag {@code UT} is added when the timeout ends the request: the deadline was the bound, or the route
 * does not retry. A per-try timeout followed by a retry leaves the flag to the retry stage's final outcome.
 */
public final class AttemptTimeoutFilter implements MeshFilter {
  private final Plans plans;
  private final ScheduledExecutorService scheduler;
  private final Counters counters;

  public AttemptTimeoutFilter(Plans plans, ScheduledExecutorService scheduler, Counters counters) {
    this.plans = plans;
    this.scheduler = scheduler;
    this.counters = counters;
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    Plans.RoutePlan plan = plans.route(ctx.route());
    long perTry = plan == null ? 0 : plan.perTryNanos();
    long deadline = ctx.deadlineNanos();
    if (perTry == 0 && deadline == MeshContext.NO_DEADLINE) {
      ctx.attemptDeadlineNanos(MeshContext.NO_DEADLINE);
      return next.execute(ctx, request);
    }
    long now = System.nanoTime();
    long timeout;
    boolean deadlineBound;
    if (deadline == MeshContext.NO_DEADLINE) {
      timeout = perTry;
      deadlineBound = false;
    } else {
      long left = deadline - now;
      deadlineBound = perTry == 0 || left <= perTry;
      timeout = deadlineBound ? left : perTry;
    }
    boolean endsRequest = deadlineBound || plan == null || plan.retry() == null;
    long millis = timeout / 1_000_000;
    if (millis <= 0) {
      counters.attemptTimeouts.increment();
      if (endsRequest) {
        ctx.addResponseFlag("UT");
      }
      return CompletableFuture.failedFuture(new MeshTimeoutException("deadline exceeded before attempt "
          + ctx.attempt() + " was sent"));
    }
    ctx.attemptDeadlineNanos(now + timeout);
    CompletableFuture<MeshResponse> result =
        next.execute(ctx, request.withHeader(MeshDeadline.HEADER, Long.toString(millis)));
    if (result.isDone()) {
      // Sent on this thread: a transport that blocks enforced the attempt deadline itself (no timer needed).
      if (result.isCompletedExceptionally() && timedOut(result)) {
        counters.attemptTimeouts.increment();
        if (endsRequest) {
          ctx.addResponseFlag("UT"); // no stage further out has seen the outcome yet
        }
      }
      return result;
    }
    Expiry expiry = new Expiry(ctx, result, millis, endsRequest, counters);
    expiry.timer = scheduler.schedule(expiry, timeout, TimeUnit.NANOSECONDS);
    result.whenComplete(expiry);
    return result;
  }

  private static boolean timedOut(CompletableFuture<MeshResponse> failed) {
    try {
      failed.getNow(null);
      return false;
    } catch (CompletionException | CancellationException e) {
      return Completions.unwrap(e) instanceof MeshTimeoutException;
    }
  }

  /**
   * Fails the attempt when its time is up (whoever completes the future first wins), and cancels its own timer when
   * the attempt ends first (one object for both, as there is one per timed attempt).
   */
  private static final class Expiry implements Runnable, BiConsumer<MeshResponse, Throwable> {
    private final MeshContext ctx;
    private final CompletableFuture<MeshResponse> attempt;
    private final long millis;
    private final boolean isFinal;
    private final Counters counters;
    @Nullable ScheduledFuture<?> timer; // set before the completion callback is registered

    Expiry(MeshContext ctx, CompletableFuture<MeshResponse> attempt, long millis, boolean isFinal,
        Counters counters) {
      this.ctx = ctx;
      this.attempt = attempt;
      this.millis = millis;
      this.isFinal = isFinal;
      this.counters = counters;
    }

    @Override
    public void run() {
      if (attempt.isDone()) {
        return;
      }
      if (isFinal) {
        ctx.addResponseFlag("UT"); // before completing: the caller may read the flags as soon as it completes
      }
      if (attempt.completeExceptionally(new MeshTimeoutException("attempt " + ctx.attempt() + " timed out after "
          + millis + " ms"))) {
        counters.attemptTimeouts.increment();
      }
    }

    @Override
    public void accept(MeshResponse response, Throwable error) {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }
  }
}
