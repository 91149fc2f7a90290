package io.inmesh.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A separate management port ({@code management.server.port}) stays outside the mesh: plaintext and without the
 * mesh's filter, so that platform probes reach health without a mesh identity, while the application port is STRICT.
 */
class ManagementPortTest {
  @TempDir
  Path dir;

  @Test
  void aSeparateManagementPortServesHealthInPlaintextWhileTheApplicationPortIsStrict() throws Exception {
    Path yaml = dir.resolve("mesh.yaml");
    Files.writeString(yaml, """
        mesh:
          identity:
            provider: DEV_CA
            devCa: {directory: "${CA_DIR}"}
        admin: {enabled: false}
        """);
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(App.class)
        .properties("spring.application.name=backend", "server.port=0", "management.server.port=0",
            "mesh.config.location=" + yaml, "CA_DIR=" + dir.resolve("ca"), "spring.main.banner-mode=off",
            // This module's tests have Jetty next to Tomcat; Boot would define both management child contexts.
            "spring.autoconfigure.exclude=org.springframework.boot.jetty.autoconfigure.actuate.web.server"
                + ".JettyServletManagementContextAutoConfiguration")
        .run()) {
      String management = app.getEnvironment().getRequiredProperty("local.management.port");
      String server = app.getEnvironment().getRequiredProperty("local.server.port");
      HttpClient plain = HttpClient.newHttpClient();

      HttpResponse<String> health = plain.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + management + "/actuator/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("UP");

      int status;
      try {
        status = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server + "/actuator/health"))
            .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (java.io.IOException e) {
        status = -1;
      }
      assertThat(status).isNotEqualTo(200);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}
}
