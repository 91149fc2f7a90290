package io.inmesh.http.seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.Mesh;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.SpiffeId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLSocket;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/**
 * istio-zero-trust.yaml over real mTLS: payment-service (production) is a meshed Jetty server whose connector serves
 * the seed's STRICT PeerAuthentication and whose servlet filter enforces its AuthorizationPolicies; the callers are
 * meshed OkHttp clients with dev-CA identities. With deny-all alone every request is 403; with allow-specific,
 * {@code cluster.local/ns/default/sa/authenticated-service} may GET and POST {@code /api/*} and nothing else.
 */
class ZeroTrustSeedTest extends SeedTest {
  private static final String SEED = "istio-zero-trust.yaml";
  private static final String AUTHENTICATED = "spiffe://cluster.local/ns/default/sa/authenticated-service";

  MeshedServer payments;
  /** cluster.local/ns/default/sa/authenticated-service: the principal allow-specific names. */
  Mesh authenticated;
  OkHttpClient authenticatedClient;
  /** cluster.local/ns/default/sa/other-service. */
  OkHttpClient otherClient;
  /** The right service account in another namespace: cluster.local/ns/production/sa/authenticated-service. */
  OkHttpClient otherNamespaceClient;

  /** The meshes and the server over the seed's documents {@code seedText}. */
  private void start(String seedText) throws Exception {
    int port = SeedMeshes.freePort();
    Path config = seeds.config("""
        mesh:
          identity: {devCa: {directory: '%%CA%%'}}
        admin: {enabled: false}
        services:
          - name: payment-service
            namespace: production
            endpoints: [{address: 127.0.0.1, port: %d}]
        """.formatted(port), seedText);
    Mesh server = seeds.mesh(config, "payment-service", UnaryOperator.identity());
    payments = seeds.closeLater(MeshedServer.start(server, port));
    authenticated = seeds.mesh(config, "authenticated-service", UnaryOperator.identity());
    authenticatedClient = Calls.client(authenticated);
    otherClient = Calls.client(seeds.mesh(config, "other-service", UnaryOperator.identity()));
    otherNamespaceClient = Calls.client(seeds.mesh(config, "authenticated-service", b -> b.namespace("production")));
  }

  private static int status(OkHttpClient client, String method, String path) throws IOException {
    Calls.Reply r = Calls.call(client, method, "http://payment-service" + path);
    if (r.status() == 403) {
      assertThat(r.body()).isEqualToIgnoringNewLines("RBAC: access denied");
    }
    return r.status();
  }

  /** A request sent as written, over mTLS with authenticated-service's identity, after checking the server's. */
  private String rawAsAuthenticated(String method, String target) throws Exception {
    MeshTls tls = authenticated.feature(MeshTls.class);
    SSLSocket socket = RawHttp.tls(tls.sslContext(), payments.port());
    socket.setSSLParameters(tls.sslParameters());
    socket.startHandshake();
    tls.verifyPeer(socket.getSession(), SpiffeId.parse("spiffe://cluster.local/ns/production/sa/payment-service"));
    return RawHttp.exchange(socket, method, target, "payment-service");
  }

