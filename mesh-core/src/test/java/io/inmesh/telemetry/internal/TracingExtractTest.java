package io.inmesh.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.TelemetryConfig;
import io.inmesh.pipeline.MeshHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The W3C fast path of {@link Tracing#extract} agrees with OpenTelemetry's propagator on every input. */
class TracingExtractTest {
  private final Tracing tracing = Tracing.create(
      new TelemetryConfig.Tracing(false, 1.0, List.of(TelemetryConfig.Propagation.W3C), null),
      new io.inmesh.WorkloadIdentity("w", "default", "w", Map.of(), null));

  @Test
  void readsWhatThePropagatorReadsForValidAndMalformedTraceparents() {
    String id = "4bf92f3577b34da6a3ce929d0e0e4736";
    List<String> values = List.of(
        "00-" + id + "-00f067aa0ba902b7-01",
        "00-" + id + "-00f067aa0ba902b7-00",
        "00-" + id + "-00f067aa0ba902b7-ff",
        "00-" + id.toUpperCase() + "-00f067aa0ba902b7-01", // upper case: invalid
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
        "00-" + id + "-0000000000000000-01", // zero span id
        "00-" + id + "-00f067aa0ba902b7-0g",
        "00-" + id + "-00f067aa0ba902b7",
        "01-" + id + "-00f067aa0ba902b7-01-extra", // a later version: the propagator's rules
        "ff-" + id + "-00f067aa0ba902b7-01",
        "00_" + id + "-00f067aa0ba902b7-01",
        "garbage", "");
    for (String value : values) {
      MeshHeaders headers = MeshHeaders.of(Map.of("traceparent", value));
      assertThat(spanContext(tracing.extract(headers))).as(value).isEqualTo(viaPropagator(headers));
    }
  }

  @Test
  void leavesTraceStateToThePropagator() {
    MeshHeaders headers = MeshHeaders.of(Map.of(
        "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate", "vendor=value"));

    SpanContext sc = spanContext(tracing.extract(headers));

    assertThat(sc.getTraceState().get("vendor")).isEqualTo("value");
    assertThat(sc).isEqualTo(viaPropagator(headers));
  }

  @Test
  void noHeaderIsTheRootContext() {
    assertThat(tracing.extract(MeshHeaders.empty())).isSameAs(Context.root());
  }

  private static SpanContext spanContext(Context context) {
    return Span.fromContext(context).getSpanContext();
  }

  private static SpanContext viaPropagator(MeshHeaders headers) {
    return spanContext(W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, Tracing.GETTER));
  }
}
