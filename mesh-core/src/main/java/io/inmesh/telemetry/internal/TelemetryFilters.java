package io.inmesh.telemetry.internal;

import io.inmesh.internal.Completions;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The telemetry stages' filters: outbound (client span, outermost), per attempt (a child span per try, just after
 * RETRY, which also writes the trace headers) and inbound (server span around the application, outermost).
 */
public final class TelemetryFilters {
  private static final Logger log = LoggerFactory.getLogger(TelemetryFilters.class);
  /** The request's span (client or server), for the attempt stage and the access log. */
  static final MeshContext.Key<Span> SPAN = MeshContext.Key.of("inmesh.telemetry.span");

  static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");

  private TelemetryFilters() {}

  /** The outbound TELEMETRY filter. */
  public static MeshFilter outbound(Recorder recorder, Tracing tracing) {
    return (ctx, request, next) -> {
      Span span = null;
      if (tracing.enabled()) {
        // Parent: whatever the application has current, typically the server span of the request it is handling.
        span = tracing.unsampledParent(Context.current());
        if (span == null) {
          span = tracing.tracer().spanBuilder(request.method()).setSpanKind(SpanKind.CLIENT).startSpan();
        }
        if (span.isRecording()) {
          // Attributes only for sampled spans: an unsampled request (99 % at the default rate) builds no strings.
          span.setAttribute(Recorder.METHOD, request.method());
          span.setAttribute(URL_FULL, request.scheme() + "://" + request.authority() + request.path());
          span.setAttribute(SERVER_ADDRESS, request.host());
        }
        ctx.attribute(SPAN, span);
      }
      return complete(recorder, ctx, request, call(next, ctx, request), span);
    };
  }

  /** The per-attempt filter: a child span per try, carrying the trace headers the upstream sees. */
  public static MeshFilter attempt(Tracing tracing) {
    return (ctx, request, next) -> {
      Span parent = ctx.attribute(SPAN);
      if (parent == null) {
        return next.execute(ctx, request);
      }
      if (!parent.getSpanContext().isSampled()) {
        // No attempt span for an unsampled request (99 % at the default rate): the upstream's parent is the request.
        return call(next, ctx, tracing.inject(parent.getSpanContext(), request));
      }
      Span attempt = tracing.tracer().spanBuilder(request.method()).setParent(Context.root().with(parent))
          .setSpanKind(SpanKind.CLIENT)
          .setAttribute(Recorder.METHOD, request.method())
          .setAttribute(Recorder.ATTEMPT, (long) ctx.attempt())
          .startSpan();
      if (ctx.attempt() > 1) {
        attempt.setAttribute(RESEND_COUNT, (long) ctx.attempt() - 1);
      }
      CompletableFuture<MeshResponse> f = call(next, ctx, tracing.inject(attempt.getSpanContext(), request));
      if (f.isDone() && !f.isCompletedExceptionally()) {
        endAttempt(attempt, ctx, f.join(), null);
        return f;
      }
      CompletableFuture<MeshResponse> out = new CompletableFuture<>();
      f.whenComplete((r, e) -> {
        endAttempt(attempt, ctx, r, e);
        forward(out, r, e);
      });
      return out;
    };
  }

  /** The inbound TELEMETRY filter. */
  public static MeshFilter inbound(Recorder recorder, Tracing tracing) {
    return (ctx, request, next) -> {
      if (!tracing.enabled()) {
        return complete(recorder, ctx, request, call(next, ctx, request), null);
      }
      Context parent = tracing.extract(request.headers());
      // When the caller does not sample its trace, its context stays current for the application: no span of ours.
      Span span = tracing.unsampledParent(parent);
      Context current = parent;
      if (span == null) {
        span = tracing.tracer().spanBuilder(request.method()).setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(Recorder.METHOD, request.method())
            .setAttribute(URL_PATH, request.path())
            .setAttribute(URL_SCHEME, request.scheme())
            .setAttribute(SERVER_ADDRESS, request.host())
            .startSpan();
        if (ctx.remoteAddress() != null) {
          span.setAttribute(CLIENT_ADDRESS, ctx.remoteAddress());
        }
        current = parent.with(span);
      }
      ctx.attribute(SPAN, span);
      CompletableFuture<MeshResponse> f;
      // Current while the application runs, so that its outbound calls (and its own spans) are children.
      try (Scope ignored = current.makeCurrent()) {
        f = call(next, ctx, request);
      }
      return complete(recorder, ctx, request, f, span);
    };
  }

  private static CompletableFuture<MeshResponse> call(MeshService next, MeshContext ctx, MeshRequest request) {
    try {
      return next.execute(ctx, request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static CompletableFuture<MeshResponse> complete(Recorder recorder, MeshContext ctx, MeshRequest request,
      CompletableFuture<MeshResponse> f, @Nullable Span span) {
    if (f.isDone() && !f.isCompletedExceptionally()) {
      // Answered before returning (the server's application, an inline client attempt): record it now, no futures.
      record(recorder, ctx, request, f.join(), null, span);
      return f;
    }
    // A fresh future completed with the very same outcome: callers see the original exception, not a wrapper.
    CompletableFuture<MeshResponse> out = new CompletableFuture<>();
    f.whenComplete((r, e) -> {
      record(recorder, ctx, request, r, e, span);
      forward(out, r, e);
    });
    return out;
  }

  private static void record(Recorder recorder, MeshContext ctx, MeshRequest request, @Nullable MeshResponse r,
      @Nullable Throwable e, @Nullable Span span) {
    try {
      recorder.complete(ctx, request, r, e, span);
    } catch (RuntimeException x) {
      log.debug("recording telemetry failed", x);
    }
  }

  private static void endAttempt(Span attempt, MeshContext ctx, @Nullable MeshResponse r, @Nullable Throwable e) {
    try {
      Recorder.endAttempt(attempt, ctx, r, e);
    } catch (RuntimeException x) {
      log.debug("ending attempt span failed", x);
    }
  }

  private static void forward(CompletableFuture<MeshResponse> out, @Nullable MeshResponse r, @Nullable Throwable e) {
    if (e != null) {
      out.completeExceptionally(Completions.unwrap(e));
    } else {
      out.complete(r);
    }
  }
}
