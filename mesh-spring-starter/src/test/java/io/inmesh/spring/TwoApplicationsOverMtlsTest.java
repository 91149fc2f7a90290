package io.inmesh.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.inmesh.Mesh;
import io.inmesh.tls.MeshTls;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * Two Spring Boot applications using the starter, each with its embedded Tomcat serving STRICT mTLS from the mesh
 * identity (a dev CA created in a temporary directory), the backend's authorization allowing only the frontend, and
 * a third application (no web server) with a valid identity but no permission.
 */
class TwoApplicationsOverMtlsTest {
  @TempDir
  static Path dir;

  static ConfigurableApplicationContext backend;
  static ConfigurableApplicationContext frontend;
  static ConfigurableApplicationContext intruder;
  static int backendPort;

  @BeforeAll
  static void start() throws IOException {
    Path yaml = dir.resolve("mesh.yaml");
    Files.writeString(yaml, """
        mesh:
          trustDomain: cluster.local
          defaultNamespace: test
          defaults: {mtlsMode: STRICT}
          identity:
            provider: DEV_CA
            devCa: {directory: "${CA_DIR}", certificateTtl: 4s}
        services:
          - name: backend
            endpoints:
              - address: 127.0.0.1
                port: ${BACKEND_PORT:1}
          - name: frontend
            endpoints:
              - {address: 127.0.0.1, port: 1}
        inbound:
          peerAuthentication:
            - name: default
              mtls: {mode: STRICT}
          authorization:
            - name: backend-callers
              selector: {matchLabels: {app: backend}}
              action: ALLOW
              rules:
                - from:
                    - source: {principals: [cluster.local/ns/test/sa/frontend]}
        admin: {enabled: false}
        """);
    String[] common = {"server.port=0", "mesh.config.location=" + yaml, "CA_DIR=" + dir.resolve("ca"),
        "spring.main.banner-mode=off", "management.endpoints.web.exposure.include=health,mesh",
        "management.endpoint.health.show-details=always"};
    backend = new SpringApplicationBuilder(BackendApp.class).properties(common)
        .properties("spring.application.name=backend").run();
    backendPort = Integer.parseInt(backend.getEnvironment().getRequiredProperty("local.server.port"));
    frontend = new SpringApplicationBuilder(FrontendApp.class).properties(common)
        .properties("spring.application.name=frontend", "BACKEND_PORT=" + backendPort).run();
    intruder = new SpringApplicationBuilder(FrontendApp.class).web(WebApplicationType.NONE).properties(common)
        .properties("mesh.workload=intruder", "BACKEND_PORT=" + backendPort).run();
  }

