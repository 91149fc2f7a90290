package io.inmesh.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenTelemetryVersionCheckTest {

  @Test
  void acceptsTheClassPathThisStarterIsBuiltWith() {
    assertThat(OpenTelemetryVersionCheck.versions(getClass().getClassLoader()))
        .containsEntry("opentelemetry-api", OpenTelemetryVersionCheck.REQUIRED);
    assertThatCode(() -> OpenTelemetryVersionCheck.verify(getClass().getClassLoader())).doesNotThrowAnyException();
  }

  @Test
  void refusesBootsDowngradedOpenTelemetryNamingTheFix() {
    String problem = OpenTelemetryVersionCheck.problem(
        Map.of("opentelemetry-api", "1.55.0", "opentelemetry-context", "1.55.0"));

    assertThat(problem).contains("opentelemetry-api 1.55.0").contains("BEFORE")
        .contains("io.opentelemetry:opentelemetry-bom:1.65.0").contains("spring-boot-dependencies");
  }

  @Test
  void refusesMixedVersionsEvenWhenNewEnough() {
    assertThat(OpenTelemetryVersionCheck.problem(
        Map.of("opentelemetry-api", "1.66.0", "opentelemetry-sdk-trace", "1.65.0"))).contains("one version");
  }

  @Test
  void acceptsNewerVersions() {
    assertThat(OpenTelemetryVersionCheck.problem(Map.of("opentelemetry-api", "1.70.1"))).isNull();
    assertThat(OpenTelemetryVersionCheck.compare("1.65.0-alpha", "1.65.0")).isZero();
    assertThat(OpenTelemetryVersionCheck.compare("2.0", "1.65.0")).isPositive();
  }
}
