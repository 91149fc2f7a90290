package io.inmesh.servlet.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.internal.DevCa;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshConnectorsFromConfigTest {
  @TempDir Path dir;

  @Test
  void theJettyConnectorTakesItsModeFromTheWorkloadsPortLevelPeerAuthentication() throws Exception {
    DevCa.init(dir.resolve("ca"), Instant.now());
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Path file = Files.writeString(dir.resolve("mesh.yaml"), """
        mesh: {identity: {devCa: {directory: '%s'}}}
        inbound:
          peerAuthentication:
            - name: catalog-metrics
              selector: {matchLabels: {app: catalog}}
              portLevelMtls: {%d: {mode: PERMISSIVE}}
        """.formatted(dir.resolve("ca"), port));

    try (Mesh mesh = Mesh.builder().workload("catalog").namespace("shop").config(file).watch(false)
        .build()) {
      Server server = new Server();
      server.addConnector(MeshJetty.connector(server, mesh, port));
      ServletContextHandler context = new ServletContextHandler();
      context.addServlet(new ServletHolder(new TlsWorld.WhoAmI()), "/*");
      server.setHandler(context);
      server.start();
      try {
        try (Response r = new OkHttpClient().newCall(
            new Request.Builder().url("http://127.0.0.1:" + port + "/").build()).execute()) {
          assertThat(r.body().string()).isEqualTo("plaintext secure=false");
        }
        OkHttpClient mtls = TlsWorld.client(mesh.feature(MeshTls.class).client(host -> TlsWorld.CATALOG));
        try (Response r = mtls.newCall(new Request.Builder().url("https://127.0.0.1:" + port + "/").build())
            .execute()) {
          assertThat(r.body().string()).startsWith("mtls " + TlsWorld.CATALOG);
        }
      } finally {
        server.stop();
      }
    }
  }
}
