package io.inmesh.telemetry.internal;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.TelemetryConfig;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracer and propagators of a mesh. Where the tracer comes from, in order: the application's OpenTelemetry when
 * it registered one globally ({@link GlobalOpenTelemetry#isSet()}: Spring Boot, the Java agent and most SDK set-ups
 * do); otherwise an SDK the mesh builds from {@code telemetry.tracing} (parent-based sampling at
 * {@code randomSamplingPercentage}, OTLP export when configured), when the optional SDK jar is present; otherwise a
 * no-op tracer that still propagates the caller's trace context. Propagation formats always come from the mesh
 * configuration.
 */
public final class Tracing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tracing.class);
  static final String INSTRUMENTATION = "io.inmesh";

  /** Reads {@link MeshHeaders} for propagators. */
  public static final TextMapGetter<MeshHeaders> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(MeshHeaders carrier) {
      return carrier.names();
    }

    @Override
    public @Nullable String get(@Nullable MeshHeaders carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private static final String TRACEPARENT = "traceparent";
  /** Writes trace headers into a carrier map with lower-case names (MeshRequest.withHeaders wants them so). */
  private static final TextMapSetter<Map<String, String>> LOWER_CASE_SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier.put(key.toLowerCase(Locale.ROOT), value);
    }
  };

  private final TelemetryConfig.Tracing config;
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  /** W3C alone (the default): {@link #inject} writes {@code traceparent} itself, without a carrier map. */
  private final boolean w3cOnly;
  /** Whether an unsampled parent means an unsampled child: true of the mesh's own SDK and of the no-op tracer. */
  private final boolean followsParent;
  private final @Nullable AutoCloseable owned;
  private final String source;

  private Tracing(TelemetryConfig.Tracing config, Tracer tracer, TextMapPropagator propagator,
      @Nullable AutoCloseable owned, String source, boolean followsParent) {
    this.config = config;
    this.tracer = tracer;
    this.propagator = propagator;
    this.w3cOnly = config.propagation().equals(List.of(TelemetryConfig.Propagation.W3C));
    this.followsParent = followsParent;
    this.owned = owned;
    this.source = source;
  }

  /** Whether opentelemetry-sdk-trace (an optional dependency) is on the class path. */
  private static final boolean SDK_PRESENT = present("io.opentelemetry.sdk.trace.SdkTracerProvider")
      && present("io.opentelemetry.sdk.trace.SpanProcessor");

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Tracing.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Tracing as {@code config} asks, for {@code workload}. */
  public static Tracing create(TelemetryConfig.Tracing config, WorkloadIdentity workload) {
    return create(config, workload, null);
  }

  /** Tracing as {@code config} asks, with the application's {@code openTelemetry} when it gave one. */
  public static Tracing create(TelemetryConfig.Tracing config, WorkloadIdentity workload,
      @Nullable OpenTelemetry openTelemetry) {
    TextMapPropagator propagator = propagator(config.propagation());
    if (!config.enabled()) {
      return new Tracing(config, TracerProvider.noop().get(INSTRUMENTATION), propagator, null, "disabled", true);
    }
    if (openTelemetry != null) {
      // The application's sampler may record what its parent did not sample: every request gets its span.
      return new Tracing(config, openTelemetry.getTracer(INSTRUMENTATION), propagator, null,
          "application (OpenTelemetry given to the mesh)", false);
    }
    if (GlobalOpenTelemetry.isSet()) {
      // The application's sampler may record what its parent did not sample: every request gets its span.
      return new Tracing(config, GlobalOpenTelemetry.get().getTracer(INSTRUMENTATION), propagator, null,
          "application (GlobalOpenTelemetry)", false);
    }
    if (SDK_PRESENT) { // checked here, not in SdkTracing: loading that class needs the SDK's classes to verify it
      SdkTracing sdk = SdkTracing.build(config, workload);
      return new Tracing(config, sdk.tracer(), propagator, sdk, sdk.description(), true); // parent-based
    }
    log.info("tracing: no OpenTelemetry registered and opentelemetry-sdk-trace is not on the class path; the mesh "
        + "propagates trace context but records no spans");
    return new Tracing(config, TracerProvider.noop().get(INSTRUMENTATION), propagator, null, "no-op", true);
  }

  /** The configured formats; extraction prefers the first listed, injection writes them all. */
  static TextMapPropagator propagator(List<TelemetryConfig.Propagation> formats) {
    List<TextMapPropagator> list = new ArrayList<>();
    for (TelemetryConfig.Propagation p : formats) {
      list.add(switch (p) {
        case W3C -> W3CTraceContextPropagator.getInstance();
        case B3 -> B3Propagator.injectingSingleHeader();
        case B3_MULTI -> B3Propagator.injectingMultiHeaders();
      });
    }
    if (list.isEmpty()) {
      return TextMapPropagator.noop();
    }
    // A composite extracts with each in turn and the last one found wins: reverse, so that the first listed wins.
    Collections.reverse(list);
    return TextMapPropagator.composite(list);
  }

  /**
   * The remote parent {@code headers} carry, as a context (root when none). With W3C alone (the default), a version-00
   * {@code traceparent} without {@code tracestate} is read here, without the propagator's general machinery;
   * anything else (other versions, trace state, malformed values) goes to the propagator, which decides.
   */
  public Context extract(MeshHeaders headers) {
    if (w3cOnly) {
      String traceparent = headers.get(TRACEPARENT);
      if (traceparent == null) {
        return Context.root();
      }
      if (traceparent.length() == 55 && traceparent.startsWith("00-") && traceparent.charAt(35) == '-'
          && traceparent.charAt(52) == '-' && headers.get("tracestate") == null) {
        char f1 = traceparent.charAt(53);
        char f2 = traceparent.charAt(54);
        if (isLowerHex(f1) && isLowerHex(f2)) {
          SpanContext sc = SpanContext.createFromRemoteParent(traceparent.substring(3, 35),
              traceparent.substring(36, 52), TraceFlags.fromHex(traceparent, 53), TraceState.getDefault());
          if (sc.isValid()) {
            return Context.root().with(Span.wrap(sc));
          }
        }
      }
    }
    return propagator.extract(Context.root(), headers, GETTER);
  }

  private static boolean isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  /**
   * {@code request} carrying the trace context {@code span} (what the upstream sees as its parent). Per attempt: with
   * W3C alone and no trace state, one {@code traceparent} string is all it builds (the propagator would build the
   * same string, plus a context and a carrier map).
   */
  public MeshRequest inject(SpanContext span, MeshRequest request) {
    if (!span.isValid()) {
      return request;
    }
    if (w3cOnly && span.getTraceState().isEmpty()) {
      return request.withHeader(TRACEPARENT,
          "00-" + span.getTraceId() + '-' + span.getSpanId() + '-' + span.getTraceFlags().asHex());
    }
    Map<String, String> carrier = new LinkedHashMap<>(4);
    propagator.inject(Context.root().with(Span.wrap(span)), carrier, LOWER_CASE_SETTER);
    return request.withHeaders(carrier);
  }

  /**
   * The span a request continues when its parent context is not sampled and this mesh's sampler follows the parent
   * (its own SDK samples parent-based; a no-op tracer records nothing): the parent itself, as a non-recording view,
   * instead of a new child span that would be dropped anyway. That saves the span's ids, builder and attributes on
   * 99 % of requests at the default rate; the upstream then sees the caller's span as its parent, which nobody
   * records. Null when a span must be started (sampled, no parent, or the application's sampler decides).
   */
  public @Nullable Span unsampledParent(Context parent) {
    if (!followsParent) {
      return null;
    }
    Span span = Span.fromContext(parent);
    SpanContext sc = span.getSpanContext();
    if (!sc.isValid() || sc.isSampled() || span.isRecording()) {
      return null;
    }
    return Span.wrap(sc); // a view of its context only: ending it never ends an application's span
  }

  public Tracer tracer() {
    return tracer;
  }

  public TextMapPropagator propagator() {
    return propagator;
  }

  public boolean enabled() {
    return config.enabled();
  }

  public TelemetryConfig.Tracing config() {
    return config;
  }

  /** Where the tracer comes from, for the admin page. */
  public String source() {
    return source;
  }

  @Override
  public void close() {
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        log.warn("closing the mesh's tracer provider failed", e);
      }
    }
  }
}
