package io.inmesh.servlet.server;

import static io.inmesh.servlet.server.TlsWorld.CATALOG;
import static io.inmesh.servlet.server.TlsWorld.FRONTEND;
import static io.inmesh.servlet.server.TlsWorld.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.inmesh.config.MtlsMode;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.PeerIdentityException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MeshTomcatTest {
  @TempDir Path dir;
  private TlsWorld world;
  private Tomcat tomcat;
  private final TlsWorld.WhoAmI servlet = new TlsWorld.WhoAmI();

  @BeforeEach
  void setUp() throws Exception {
    world = new TlsWorld(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (tomcat != null) {
      tomcat.stop();
      tomcat.destroy();
    }
    world.close();
  }

  private String start(MeshTls tls, MtlsMode mode) throws Exception {
    tomcat = new Tomcat();
    tomcat.setBaseDir(dir.resolve("tomcat").toString());
    Connector connector = MeshTomcat.connector(tls, mode, 0);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    Tomcat.addServlet(context, "who", servlet);
    context.addServletMappingDecoded("/*", "who");
    tomcat.start();
    return "127.0.0.1:" + connector.getLocalPort();
  }

  @Test
  void strictAcceptsAMeshClientAndTheServletSeesItsSpiffeId() throws Exception {
    String address = start(world.workload(CATALOG, Duration.ofHours(1)), MtlsMode.STRICT);
    MeshTls client = world.workload(FRONTEND, Duration.ofHours(1));

    assertThat(get(TlsWorld.client(client), "https://" + address + "/"))
        .isEqualTo("mtls " + FRONTEND + " " + client.certificate().serial());
  }

  @ParameterizedTest
  @EnumSource(TlsWorld.BadClient.class)
  void strictRejectsClientsWithoutAValidMeshCertificate(TlsWorld.BadClient kind) throws Exception {
    String address = start(world.workload(CATALOG, Duration.ofHours(1)), MtlsMode.STRICT);

    assertThatThrownBy(() -> get(world.badClient(kind), "https://" + address + "/")).isInstanceOf(IOException.class);
    assertThat(servlet.requests).hasValue(0);
  }

  @Test
  void theClientRejectsAServerPresentingTheWrongSpiffeId() throws Exception {
    String address = start(world.workload(FRONTEND, Duration.ofHours(1)), MtlsMode.STRICT);

    Throwable failure = catchThrowable(() ->
        get(TlsWorld.client(world.workload(FRONTEND, Duration.ofHours(1))), "https://" + address + "/"));

    PeerIdentityException mismatch = MeshTls.peerIdentityFailure(failure);
    assertThat(mismatch).isNotNull();
    assertThat(mismatch.expected()).isEqualTo(CATALOG);
    assertThat(mismatch.actual()).isEqualTo(FRONTEND);
  }

  @Test
  void disableServesPlaintext() throws Exception {
    String address = start(world.workload(CATALOG, Duration.ofHours(1)), MtlsMode.DISABLE);

    assertThat(get(new OkHttpClient(), "http://" + address + "/")).isEqualTo("plaintext secure=false");
  }

  @Test
  void permissiveIsRefusedWithTheReason() {
    MeshTls tls = world.workload(CATALOG, Duration.ofHours(1));

    assertThatThrownBy(() -> MeshTomcat.connector(tls, MtlsMode.PERMISSIVE, 0))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("decides TLS per endpoint")
        .hasMessageContaining("MeshJetty");
  }

  @Test
  void followsCertificateRotationWithoutRestartOrReload() throws Exception {
    MeshTls server = world.workload(CATALOG, Duration.ofSeconds(2));
    String address = start(server, MtlsMode.STRICT);
    MeshTls client = world.workload(FRONTEND, Duration.ofHours(1));
    OkHttpClient keepAlive = TlsWorld.client(client);
    String first = serverSerial(client, address);
    get(keepAlive, "https://" + address + "/");

    // A new client context each time: a full handshake, so the certificate the server presents now is visible.
    await().atMost(Duration.ofSeconds(5)).until(() -> !serverSerial(client, address).equals(first));

    // It rotates about every 1.3 s: what it serves is the certificate it holds just before or just after.
    String before = server.certificate().serial();
    String served = serverSerial(client, address);
    String after = server.certificate().serial();
    assertThat(served).isIn(before, after);
    assertThat(get(keepAlive, "https://" + address + "/")).startsWith("mtls " + FRONTEND);
  }

  private static String serverSerial(MeshTls client, String address) throws IOException {
    try (Response r = TlsWorld.client(client).newCall(
        new Request.Builder().url("https://" + address + "/").build()).execute()) {
      return ((java.security.cert.X509Certificate) r.handshake().peerCertificates().get(0))
          .getSerialNumber().toString(16);
    }
  }
}
