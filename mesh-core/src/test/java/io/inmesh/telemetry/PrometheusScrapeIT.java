package io.inmesh.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.inmesh.Mesh;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.tls.SpiffeId;
import io.inmesh.tls.WorkloadCertificate;
import io.inmesh.tls.internal.DevCa;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance with a real Prometheus (the Debian package, installed by .ci/run): a meshed client calls a meshed server
 * over real mutual TLS on loopback under load, with 10 % of the answers failing; Prometheus scrapes both admin
 * endpoints every second, and the four queries of the seed file must return sensible data.
 */
class PrometheusScrapeIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int ERROR_EVERY = 10; // 10 % injected 500s
  @TempDir Path dir;
  Mesh backend;
  Mesh frontend;
  HttpsServer server;
  ExecutorService serverThreads;
  Process prometheus;

  @AfterEach
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (server != null) {
      server.stop(0);
      serverThreads.shutdownNow();
    }
    if (frontend != null) {
      frontend.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  static String prometheusBinary() {
    for (String p : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(p, "prometheus"))) {
        return Path.of(p, "prometheus").toString();
      }
    }
    return null;
  }

  @Test
  void seedQueriesReturnRequestRateErrorRateLatencyAndMutualTlsConnections() throws Exception {
    String binary = prometheusBinary();
    assumeTrue(binary != null, "prometheus is not installed (apt-get install --no-install-recommends prometheus; "
        + ".ci/run installs it): skipping the Prometheus acceptance test");

    DevCa ca = DevCa.init(dir.resolve("ca"), Instant.now());
    SSLContext serverTls = tls(ca.issue(SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/backend"), Instant.now(),
        Duration.ofHours(1)));
    SSLContext clientTls = tls(ca.issue(SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/frontend"), Instant.now(),
        Duration.ofHours(1)));

    // The server: a JDK HTTPS server requiring client certificates, running the backend's inbound pipeline.
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = serverTls.getDefaultSSLParameters();
        p.setNeedClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    serverThreads = Executors.newFixedThreadPool(4);
    server.setExecutor(serverThreads);
    int port = server.getAddress().getPort();
    Path config = Files.writeString(dir.resolve("mesh.yaml"), TelemetryTestSupport.config("")
        .replace("port: 9090", "port: " + port).replace("admin: {port: 0}", "admin: {port: 0}\ntelemetry: "
            + "{tracing: {randomSamplingPercentage: 1}}"));
    backend = Mesh.builder().workload("backend").config(config).watch(false).loadStageProviders(false).build();
    frontend = Mesh.builder().workload("frontend").config(config).watch(false).loadStageProviders(false).build();
    MeshTelemetry backendTelemetry = backend.feature(MeshTelemetry.class);
    AtomicLong served = new AtomicLong();
    MeshService app = (ctx, req) -> {
      long n = served.incrementAndGet();
      try {
        Thread.sleep(2); // the application's work: a few milliseconds
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return CompletableFuture.completedFuture(MeshResponse.synthesized(n % ERROR_EVERY == 0 ? 500 : 200));
    };
    Set<Integer> connections = ConcurrentHashMap.newKeySet();
    server.createContext("/", ex -> {
      try (ex) {
        X509Certificate peer = (X509Certificate) ((HttpsExchange) ex).getSSLSession().getPeerCertificates()[0];
        String principal = SpiffeId.fromCertificate(peer).principal();
        // The JDK server has no connection callback: a new client port is a new connection.
        if (connections.add(ex.getRemoteAddress().getPort())) {
          backendTelemetry.connectionOpened(new TcpConnection(Direction.INBOUND, null, principal, true));
        }
        MeshRequest req = MeshRequest.builder().method(ex.getRequestMethod()).authority("backend")
            .target(ex.getRequestURI().toString()).build();
        MeshContext ctx = backend.state().newContext(Direction.INBOUND, app).peerPrincipal(principal)
            .remoteAddress(ex.getRemoteAddress().getAddress().getHostAddress());
        MeshResponse r = backend.state().execute(ctx, req).join();
        ex.sendResponseHeaders(r.status(), -1);
      }
    });
    server.start();

    // Prometheus scrapes both admin endpoints every second.
    int promPort;
    try (ServerSocket s = new ServerSocket(0)) {
      promPort = s.getLocalPort();
    }
    Path promConfig = Files.writeString(dir.resolve("prometheus.yml"), """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: inmesh
            static_configs:
              - targets: ['127.0.0.1:%d', '127.0.0.1:%d']
        """.formatted(backend.feature(MeshTelemetry.class).adminAddress().getPort(),
            frontend.feature(MeshTelemetry.class).adminAddress().getPort()));
    prometheus = new ProcessBuilder(binary, "--config.file=" + promConfig,
        "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    HttpClient http = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + promPort + "/-/ready")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

    // Load: the frontend calls the backend through its outbound pipeline, over mTLS.
    HttpClient mtls = HttpClient.newBuilder().sslContext(clientTls).version(HttpClient.Version.HTTP_1_1).build();
    MeshService transport = (ctx, req) -> {
      String address = ctx.endpoint() != null ? ctx.endpoint().address() : "127.0.0.1:" + port;
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://" + address + req.path()))
          .timeout(Duration.ofSeconds(5));
      for (String name : List.of("traceparent", "x-mesh-attempt")) {
        String v = req.headers().get(name);
        if (v != null) {
          b.header(name, v);
        }
      }
      return mtls.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding())
          .thenApply(r -> new MeshResponse(r.statusCode(), MeshHeaders.empty(), r));
    };
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService load = Executors.newFixedThreadPool(2);
    AtomicLong sent = new AtomicLong();
    for (int t = 0; t < 2; t++) {
      load.submit(() -> {
        while (running.get()) {
          MeshRequest req = MeshRequest.builder().authority("backend").target("/api/items").build();
          frontend.outbound(req, transport).handle((r, e) -> sent.incrementAndGet()).join();
        }
      });
    }
    try {
      String base = "http://127.0.0.1:" + promPort + "/api/v1/query?query=";
      // The four queries of shared/seed-examples/promql-queries.txt, as written.
      JsonNode rate = await().atMost(Duration.ofSeconds(40)).until(
          () -> query(http, base, "rate(istio_requests_total[5m])"), r -> sum(r) > 0 && r.size() >= 4);
      JsonNode errors = query(http, base, "rate(istio_requests_total{response_code=~\"5..\"}[5m])");
      JsonNode p99 = await().atMost(Duration.ofSeconds(20)).until(() -> query(http, base,
          "histogram_quantile(0.99, rate(istio_request_duration_milliseconds_bucket[5m]))"),
          r -> r.size() > 0 && r.get(0).get("value").get(1).asText().matches("[0-9.]+"));
      JsonNode mtlsConnections = query(http, base, "istio_tcp_connections_opened_total{security_policy=\"mutual_tls\"}");

      // Both reporters (source and destination) see every request.
      assertThat(rate).extracting(r -> r.get("metric").get("reporter").asText()).contains("source", "destination");
      assertThat(errors).isNotEmpty();
      double errorShare = sum(errors) / sum(rate);
      assertThat(errorShare).as("error share, injected %d %%", 100 / ERROR_EVERY).isBetween(0.05, 0.15);
      for (JsonNode series : p99) {
        String v = series.get("value").get(1).asText();
        if (!v.equals("NaN")) {
          // Work takes ~2 ms plus TLS and scheduling on 2 cores: p99 lands in Istio's 5, 10 or 25 ms bucket.
          assertThat(Double.parseDouble(v)).as("p99 of %s", series.get("metric")).isBetween(1.0, 250.0);
        }
      }
      assertThat(mtlsConnections).isNotEmpty();
      assertThat(mtlsConnections.get(0).get("metric").get("source_principal").asText())
          .isEqualTo("spiffe://cluster.local/ns/shop/sa/frontend");
      assertThat(sum(mtlsConnections)).isGreaterThanOrEqualTo(1);
    } finally {
      running.set(false);
      load.shutdown();
      load.awaitTermination(10, TimeUnit.SECONDS);
    }
    assertThat(sent.get()).isGreaterThan(100);
  }

  private static JsonNode query(HttpClient http, String base, String promql) throws IOException, InterruptedException {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(
        base + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofInputStream());
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("status").asText()).as(promql).isEqualTo("success");
    return body.get("data").get("result");
  }

  private static double sum(JsonNode result) {
    double s = 0;
    for (JsonNode series : result) {
      String v = series.get("value").get(1).asText();
      if (!v.equals("NaN")) {
        s += Double.parseDouble(v);
      }
    }
    return s;
  }

  private static SSLContext tls(WorkloadCertificate wc) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("workload", wc.privateKey(), new char[0], wc.chain().toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (X509Certificate c : wc.trustBundle()) {
      trust.setCertificateEntry("ca" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), new TrustManager[] {new SpiffeOnly((X509TrustManager) tmf.getTrustManagers()[0])},
        null);
    return ctx;
  }

  /**
   * Mesh certificates name a SPIFFE identity, not a host: validate the chain and check the identity, as the mesh's
   * own trust manager does, instead of the HTTP client's host name check.
   */
  private static final class SpiffeOnly extends X509ExtendedTrustManager {
    private final X509TrustManager delegate;

    SpiffeOnly(X509TrustManager delegate) {
      this.delegate = delegate;
    }

    private void server(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
      if (SpiffeId.fromCertificate(chain[0]) == null) {
        throw new CertificateException("no SPIFFE identity");
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      server(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      server(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      server(chain, authType);
    }
  }

}
