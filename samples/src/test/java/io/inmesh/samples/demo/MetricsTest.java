package io.inmesh.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static final String EXPOSITION = """
      # HELP istio_requests_total Requests
      # TYPE istio_requests_total counter
      istio_requests_total{reporter="destination",connection_security_policy="mutual_tls",response_code="200"} 90
      istio_requests_total{reporter="destination",connection_security_policy="none",response_code="200"} 10
      istio_requests_total{reporter="source",connection_security_policy="mutual_tls",response_code="200"} 1000
      istio_requests_total_extra{reporter="destination"} 5
      inmesh_authz_denials_total{policy="demo/payments-callers"} 3.0
      inmesh_authz_denials_total{policy="no-admin"} 4
      """;

  @Test
  void sumsTheSeriesWhoseLabelsMatch() {
    assertThat(Metrics.sum(EXPOSITION, "istio_requests_total", List.of("reporter=\"destination\""))).isEqualTo(100);
    assertThat(Metrics.sum(EXPOSITION, "istio_requests_total",
        List.of("reporter=\"destination\"", "connection_security_policy=\"mutual_tls\""))).isEqualTo(90);
    assertThat(Metrics.sum(EXPOSITION, "inmesh_authz_denials_total")).isEqualTo(7);
  }

  @Test
  void aMetricAbsentFromTheExpositionSumsToZero() {
    assertThat(Metrics.sum(EXPOSITION, "inmesh_outlier_ejections_total")).isZero();
    assertThat(Metrics.sum("", "istio_requests_total")).isZero();
  }
}