  @AfterAll
  static void stop() {
    for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[] {intruder, frontend, backend}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void everyInjectedClientTypeReachesTheBackendOverMutualTls() throws Exception {
    BackendCaller caller = frontend.getBean(BackendCaller.class);
    String frontendId = "spiffe://cluster.local/ns/test/sa/frontend";

    assertThat(caller.rest.get().uri("/api/whoami").retrieve().body(String.class)).isEqualTo(frontendId);
    assertThat(caller.template.getForObject("/api/whoami", String.class)).isEqualTo(frontendId);
    try (Response r = caller.okHttp.newCall(new Request.Builder().url("http://backend/api/whoami").build())
        .execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo(frontendId);
    }
    HttpResponse<String> jdk = caller.jdk.send(HttpRequest.newBuilder(URI.create("http://backend/api/whoami"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(jdk.body()).isEqualTo(frontendId);
  }

  @Test
  void anyRestClientBuiltFromBootsBuilderGoesThroughTheMesh() {
    RestClient client = frontend.getBean(RestClient.Builder.class).baseUrl("http://backend").build();

    assertThat(client.get().uri("/api/whoami").retrieve().body(String.class))
        .isEqualTo("spiffe://cluster.local/ns/test/sa/frontend");
  }

  @Test
  void aCallerWithAValidIdentityButNoPermissionGets403() {
    RestClient client = intruder.getBean(BackendCaller.class).rest;

    assertThatThrownBy(() -> client.get().uri("/api/whoami").retrieve().body(String.class))
        .isInstanceOf(HttpClientErrorException.Forbidden.class)
        .hasMessageContaining("RBAC: access denied");
  }

  @Test
  void aPlaintextCallerIsRefusedByTheStrictServer() {
    HttpClient plain = HttpClient.newHttpClient();
    int callsBefore = backend.getBean(BackendController.class).whoamiCalls.get();

    int status;
    try {
      status = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backendPort + "/api/whoami"))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException e) {
      status = -1; // connection closed by the TLS endpoint: refused as well
    }
    assertThat(status).isNotEqualTo(200);
    assertThat(backend.getBean(BackendController.class).whoamiCalls.get()).as("never reached the application")
        .isEqualTo(callsBefore);
  }

  @Test
  void aRequestThatFailsOnceWith503IsRetriedAndTheCallerGets200() {
    BackendCaller caller = frontend.getBean(BackendCaller.class);

    String body = caller.rest.get().uri("/api/flaky/first").retrieve().body(String.class);

    assertThat(body).isEqualTo("ok after 2 attempts");
    assertThat(backend.getBean(BackendController.class).flaky.get("first").get()).isEqualTo(2);
  }

  @Test
  void actuatorShowsTheMeshAndItsHealth() {
    RestClient rest = frontend.getBean(BackendCaller.class).rest;

    @SuppressWarnings("unchecked")
    Map<String, Object> mesh = rest.get().uri("/actuator/mesh").retrieve().body(Map.class);
    assertThat(mesh).containsKeys("workload", "config", "identity", "services");
    assertThat((Map<String, Object>) mesh.get("identity"))
        .containsEntry("spiffeId", "spiffe://cluster.local/ns/test/sa/backend")
        .containsKey("expiresInSeconds");
    assertThat((Map<String, Object>) mesh.get("config")).containsEntry("version", 1);

    @SuppressWarnings("unchecked")
    Map<String, Object> health = rest.get().uri("/actuator/health").retrieve().body(Map.class);
    assertThat(health).containsEntry("status", "UP");
    assertThat(health.toString()).contains("mesh").contains("spiffe://cluster.local/ns/test/sa/backend");
  }

  @Test
  void theServerPresentsTheRenewedCertificateWithoutARestart() throws Exception {
    MeshTls backendTls = backend.getBean(Mesh.class).feature(MeshTls.class);
    MeshTls clientTls = frontend.getBean(Mesh.class).feature(MeshTls.class);
    BigInteger first = presentedSerial(clientTls);
    assertThat(first).isEqualTo(new BigInteger(backendTls.certificate().serial(), 16));

    // certificateTtl 4s: the dev CA renews at two thirds of the lifetime.
    await().atMost(Duration.ofSeconds(10)).until(() ->
        !new BigInteger(backendTls.certificate().serial(), 16).equals(first));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(presentedSerial(clientTls)).isNotEqualTo(first)
            .isEqualTo(new BigInteger(backendTls.certificate().serial(), 16)));
    // And the meshed clients carry on over the rotated identities.
    assertThat(frontend.getBean(BackendCaller.class).rest.get().uri("/api/whoami").retrieve().body(String.class))
        .isEqualTo("spiffe://cluster.local/ns/test/sa/frontend");
  }

  /** The serial of the certificate the backend presents on a new, full handshake (no session resumption). */
  private static BigInteger presentedSerial(MeshTls clientTls) throws IOException {
    try (SSLSocket socket = (SSLSocket) clientTls.sslContext().getSocketFactory()
        .createSocket("127.0.0.1", backendPort)) {
      socket.startHandshake();
      X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      socket.getSession().invalidate();
      return leaf.getSerialNumber();
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(BackendController.class)
  static class BackendApp {}

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(BackendCaller.class)
  static class FrontendApp {}

  @RestController
  static class BackendController {
    final AtomicInteger whoamiCalls = new AtomicInteger();
    final Map<String, AtomicInteger> flaky = new ConcurrentHashMap<>();

    @GetMapping("/api/whoami")
    String whoami(HttpServletRequest request) {
      whoamiCalls.incrementAndGet();
      return request.getUserPrincipal() == null ? "anonymous" : request.getUserPrincipal().getName();
    }

    /** Fails the first attempt of each key with 503. */
    @GetMapping("/api/flaky/{key}")
    ResponseEntity<String> flaky(@PathVariable String key) {
      int n = flaky.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return n == 1 ? ResponseEntity.status(503).body("try again") : ResponseEntity.ok("ok after " + n + " attempts");
    }
  }

  /** Constructor and field injection of every supported client type. */
  static class BackendCaller {
    final RestClient rest;
    final OkHttpClient okHttp;
    @MeshClient("backend")
    RestTemplate template;
    @MeshClient("backend")
    HttpClient jdk;

    BackendCaller(@MeshClient("backend") RestClient rest, @MeshClient("backend") OkHttpClient okHttp) {
      this.rest = rest;
      this.okHttp = okHttp;
    }
  }
}
