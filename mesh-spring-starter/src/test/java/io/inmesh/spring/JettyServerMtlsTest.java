package io.inmesh.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.Mesh;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** Boot's Jetty, instead of Tomcat, serving STRICT mTLS from the mesh identity. */
class JettyServerMtlsTest {
  @TempDir
  Path dir;

  @Test
  void jettyServesStrictMtlsToMeshCallersAndRefusesPlaintext() throws IOException {
    Path yaml = dir.resolve("mesh.yaml");
    Files.writeString(yaml, """
        mesh:
          defaultNamespace: test
          identity:
            provider: DEV_CA
            devCa: {directory: "${CA_DIR}"}
        services:
          - name: backend
            endpoints:
              - address: 127.0.0.1
                port: ${BACKEND_PORT:1}
        admin: {enabled: false}
        """);
    Path ca = dir.resolve("ca");
    try (ConfigurableApplicationContext backend = new SpringApplicationBuilder(JettyApp.class)
        .properties("spring.application.name=backend", "server.port=0", "mesh.config.location=" + yaml,
            "CA_DIR=" + ca, "spring.main.banner-mode=off")
        .run()) {
      assertThat(backend.getBean(JettyServletWebServerFactory.class)).isNotNull();
      String port = backend.getEnvironment().getRequiredProperty("local.server.port");
      Map<String, String> env = Map.of("CA_DIR", ca.toString(), "BACKEND_PORT", port);
      try (Mesh caller = Mesh.builder().workload("frontend").config(yaml).environment(env::get).watch(false).build();
          MeshClients clients = new MeshClients(caller, null)) {
        RestClient rest = clients.client("backend", RestClient.class);

        assertThat(rest.get().uri("/whoami").retrieve().body(String.class))
            .isEqualTo("spiffe://cluster.local/ns/test/sa/frontend");
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/whoami")).build(),
            HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
      }
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(WhoAmI.class)
  static class JettyApp {
    @Bean
    JettyServletWebServerFactory jetty() {
      return new JettyServletWebServerFactory();
    }
  }

  @RestController
  static class WhoAmI {
    @GetMapping("/whoami")
    String whoami(HttpServletRequest request) {
      return request.getUserPrincipal() == null ? "anonymous" : request.getUserPrincipal().getName();
    }
  }
}
