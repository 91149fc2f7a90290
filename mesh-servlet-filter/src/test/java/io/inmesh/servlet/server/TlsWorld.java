package io.inmesh.servlet.server;

import io.inmesh.tls.IdentityProvider;
import io.inmesh.tls.MeshClientTls;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.SpiffeId;
import io.inmesh.tls.WorkloadCertificate;
import io.inmesh.tls.internal.DevCa;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * Certificates and clients for the server tests: a mesh CA, a foreign CA, MeshTls instances for workloads, and OkHttp
 * clients presenting good and bad certificates.
 */
final class TlsWorld implements AutoCloseable {
  static final SpiffeId CATALOG = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/catalog");
  static final SpiffeId FRONTEND = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/frontend");

  final Path caDir;
  final DevCa ca;
  final DevCa otherCa;
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  TlsWorld(Path dir) throws IOException {
    this.caDir = dir.resolve("ca");
    this.ca = DevCa.init(caDir, Instant.now());
    this.otherCa = DevCa.init(dir.resolve("other-ca"), Instant.now());
  }

  /** A workload's TLS from the dev CA, rotating every two thirds of {@code ttl}. */
  MeshTls workload(SpiffeId id, Duration ttl) {
    MeshTls tls = MeshTls.of(IdentityProvider.devCa(caDir, id, ttl, Clock.systemUTC(), scheduler),
        Clock.systemUTC());
    closeables.add(tls);
    return tls;
  }

  MeshTls fixed(WorkloadCertificate wc) {
    MeshTls tls = MeshTls.of(IdentityProvider.fixed(wc), Clock.systemUTC());
    closeables.add(tls);
    return tls;
  }

  /** An OkHttp client with {@code tls}'s identity that expects the server to be CATALOG. */
  static OkHttpClient client(MeshTls tls) {
    return client(tls.client(host -> CATALOG));
  }

  static OkHttpClient client(MeshClientTls tls) {
    return new OkHttpClient.Builder()
        .sslSocketFactory(tls.sslContext().getSocketFactory(), tls.trustManager())
        .hostnameVerifier(tls.hostnameVerifier())
        .connectionPool(new ConnectionPool(8, 1, TimeUnit.MINUTES))
        .retryOnConnectionFailure(false)
        .build();
  }

  /** GETs {@code url}; expects a 200 and returns the body. */
  static String get(OkHttpClient client, String url) throws IOException {
    try (okhttp3.Response r = client.newCall(new okhttp3.Request.Builder().url(url).build()).execute()) {
      if (r.code() != 200) {
        throw new AssertionError("status " + r.code() + " from " + url);
      }
      return r.body().string();
    }
  }

  /** The kinds of client certificates a STRICT server must refuse. */
  enum BadClient { NO_CERTIFICATE, OTHER_CA, EXPIRED, NO_SPIFFE_ID }

  /** A client that trusts the mesh CA (so the handshake reaches client authentication) but presents {@code kind}. */
  OkHttpClient badClient(BadClient kind) throws Exception {
    MeshTls trusting = workload(FRONTEND, Duration.ofHours(1));
    MeshClientTls tls = switch (kind) {
      case EXPIRED -> fixed(ca.issue(FRONTEND, Instant.now().minus(Duration.ofHours(2)),
          Instant.now().minus(Duration.ofHours(1)))).client(h -> CATALOG);
      case OTHER_CA -> {
        WorkloadCertificate foreign = otherCa.issue(FRONTEND, Instant.now(), Duration.ofHours(1));
        yield fixed(new WorkloadCertificate(foreign.chain(), foreign.privateKey(), List.of(ca.certificate())))
            .client(h -> CATALOG);
      }
      case NO_CERTIFICATE -> rawClient(null, trusting);
      case NO_SPIFFE_ID -> rawClient(ca.issueWithoutSpiffeId(Instant.now().minusSeconds(60),
          Instant.now().plusSeconds(3600)), trusting);
    };
    return client(tls);
  }

  /** A client context with a plain key store (or none) and the mesh trust manager. */
  private static MeshClientTls rawClient(DevCa.KeyedCertificate cert, MeshTls trusting) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    if (cert != null) {
      ks.setKeyEntry("client", cert.privateKey(), new char[0], new X509Certificate[] {cert.certificate()});
    }
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), new TrustManager[] {trusting.trustManager()}, null);
    return new MeshClientTls(ctx, trusting.trustManager(), (host, session) -> true);
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    scheduler.shutdownNow();
  }

  /** Answers "mtls <peer SPIFFE ID> <peer serial>" or "plaintext", and counts the requests it saw. */
  static final class WhoAmI extends HttpServlet {
    final AtomicInteger requests = new AtomicInteger();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      requests.incrementAndGet();
      X509Certificate[] chain = (X509Certificate[]) req.getAttribute("jakarta.servlet.request.X509Certificate");
      resp.setContentType("text/plain");
      if (chain == null) {
        resp.getWriter().print("plaintext secure=" + req.isSecure());
      } else {
        resp.getWriter().print("mtls " + SpiffeId.fromCertificate(chain[0]) + " "
            + chain[0].getSerialNumber().toString(16));
      }
    }
  }
}
