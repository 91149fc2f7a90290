package io.inmesh.http.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.Mesh;
import io.inmesh.http.MeshHttpClient;
import io.inmesh.http.MeshOkHttp;
import io.inmesh.servlet.MeshServlet;
import io.inmesh.telemetry.MeshTelemetry;
import io.inmesh.servlet.server.MeshJetty;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path over real mTLS: a meshed client (OkHttp and java.net.http) calls a meshed Jetty server with STRICT
 * mTLS through the mesh's routing and balancing; the server's filter sees the caller's SPIFFE identity and enforces an
 * authorization policy; the client refuses a server that presents another service's identity.
 */
class MeshMtlsEndToEndTest {
  @TempDir Path dir;
  Server server;
  Mesh serverMesh;
  Mesh frontend;
  Mesh intruder;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeEach
  void start() throws Exception {
    int port = freePort();
    Path config = Files.writeString(dir.resolve("mesh.yaml"), """
        mesh:
          identity: {devCa: {directory: '%s'}}
        admin: {enabled: false}
        telemetry: {tracing: {enabled: false}}
        services:
          - name: api-service
            endpoints: [{address: 127.0.0.1, port: %d}]
          - name: impostor
            identity: spiffe://cluster.local/ns/default/sa/someone-else
            endpoints: [{address: 127.0.0.1, port: %d}]
        inbound:
          authorization:
            - name: only-frontend
              selector: {matchLabels: {app: api-service}}
              rules:
                - from: [{source: {principals: [cluster.local/ns/default/sa/frontend]}}]
        """.formatted(dir.resolve("ca"), port, port));
    serverMesh = Mesh.builder().workload("api-service").config(config).watch(false).build();
    frontend = Mesh.builder().workload("frontend").config(config).watch(false).build();
    intruder = Mesh.builder().workload("intruder").config(config).watch(false).build();

    server = new Server();
    server.addConnector(MeshJetty.connector(server, serverMesh, port));
    ServletContextHandler context = new ServletContextHandler();
    context.addFilter(new FilterHolder(MeshServlet.filter(serverMesh)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().print("hello " + req.getUserPrincipal().getName() + " via " + req.getScheme());
      }
    }), "/*");
    server.setHandler(context);
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    intruder.close();
    frontend.close();
    serverMesh.close();
  }

  @Test
  void okHttpCallsTheServiceOverMutualTlsAndTheServerSeesTheCallersIdentity() throws IOException {
    OkHttpClient client = MeshOkHttp.wrap(frontend, new OkHttpClient());

    try (Response r = client.newCall(new Request.Builder().url("http://api-service/hello").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("hello spiffe://cluster.local/ns/default/sa/frontend via https");
      assertThat(r.handshake()).isNotNull();
      assertThat(r.handshake().tlsVersion().javaName()).isIn("TLSv1.3", "TLSv1.2");
    }
    // The server counted the accepted connection as mutual TLS, and none as plaintext.
    String metrics = serverMesh.feature(MeshTelemetry.class).scrape();
    assertThat(metrics).containsPattern(
        "istio_tcp_connections_opened_total\\{[^}]*connection_security_policy=\"mutual_tls\"[^}]*} [1-9]");
    assertThat(metrics).doesNotContainPattern(
        "istio_tcp_connections_opened_total\\{[^}]*connection_security_policy=\"none\"[^}]*} [1-9]");
  }

  @Test
  void jdkClientCallsTheServiceOverMutualTlsAndTheServerSeesTheCallersIdentity() throws Exception {
    HttpClient client = MeshHttpClient.wrap(frontend, HttpClient.newHttpClient());

    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://api-service/hello")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hello spiffe://cluster.local/ns/default/sa/frontend via https");
  }

  @Test
  void aCallerWithAValidIdentityButNoPermissionGets403() throws IOException {
    OkHttpClient client = MeshOkHttp.wrap(intruder, new OkHttpClient());

    try (Response r = client.newCall(new Request.Builder().url("http://api-service/hello").build()).execute()) {
      assertThat(r.code()).isEqualTo(403);
      assertThat(r.body().string()).isEqualToIgnoringNewLines("RBAC: access denied");
    }
  }

  @Test
  void theClientRefusesAServerThatPresentsAnotherServicesIdentity() {
    OkHttpClient okhttp = MeshOkHttp.wrap(frontend, new OkHttpClient());
    HttpClient jdk = MeshHttpClient.wrap(frontend, HttpClient.newHttpClient());

    assertThatThrownBy(() -> okhttp.newCall(new Request.Builder().url("http://impostor/hello").build()).execute())
        .isInstanceOf(IOException.class)
        .satisfies(e -> assertThat(causeChainText(e))
            .contains("spiffe://cluster.local/ns/default/sa/someone-else")
            .contains("spiffe://cluster.local/ns/default/sa/api-service"));
    assertThatThrownBy(() -> jdk.send(HttpRequest.newBuilder(URI.create("http://impostor/hello")).build(),
        HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class)
        .satisfies(e -> assertThat(causeChainText(e))
            .contains("spiffe://cluster.local/ns/default/sa/someone-else")
            .contains("spiffe://cluster.local/ns/default/sa/api-service"));
  }

  private static String causeChainText(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t).append('\n');
      for (Throwable s : t.getSuppressed()) {
        sb.append(s).append('\n');
      }
    }
    return sb.toString();
  }
}
