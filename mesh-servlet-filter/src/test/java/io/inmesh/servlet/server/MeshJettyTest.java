package io.inmesh.servlet.server;

import static io.inmesh.servlet.server.TlsWorld.CATALOG;
import static io.inmesh.servlet.server.TlsWorld.FRONTEND;
import static io.inmesh.servlet.server.TlsWorld.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.inmesh.config.MtlsMode;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.PeerIdentityException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.io.ConnectionStatistics;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MeshJettyTest {
  @TempDir Path dir;
  private TlsWorld world;
  private Server server;
  private ServerConnector connector;
  private final TlsWorld.WhoAmI servlet = new TlsWorld.WhoAmI();
  private final AtomicInteger handshakes = new AtomicInteger();
  private final AtomicInteger failedHandshakes = new AtomicInteger();
  private final ConnectionStatistics connections = new ConnectionStatistics();

  @BeforeEach
  void setUp() throws Exception {
    world = new TlsWorld(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.stop();
    }
    world.close();
  }

  private String start(MeshTls tls, MtlsMode mode) throws Exception {
    server = new Server();
    connector = MeshJetty.connector(server, tls, mode, 0);
    connector.addBean(new SslHandshakeListener() {
      @Override
      public void handshakeSucceeded(Event event) {
        handshakes.incrementAndGet();
      }

      @Override
      public void handshakeFailed(Event event, Throwable failure) {
        failedHandshakes.incrementAndGet();
      }
    });
    connector.addBean(connections);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(servlet), "/*");
    server.setHandler(context);
    server.start();
    return "127.0.0.1:" + connector.getLocalPort();
  }

  @Test
  void strictAcceptsAMeshClientAndTheServletSeesItsSpiffeId() throws Exception {
    String address = start(world.workload(CATALOG, Duration.ofHours(1)), MtlsMode.STRICT);
    MeshTls client = world.workload(FRONTEND, Duration.ofHours(1));

    String body = get(TlsWorld.client(client), "https://" + address + "/");

    assertThat(body).isEqualTo("mtls " + FRONTEND + " " + client.certificate().serial());
  }

  @ParameterizedTest
  @EnumSource(TlsWorld.BadClient.class)
  void strictRejectsClientsWithoutAValidMeshCertificate(TlsWorld.BadClient kind) throws Exception {
    String address = start(world.workload(CATALOG, Duration.ofHours(1)), MtlsMode.STRICT);

    assertThatThrownBy(() -> get(world.badClient(kind), "https://" + address + "/")).isInstanceOf(IOException.class);
    assertThat(servlet.requests).hasValue(0);
    assertThat(handshakes).hasValue(0);
  }

  @Test
  void theClientRejectsAServerPresentingTheWrongSpiffeIdNamingBoth() throws Exception {
    String address = start(world.workload(FRONTEND, Duration.ofHours(1)), MtlsMode.STRICT);
    MeshTls client = world.workload(FRONTEND, Duration.ofHours(1));

    // In the handshake: the trust manager of MeshTls.client checks the identity expected for the host.
    Throwable failure = catchThrowable(() -> get(TlsWorld.client(client), "https://" + address + "/"));
    PeerIdentityException mismatch = MeshTls.peerIdentityFailure(failure);
    assertThat(mismatch).isNotNull();
    assertThat(mismatch.getMessage())
        .isEqualTo("peer identity mismatch: expected " + CATALOG + ", peer presented " + FRONTEND);

    // After the handshake: the hostname verifier alone (with the plain mesh context) refuses it too.
    OkHttpClient verifierOnly = new OkHttpClient.Builder()
        .sslSocketFactory(client.sslContext().getSocketFactory(), client.trustManager())
        .hostnameVerifier(client.hostnameVerifier(host -> CATALOG)).build();
    assertThatThrownBy(() -> get(verifierOnly, "https://" + address + "/"))
        .isInstanceOf(SSLPeerUnverifiedException.class);
    assertThat(servlet.requests).hasValue(0);
  }

  @Test
  void permissiveAcceptsMutualTlsAndPlaintextOnOnePortAndTellsThemApart() throws Exception {
    String address = start(world.workload(CATALOG, Duration.ofHours(1)), MtlsMode.PERMISSIVE);
    MeshTls client = world.workload(FRONTEND, Duration.ofHours(1));

    assertThat(get(TlsWorld.client(client), "https://" + address + "/")).startsWith("mtls " + FRONTEND);
    assertThat(get(new OkHttpClient(), "http://" + address + "/")).isEqualTo("plaintext secure=false");
    // TLS without a client certificate is still refused: PERMISSIVE admits plaintext, not anonymous TLS.
    assertThatThrownBy(() -> get(world.badClient(TlsWorld.BadClient.NO_CERTIFICATE), "https://" + address + "/"))
        .isInstanceOf(IOException.class);
    assertThat(servlet.requests).hasValue(2);
  }

  @Test
  void disableServesPlaintextOnly() throws Exception {
    String address = start(world.workload(CATALOG, Duration.ofHours(1)), MtlsMode.DISABLE);

    assertThat(get(new OkHttpClient(), "http://" + address + "/")).isEqualTo("plaintext secure=false");
    assertThatThrownBy(() -> get(TlsWorld.client(world.workload(FRONTEND, Duration.ofHours(1))),
        "https://" + address + "/")).isInstanceOf(IOException.class);
  }

  @Test
  void underSteadyKeepAliveLoadHandshakesStayCloseToConnections() throws Exception {
    String address = start(world.workload(CATALOG, Duration.ofHours(1)), MtlsMode.STRICT);
    OkHttpClient client = TlsWorld.client(world.workload(FRONTEND, Duration.ofHours(1)));
    int threads = 4;
    int perThread = 250;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        for (int i = 0; i < perThread; i++) {
          get(client, "https://" + address + "/");
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();

    assertThat(servlet.requests).hasValue(threads * perThread);
    // About one handshake per client thread for 1,000 requests. OkHttp may dial a few extra TCP connections while the
    // pool is empty and drop them before TLS when a pooled connection frees up: those cost no handshake.
    long opened = connections.getConnectionsTotal();
    assertThat(handshakes.get()).isBetween(1, threads + 2);
    assertThat((long) handshakes.get()).isLessThanOrEqualTo(opened);
    assertThat(opened).isLessThanOrEqualTo(2L * threads);
    assertThat(failedHandshakes).hasValue(0);
  }
}
