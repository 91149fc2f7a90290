package io.inmesh.resilience.internal;

import io.inmesh.internal.Completions;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.resilience.MeshTimeoutException;
import io.inmesh.resilience.Retries;
import io.inmesh.telemetry.TelemetryKeys;
import io.inmesh.traffic.TrafficFeature;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * RETRY: sends the request through the stages below, and again while the route's {@code retryOn} matches the outcome
 * and everything allows it. Each try runs the stages below afresh with {@link MeshContext#attempt()} incremented, so
 * the load balancer picks again (avoiding the endpoints already tried), breakers and pool limits apply per try, and
 * each try carries {@value Retries#ATTEMPT_HEADER}. A retry is sent only when:
 *
 * <ol>
 *   <li>the outcome matches {@code retryOn} ({@link RetryCondition}, failures classified by {@link
 *       FailureClassifier});
 *   <li>tries remain ({@code attempts} retries), otherwise the outcome is returned with flag {@code URX};
 *   <li>the method is idempotent (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) or the route sets {@code
 *       retryNonIdempotent}, and the adapter did not mark the body as not replayable ({@link Retries#BODY_REPLAYABLE});
 *   <li>the backoff (exponential, full jitter; at least a {@code Retry-After} of a 429 or 503, which is honoured up to
 *       {@link Retries#MAX_RETRY_AFTER}) ends before the request's deadline;
 *   <li>{@code connectionPool.http.maxRetries} are not all outstanding, and the retry budget allows it.
 * </ol>
 *
 * Otherwise the caller gets the last attempt's response or failure. The backoff is a timer on the mesh scheduler; no
 * thread waits. Original requests deposit into the route's budget on the way in.
 */
public final class RetryFilter implements MeshFilter {
  private static final int CACHED_ATTEMPTS = 16;
  private static final String[] ATTEMPT_VALUES = new String[CACHED_ATTEMPTS + 1];
  private static final long MAX_RETRY_AFTER_NANOS = Retries.MAX_RETRY_AFTER.toNanos();

  static {
    for (int i = 1; i <= CACHED_ATTEMPTS; i++) {
      ATTEMPT_VALUES[i] = Integer.toString(i);
    }
  }

  private final Plans plans;
  private final ScheduledExecutorService scheduler;
  private final Supplier<RandomGenerator> random;
  private final Clock clock;
  private final Counters counters;

  public RetryFilter(Plans plans, ScheduledExecutorService scheduler, Supplier<RandomGenerator> random, Clock clock,
      Counters counters) {
    this.plans = plans;
    this.scheduler = scheduler;
    this.random = random;
    this.clock = clock;
    this.counters = counters;
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    Plans.RoutePlan plan = plans.route(ctx.route());
    Plans.RetryPlan retry = plan == null ? null : plan.retry();
    if (retry == null || TrafficFeature.isMirrorCopy(ctx)) {
      // A mirror copy is fire-and-forget: never retried, and it must not earn budget for the caller's retries.
      return next.execute(ctx, request);
    }
    if (retry.budget() != null) {
      retry.budget().deposit();
    }
    CompletableFuture<MeshResponse> first = send(ctx, request, next);
    if (first.isDone() && !retriable(retry, first)) {
      return first; // the common case with a synchronous transport: no retry state at all
    }
    Call call = new Call(ctx, request, next, retry);
    call.onAttempt(first);
    return call.result;
  }

  private static CompletableFuture<MeshResponse> send(MeshContext ctx, MeshRequest request, MeshService next) {
    int n = ctx.attempt();
    String value = n <= CACHED_ATTEMPTS ? ATTEMPT_VALUES[n] : Integer.toString(n);
    try {
      return next.execute(ctx, request.withHeader(Retries.ATTEMPT_HEADER, value));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static boolean retriable(Plans.RetryPlan retry, CompletableFuture<MeshResponse> done) {
    MeshResponse response;
    try {
      response = done.join();
    } catch (RuntimeException e) {
      return retry.condition().retries(FailureClassifier.classify(e));
    }
    return retry.condition().retries(response);
  }

  static boolean idempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
      default -> false;
    };
  }

  /** One request's tries. Attempt completions and backoff timers run one after another, never concurrently. */
  private final class Call {
    final CompletableFuture<MeshResponse> result = new CompletableFuture<>();
    private final MeshContext ctx;
    private final MeshRequest request;
    private final MeshService next;
    private final Plans.RetryPlan retry;
    private @Nullable ConnectionLimits retrySlot;

    Call(MeshContext ctx, MeshRequest request, MeshService next, Plans.RetryPlan retry) {
      this.ctx = ctx;
      this.request = request;
      this.next = next;
      this.retry = retry;
    }

    void onAttempt(CompletableFuture<MeshResponse> attempt) {
      attempt.whenComplete(this::completed);
    }

    private void completed(@Nullable MeshResponse response, @Nullable Throwable error) {
      ConnectionLimits slot = retrySlot;
      if (slot != null) {
        retrySlot = null;
        slot.releaseRetry();
      }
      if (result.isDone()) {
        close(response);
        return;
      }
      long delay = retryDelay(response, error);
      if (delay < 0) {
        finish(response, error);
        return;
      }
      close(response); // the caller never sees this response: release its connection
      counters.retries.increment();
      scheduler.schedule(this::retryNow, delay, TimeUnit.NANOSECONDS);
    }

    /** The wait before the next try, or -1 when there is none (and the outcome goes to the caller). */
    private long retryDelay(@Nullable MeshResponse response, @Nullable Throwable error) {
      boolean matches = error != null ? retry.condition().retries(FailureClassifier.classify(error))
          : response != null && retry.condition().retries(response);
      if (!matches) {
        return -1;
      }
      int attempt = ctx.attempt();
      if (attempt > retry.attempts()) {
        counters.retriesExhausted.increment();
        ctx.addResponseFlag("URX");
        return -1;
      }
      if ((!retry.retryNonIdempotent() && !idempotent(request.method()))
          || Boolean.FALSE.equals(ctx.attribute(Retries.BODY_REPLAYABLE))) {
        return -1;
      }
      long delay = backoff(attempt);
      if (response != null && (response.status() == 429 || response.status() == 503)) {
        long after = retryAfterNanos(response);
        if (after > MAX_RETRY_AFTER_NANOS) {
          return -1; // the caller gets the response with its Retry-After and decides
        }
        delay = Math.max(delay, after);
      }
      long deadline = ctx.deadlineNanos();
      if (deadline != MeshContext.NO_DEADLINE && delay >= deadline - System.nanoTime()) {
        return -1; // the retry could not even start in time
      }
      ConnectionLimits limits = limits();
      if (limits != null && !limits.tryAcquireRetry()) {
        counters.retryOverflows.increment();
        return -1;
      }
      RetryBudget budget = retry.budget();
      if (budget != null && !budget.tryWithdraw()) {
        if (limits != null) {
          limits.releaseRetry();
        }
        counters.budgetRefusals.increment();
        ctx.attribute(TelemetryKeys.RETRY_BUDGET_EXHAUSTED, Boolean.TRUE);
        return -1;
      }
      retrySlot = limits;
      return delay;
    }

    private @Nullable ConnectionLimits limits() {
      Plans.Destination d = plans.destination(ctx.destination());
      return d == null ? null : d.limits();
    }

    /** Full jitter: uniform in [0, min(maxInterval, baseInterval * 2^(retry-1))]. */
    private long backoff(int retryNumber) {
      int shift = Math.min(retryNumber - 1, 30);
      long cap = retry.baseNanos() > (retry.maxNanos() >> shift) ? retry.maxNanos() : retry.baseNanos() << shift;
      return cap <= 0 ? 0 : random.get().nextLong(cap + 1);
    }

    private void retryNow() {
      if (result.isDone()) {
        ConnectionLimits slot = retrySlot;
        if (slot != null) {
          retrySlot = null;
          slot.releaseRetry();
        }
        return;
      }
      ctx.attempt(ctx.attempt() + 1);
      onAttempt(send(ctx, request, next));
    }

    private void finish(@Nullable MeshResponse response, @Nullable Throwable error) {
      if (error != null) {
        if (Completions.unwrap(error) instanceof MeshTimeoutException) {
          ctx.addResponseFlag("UT");
        }
        result.completeExceptionally(Completions.unwrap(error));
      } else if (!result.complete(response)) {
        close(response);
      }
    }
  }

  /** The {@code Retry-After} of {@code response} in nanoseconds (seconds or an HTTP date), or 0. */
  long retryAfterNanos(MeshResponse response) {
    String value = response.headers().get("retry-after");
    if (value == null || value.isBlank()) {
      return 0;
    }
    value = value.strip();
    try {
      if (Character.isDigit(value.charAt(0))) {
        long seconds = Long.parseLong(value);
        return seconds > MAX_RETRY_AFTER_NANOS / 1_000_000_000L ? Long.MAX_VALUE : seconds * 1_000_000_000L;
      }
      ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration wait = Duration.between(clock.instant(), at.toInstant());
      return wait.isNegative() ? 0 : wait.compareTo(Retries.MAX_RETRY_AFTER) > 0 ? Long.MAX_VALUE : wait.toNanos();
    } catch (NumberFormatException | DateTimeParseException e) {
      return 0; // unparseable: ignore the header, as browsers do
    }
  }

  private static void close(@Nullable MeshResponse response) {
    if (response != null) {
      response.discard();
    }
  }
}
