package io.inmesh.config;

import io.inmesh.config.internal.Default;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Tracing, metrics and access logging. */
public record TelemetryConfig(Tracing tracing, Metrics metrics, AccessLog accessLog) {

  /**
   * Tracing.
   *
   * @param randomSamplingPercentage share of new traces sampled, 0-100 (parent-based: a sampled parent is followed)
   * @param propagation the header formats read and written, in order of preference
   * @param otlp the OTLP exporter the mesh builds when the application has no OpenTelemetry instance of its own
   */
  public record Tracing(
      @Default("true") boolean enabled,
      @Default("1.0") double randomSamplingPercentage,
      @Default("[W3C]") List<Propagation> propagation,
      @Nullable Otlp otlp) {
    public Tracing {
      propagation = List.copyOf(propagation);
    }
  }

  /** Trace context propagation formats. */
  public enum Propagation {
    /** W3C {@code traceparent} / {@code tracestate}. */
    W3C,
    /** B3 single header ({@code b3}). */
    B3,
    /** B3 multi header ({@code X-B3-TraceId} ...). */
    B3_MULTI
  }

  /** OTLP exporter settings. */
  public record Otlp(
      String endpoint,
      @Default("HTTP_PROTOBUF") OtlpProtocol protocol,
      Map<String, String> headers,
      @Default("10s") Duration timeout) {
    public Otlp {
      headers = Map.copyOf(headers);
    }
  }

  /** OTLP transport. */
  public enum OtlpProtocol {
    HTTP_PROTOBUF,
    GRPC
  }

  /** Istio-compatible Prometheus metrics. */
  public record Metrics(@Default("true") boolean enabled) {}

  /**
   * The JSON access log on the SLF4J logger {@code inmesh.access}.
   *
   * @param mode OFF, SAMPLED or ALL
   * @param samplePercentage the share logged in SAMPLED mode, 0-100
   */
  public record AccessLog(
      @Default("OFF") AccessLogMode mode,
      @Default("1.0") double samplePercentage) {}

  /** Access log modes. */
  public enum AccessLogMode {
    OFF,
    SAMPLED,
    ALL
  }
}
