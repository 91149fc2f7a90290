package io.inmesh.telemetry.internal;

import io.inmesh.config.TelemetryConfig;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/** OTLP span exporters; a class of its own so that it is loaded only when the optional exporter jar is present. */
final class OtlpExporters {
  private OtlpExporters() {}

  static SpanExporter create(TelemetryConfig.Otlp otlp) {
    if (otlp.protocol() == TelemetryConfig.OtlpProtocol.GRPC) {
      OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder().setEndpoint(otlp.endpoint())
          .setTimeout(otlp.timeout());
      otlp.headers().forEach(b::addHeader);
      return b.build();
    }
    OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder().setEndpoint(otlp.endpoint())
        .setTimeout(otlp.timeout());
    otlp.headers().forEach(b::addHeader);
    return b.build();
  }
}
