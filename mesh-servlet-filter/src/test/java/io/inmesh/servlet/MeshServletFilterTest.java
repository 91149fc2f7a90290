package io.inmesh.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The filter on real embedded Tomcat 11 and Jetty 12 servers. */
class MeshServletFilterTest {
  static final List<String> CONTAINERS = ServletContainer.NAMES;
  static final String FRONTEND = "spiffe://cluster.local/ns/shop/sa/frontend";
  static final String CONFIG = """
      telemetry: {tracing: {enabled: false}} # spans are not what these tests look at
      mesh: {defaultNamespace: shop, defaults: {mtlsMode: DISABLE}} # plaintext servers
      inbound:
        authorization:
          - name: deny-admin
            namespace: shop
            action: DENY
            rules: [{to: [{operation: {paths: [/admin, /admin/*]}}]}]
          - name: shop-callers
            namespace: shop
            rules:
              - from: [{source: {namespaces: [shop]}}]
              - to: [{operation: {paths: [/public/*], methods: [GET]}}]
        rateLimits:
          - name: limited
            scope: CLIENT
            match: [{uri: {prefix: /limited}}]
            tokenBucket: {maxTokens: 2, fillInterval: 1h}
      """;

  @TempDir Path dir;
  final OkHttpClient client = new OkHttpClient();
  final RecordingServlet app = new RecordingServlet();
  Mesh mesh;
  ServletContainer server;

  @AfterEach
  void close() throws Exception {
    if (server != null) {
      server.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  void start(String container) throws Exception {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, CONFIG);
    mesh = Mesh.builder().workload("catalog").config(file).watch(false).loadStageProviders(false).build();
    server = ServletContainer.start(container, dir, List.of(TestPeers.filter(), MeshServlet.filter(mesh)), app);
  }

  Response call(String path, String peer) throws Exception {
    Request.Builder b = new Request.Builder().url("http://127.0.0.1:" + server.port() + path);
    if (peer != null) {
      b.header(TestPeers.HEADER, peer);
    }
    return client.newCall(b.build()).execute();
  }

  @ParameterizedTest
  @FieldSource("CONTAINERS")
  void aForwardInsideTheApplicationStillSeesTheMeshsAttributes(String container) throws Exception {
    start(container);
    try (Response r = call("/forward/products/1", FRONTEND)) {
      assertThat(r.code()).isEqualTo(200);
    }
    // The filter runs for REQUEST dispatches only: the forwarded request is the application's own, which still
    // answers the peer and the judged path (they are read through the request the filter passed on).
    assertThat(app.seen).singleElement().satisfies(s -> {
      assertThat(s.path()).endsWith("/forwarded/products/1");
      assertThat(s.judged()).isEqualTo("/forward/products/1");
      assertThat(s.spiffeAttribute()).isEqualTo(FRONTEND);
      assertThat(s.principal()).isEqualTo(FRONTEND);
    });
  }

  @ParameterizedTest
  @FieldSource("CONTAINERS")
  void anAllowedPeerReachesTheApplicationWithItsSpiffeIdAsUserPrincipal(String container) throws Exception {
    start(container);
    try (Response r = call("/products/1", FRONTEND)) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().string()).isEqualTo("served /products/1");
    }
    RecordingServlet.Seen seen = app.seen.poll();
    assertThat(seen.principal()).isEqualTo(FRONTEND);
    assertThat(seen.spiffeAttribute()).isEqualTo(FRONTEND);
    assertThat(seen.authType()).isEqualTo("CLIENT_CERT");
    assertThat(seen.judged()).isEqualTo("/products/1");
  }

  @ParameterizedTest
  @FieldSource("CONTAINERS")
  void aDeniedRequestGets403WithEnvoysBodyAndNeverReachesTheApplication(String container) throws Exception {
    start(container);
    try (Response r = call("/admin/users", FRONTEND)) {
      assertThat(r.code()).isEqualTo(403);
      assertThat(r.body().string()).isEqualTo("RBAC: access denied\n");
    }
    try (Response r = call("/products/1", "spiffe://cluster.local/ns/other/sa/x")) {
      assertThat(r.code()).isEqualTo(403);
    }
    try (Response r = call("/products/1", null)) {
      assertThat(r.code()).as("plaintext caller: no principal, no namespace").isEqualTo(403);
    }
    assertThat(app.seen).isEmpty();
  }

  @ParameterizedTest
  @FieldSource("CONTAINERS")
  void aPlaintextCallerIsAllowedWhereAPolicyRuleNeedsNoIdentity(String container) throws Exception {
    start(container);
    try (Response r = call("/public/x?next=/admin", null)) {
      assertThat(r.code()).isEqualTo(200);
    }
    RecordingServlet.Seen seen = app.seen.poll();
    assertThat(seen.principal()).isNull();
    assertThat(seen.path()).isEqualTo("/public/x");
  }

  @ParameterizedTest
  @FieldSource("CONTAINERS")
  void overTheLimitGets429WithRateLimitHeaders(String container) throws Exception {
    start(container);
    for (int i = 0; i < 2; i++) {
      try (Response r = call("/limited", FRONTEND)) {
        assertThat(r.code()).isEqualTo(200);
      }
    }
    try (Response r = call("/limited", FRONTEND)) {
      assertThat(r.code()).isEqualTo(429);
      assertThat(r.header("x-ratelimit-limit")).isEqualTo("2");
      assertThat(r.header("x-ratelimit-remaining")).isEqualTo("0");
      assertThat(Long.parseLong(r.header("x-ratelimit-reset"))).isBetween(1L, 3600L);
      assertThat(r.header("retry-after")).isEqualTo(r.header("x-ratelimit-reset"));
      assertThat(r.body().string()).isEqualTo("local_rate_limited\n");
    }
    try (Response r = call("/limited", "spiffe://cluster.local/ns/shop/sa/other")) {
      assertThat(r.code()).as("another client has its own bucket").isEqualTo(200);
    }
    assertThat(app.seen).hasSize(3);
  }

  @ParameterizedTest
  @FieldSource("CONTAINERS")
  void anApplicationExceptionReachesTheContainerAsWithoutTheMesh(String container) throws Exception {
    start(container);
    try (Response r = call("/boom", FRONTEND)) {
      assertThat(r.code()).isEqualTo(500);
    }
  }
}