  @Test
  void denyAllAloneDeniesEveryRequest() throws Exception {
    start(SeedMeshes.documents(SEED, "deny-all", "default"));

    for (OkHttpClient client : List.of(authenticatedClient, otherClient, otherNamespaceClient)) {
      for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
        for (String path : List.of("/api/payments", "/api/payments/7", "/admin", "/")) {
          assertThat(status(client, method, path)).as("%s %s", method, path).isEqualTo(403);
        }
      }
    }
    assertThat(payments.reached()).isEmpty();
  }

  @Test
  void allowSpecificLetsTheAuthenticatedServiceGetAndPostUnderApi() throws Exception {
    start(SeedMeshes.seed(SEED));

    Calls.Reply get = Calls.get(authenticatedClient, "http://payment-service/api/payments/7");
    Calls.Reply post = Calls.call(authenticatedClient, "POST", "http://payment-service/api/charges");

    assertThat(get.status()).isEqualTo(200);
    assertThat(get.body()).isEqualTo("GET /api/payments/7 by " + AUTHENTICATED);
    assertThat(post.status()).isEqualTo(200);
    assertThat(post.body()).isEqualTo("POST /api/charges by " + AUTHENTICATED);
    assertThat(payments.reached()).hasSize(2);
  }

  @Test
  void allowSpecificDeniesOtherPrincipalsMethodsAndPaths() throws Exception {
    start(SeedMeshes.seed(SEED));

    for (OkHttpClient other : List.of(otherClient, otherNamespaceClient)) {
      assertThat(status(other, "GET", "/api/payments/7")).isEqualTo(403);
      assertThat(status(other, "POST", "/api/charges")).isEqualTo(403);
    }
    for (String method : List.of("PUT", "DELETE", "PATCH")) {
      assertThat(status(authenticatedClient, method, "/api/payments/7")).as(method).isEqualTo(403);
    }
    for (String path : List.of("/admin", "/api", "/apiary", "/v2/api/payments", "/")) {
      assertThat(status(authenticatedClient, "GET", path)).as(path).isEqualTo(403);
    }
    assertThat(payments.reached()).isEmpty();
  }

  @Test
  void pathTricksThatLeaveApiAreDenied() throws Exception {
    start(SeedMeshes.seed(SEED));

    String control = rawAsAuthenticated("GET", "/api/payments/7");
    assertThat(RawHttp.status(control)).as(control).isEqualTo(200);
    for (String trick : List.of("/api/../admin", "/api/./../admin", "/api/payments/../../admin")) {
      String response = rawAsAuthenticated("GET", trick);
      assertThat(RawHttp.status(response)).as("%s -> %s", trick, response).isEqualTo(403);
      assertThat(response).as("denied by the mesh's authorization").contains("RBAC: access denied");
    }
    for (String encoded : List.of("/api/%2e%2e/admin", "/api/..%2fadmin", "/api%2f..%2fadmin", "/api/..%5cadmin")) {
      String response = rawAsAuthenticated("GET", encoded);
      // The container may refuse an encoded dot segment or separator itself (400) before the mesh judges it.
      System.out.printf("%s -> %s%n", encoded, response.lines().findFirst().orElse(response));
      assertThat(RawHttp.status(response)).as("%s -> %s", encoded, response).isIn(400, 403);
    }
    assertThat(payments.reached()).containsExactly("GET /api/payments/7 by " + AUTHENTICATED);
  }

  @Test
  void strictPeerAuthenticationRefusesPlaintextAndTlsWithoutAClientCertificate() throws Exception {
    start(SeedMeshes.seed(SEED));

    String plaintext = RawHttp.exchange(RawHttp.plain(payments.port()), "GET", "/api/payments/7", "payment-service");
    String anonymousTls = RawHttp.exchange(RawHttp.tls(RawHttp.withoutClientCertificate(), payments.port()), "GET",
        "/api/payments/7", "payment-service");
    OkHttpClient unmeshed = new OkHttpClient();

    System.out.printf("STRICT payment-service: plaintext -> %s; TLS without certificate -> %s%n",
        firstLine(plaintext), firstLine(anonymousTls));
    assertThat(plaintext).doesNotStartWith("HTTP/");
    assertThat(anonymousTls).doesNotStartWith("HTTP/");
    assertThatThrownBy(() -> unmeshed.newCall(new Request.Builder()
        .url("http://127.0.0.1:" + payments.port() + "/api/payments/7").build()).execute())
        .isInstanceOf(IOException.class);
    assertThat(payments.reached()).isEmpty();
    assertThat(Calls.get(authenticatedClient, "http://payment-service/api/payments/7").status())
        .as("the same request with the mesh identity").isEqualTo(200);
  }

  /** The first line of a raw response, bytes that are not printable ASCII (a TLS alert record) in hex. */
  static String firstLine(String response) {
    if (response.isEmpty()) {
      return "<closed without a byte>";
    }
    StringBuilder sb = new StringBuilder();
    for (char c : response.lines().findFirst().orElse(response).toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
    }
    return sb.toString();
  }
}
