package io.inmesh.telemetry.internal;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.TelemetryConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The tracer provider the mesh builds for itself. Only loaded when opentelemetry-sdk-trace is on the class path (it is
 * an optional dependency): {@link Tracing} checks that the SDK is present before it touches this class, whose
 * verification needs the SDK's types.
 */
final class SdkTracing implements AutoCloseable {
  private final SdkTracerProvider provider;
  private final String description;

  private SdkTracing(SdkTracerProvider provider, String description) {
    this.provider = provider;
    this.description = description;
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, SdkTracing.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  static SdkTracing build(TelemetryConfig.Tracing config, WorkloadIdentity workload) {
    Sampler sampler = Sampler.parentBased(Sampler.traceIdRatioBased(config.randomSamplingPercentage() / 100.0));
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), workload.name(),
        AttributeKey.stringKey("service.namespace"), workload.namespace())));
    SdkTracerProviderBuilder b = SdkTracerProvider.builder().setSampler(sampler).setResource(resource);
    String description = "mesh SDK, " + config.randomSamplingPercentage() + "% sampled";
    SpanExporter exporter = exporter(config.otlp());
    if (exporter != null) {
      b.addSpanProcessor(BatchSpanProcessor.builder(exporter).build());
      description += ", OTLP to " + config.otlp().endpoint();
    } else {
      description += ", no exporter (trace ids in logs and propagation only)";
    }
    return new SdkTracing(b.build(), description);
  }

  private static @Nullable SpanExporter exporter(TelemetryConfig.@Nullable Otlp otlp) {
    if (otlp == null) {
      return null;
    }
    if (!present("io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter")) {
      throw new IllegalStateException("telemetry.tracing.otlp is configured but opentelemetry-exporter-otlp is not on "
          + "the class path; add io.opentelemetry:opentelemetry-exporter-otlp");
    }
    return OtlpExporters.create(otlp);
  }

  Tracer tracer() {
    return provider.get(Tracing.INSTRUMENTATION);
  }

  String description() {
    return description;
  }

  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
