package io.inmesh.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.tls.internal.DevCa;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshTlsTest {
  private static final SpiffeId CATALOG = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/catalog");
  private static final SpiffeId FRONTEND = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/frontend");

  @TempDir Path dir;
  private ScheduledExecutorService scheduler;
  private final java.util.List<AutoCloseable> closeables = new java.util.ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    DevCa.init(dir.resolve("ca"), Instant.now());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    scheduler.shutdownNow();
  }

  private String devCaYaml(String caDir, String ttl, String mode) {
    return "mesh:\n  defaults: {mtlsMode: " + mode + "}\n  identity:\n    devCa: {directory: '" + caDir
        + "', certificateTtl: " + ttl + "}\n";
  }

  private MeshTls tls(String name, String yaml) {
    WorkloadIdentity w = TlsFixtures.workload(name, "shop", Map.of("app", name));
    MeshTls tls = MeshTls.create(TlsFixtures.environment(yaml, w, scheduler));
    closeables.add(tls);
    return tls;
  }

  private MeshTls tls(String name) {
    return tls(name, devCaYaml(dir.resolve("ca").toString(), "1h", "STRICT"));
  }

  @Test
  void issuesTheWorkloadItsOwnSpiffeIdentityFromTheDevCa() {
    MeshTls tls = tls("catalog");

    assertThat(tls.certificate().spiffeId()).isEqualTo(CATALOG);
    assertThat(tls.status().healthy()).isTrue();
    assertThat(tls.status().provider()).contains(dir.resolve("ca").toString());
  }

  @Test
  void createsTheDevCaOnFirstUseWhenItIsMissingAndMtlsIsOn() throws Exception {
    Path missing = dir.resolve("missing-ca");
    MeshTls tls = tls("catalog", devCaYaml(missing.toString(), "1h", "STRICT"));

    assertThat(tls.certificate().spiffeId()).isEqualTo(CATALOG);
    assertThat(java.nio.file.Files.getPosixFilePermissions(missing.resolve("ca.key")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(tls.certificate().trustBundle().get(0))
        .isEqualTo(io.inmesh.tls.internal.DevCa.load(missing).certificate());
  }

  @Test
  void failsStartUpWithAClearMessageWhenTheDevCaCannotBeCreated() throws Exception {
    Path blocker = java.nio.file.Files.writeString(dir.resolve("a-file"), "not a directory");
    String impossible = blocker.resolve("ca").toString();
    assertThatThrownBy(() -> tls("catalog", devCaYaml(impossible, "1h", "STRICT")))
        .isInstanceOf(IdentityException.class)
        .hasMessageContaining("no workload identity for " + CATALOG)
        .hasMessageContaining(impossible)
        .hasMessageContaining("mesh.defaults.mtlsMode: DISABLE");
  }

  @Test
  void startsWithoutIdentityWhenMtlsIsDisabledEverywhereAndHandshakesThenFailNamingWhy() throws Exception {
    MeshTls tls = tls("catalog", devCaYaml(dir.resolve("missing-ca").toString(), "1h", "DISABLE"));

    assertThat(tls.certificate()).isNull();
    assertThat(tls.status().healthy()).isFalse();
    assertThatThrownBy(() -> tls.trustManager().checkClientTrusted(
        tls("frontend").certificate().chain().toArray(new java.security.cert.X509Certificate[0]), "EC"))
        .hasMessageContaining("mTLS is disabled");
  }

  @Test
  void rotatesAtTwoThirdsOfTheLifetimeOnTheScheduler() {
    MeshTls tls = tls("catalog", devCaYaml(dir.resolve("ca").toString(), "3s", "STRICT"));
    WorkloadCertificate first = tls.certificate();
    long start = System.nanoTime();

    await().atMost(Duration.ofSeconds(5)).until(() -> !tls.certificate().serial().equals(first.serial()));

    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(elapsedMillis).isBetween(1000L, 3000L);
    assertThat(tls.certificate().spiffeId()).isEqualTo(CATALOG);
    assertThat(tls.certificate().notAfter()).isAfter(first.notAfter());
    assertThat(tls.status().updates()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void keepsTheIdentityAndRejectsAConfigurationWhoseCaIsMissing() {
    MeshTls tls = tls("catalog");
    WorkloadCertificate before = tls.certificate();
    WorkloadIdentity w = TlsFixtures.workload("catalog", "shop", Map.of("app", "catalog"));
    MeshSnapshot bad = TlsFixtures.snapshot(devCaYaml(dir.resolve("missing").toString(), "1h", "STRICT"), w, 2);

    assertThatThrownBy(() -> tls.onSnapshot(bad)).isInstanceOf(IdentityException.class);
    assertThat(tls.certificate()).isSameAs(before);
  }

  @Test
  void switchesToANewCaWhenTheConfigurationNamesOne() throws Exception {
    MeshTls tls = tls("catalog");
    DevCa other = DevCa.init(dir.resolve("ca2"), Instant.now());
    WorkloadIdentity w = TlsFixtures.workload("catalog", "shop", Map.of("app", "catalog"));

    tls.onSnapshot(TlsFixtures.snapshot(devCaYaml(dir.resolve("ca2").toString(), "1h", "STRICT"), w, 2));

    assertThat(tls.certificate().trustBundle()).containsExactly(other.certificate());
  }

  // ---------------------------------------------------------------- real handshakes

  /** An HTTPS server requiring a client certificate; answers with the client's SPIFFE ID. */
  private InetSocketAddress server(MeshTls tls) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()) {
      @Override
      public void configure(HttpsParameters params) {
        var p = tls.sslParameters();
        p.setNeedClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    server.createContext("/", exchange -> {
      SpiffeId peer = MeshTls.peerIdentity(((HttpsExchange) exchange).getSSLSession());
      byte[] body = String.valueOf(peer).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    closeables.add(() -> server.stop(0));
    return server.getAddress();
  }

  private HttpResponse<String> get(MeshClientTls client, InetSocketAddress address) throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(client.sslContext()).build();
    return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + address.getPort() + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void mutualTlsVerifiesTheServerBySpiffeIdAndTheServerSeesTheClientIdentity() throws Exception {
    InetSocketAddress address = server(tls("catalog"));
    MeshClientTls client = tls("frontend").client(host -> host.equals("127.0.0.1") ? CATALOG : null);

    HttpResponse<String> response = get(client, address);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(FRONTEND.toString());
    assertThat(response.sslSession().map(s -> s.getProtocol())).contains("TLSv1.3");
  }

  @Test
  void theClientRejectsAServerPresentingAnotherIdentityNamingBoth() throws Exception {
    InetSocketAddress address = server(tls("impostor"));
    MeshClientTls client = tls("frontend").client(host -> CATALOG);

    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> get(client, address));

    PeerIdentityException mismatch = MeshTls.peerIdentityFailure(failure);
    assertThat(mismatch).isNotNull();
    assertThat(mismatch.expected()).isEqualTo(CATALOG);
    assertThat(mismatch.actual()).isEqualTo(SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/impostor"));
    assertThat(mismatch).hasMessageContaining(CATALOG.toString()).hasMessageContaining("sa/impostor");
  }

  @Test
  void verifyPeerAndTheHostnameVerifierCompareSpiffeIdsNotHostNames() throws Exception {
    InetSocketAddress address = server(tls("catalog"));
    MeshTls client = tls("frontend");
    try (SSLSocket socket = (SSLSocket) client.sslContext().getSocketFactory()
        .createSocket("127.0.0.1", address.getPort())) {
      socket.startHandshake();
      var session = socket.getSession();

      client.verifyPeer(session, CATALOG);
      assertThatThrownBy(() -> client.verifyPeer(session, FRONTEND))
          .isInstanceOf(PeerIdentityException.class)
          .hasMessage("peer identity mismatch: expected " + FRONTEND + ", peer presented " + CATALOG);
      assertThat(client.hostnameVerifier(h -> CATALOG).verify("catalog.mesh.internal", session)).isTrue();
      assertThat(client.hostnameVerifier(h -> FRONTEND).verify("127.0.0.1", session)).isFalse();
      assertThat(client.hostnameVerifier(h -> null).verify("127.0.0.1", session)).isFalse();
    }
  }

  @Test
  void aPemFileSwapIsPresentedToNewConnectionsWithoutRestart() throws Exception {
    DevCa ca = DevCa.load(dir.resolve("ca"));
    Path chain = dir.resolve("pem/tls.crt");
    Path key = dir.resolve("pem/tls.key");
    Path bundle = dir.resolve("pem/ca.crt");
    WorkloadCertificate first = ca.issue(CATALOG, Instant.now(), Duration.ofHours(1));
    writePem(first, chain, key, bundle);
    MeshTls server = tls("catalog", "mesh:\n  identity:\n    provider: PEM_FILES\n    pemFiles: {certificateChain: '"
        + chain + "', privateKey: '" + key + "', trustBundle: '" + bundle + "'}\n");
    InetSocketAddress address = server(server);
    MeshTls client = tls("frontend");
    assertThat(serverSerial(client, address)).isEqualTo(first.serial());

    WorkloadCertificate second = ca.issue(CATALOG, Instant.now(), Duration.ofHours(2));
    writePem(second, chain, key, bundle);

    await().atMost(Duration.ofSeconds(10)).until(() -> serverSerial(client, address).equals(second.serial()));
  }

  private static void writePem(WorkloadCertificate wc, Path chain, Path key, Path bundle) throws IOException {
    io.inmesh.tls.internal.Pem.writeCertificates(chain, wc.chain());
    io.inmesh.tls.internal.Pem.writePrivateKey(key, wc.privateKey());
    io.inmesh.tls.internal.Pem.writeCertificates(bundle, wc.trustBundle());
  }

  /** The serial of the certificate the server presents to a new client (fresh context: no session resumption). */
  private static String serverSerial(MeshTls client, InetSocketAddress address) throws IOException {
    MeshClientTls fresh = client.client(h -> CATALOG);
    try (SSLSocket socket = (SSLSocket) fresh.sslContext().getSocketFactory()
        .createSocket("127.0.0.1", address.getPort())) {
      socket.startHandshake();
      return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
          .getSerialNumber().toString(16);
    }
  }
}
