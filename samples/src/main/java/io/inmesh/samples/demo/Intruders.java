package io.inmesh.samples.demo;

import io.inmesh.Mesh;
import io.inmesh.tls.MeshTls;
import java.io.IOException;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two clients the mesh must turn away, each trying a few times a second:
 * <ul>
 *   <li>an impostor calling {@code api-service} directly with a certificate for {@code frontend}'s SPIFFE ID issued by
 *       another CA: the server refuses it during the TLS handshake (counted as {@code untrusted});
 *   <li>{@code intruder}, a real mesh workload with a valid identity, reading {@code payments}: its authorization
 *       policy admits {@code api-service} only, so the answer is 403 (counted as {@code forbidden}).
 * </ul>
 */
final class Intruders implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Intruders.class);
  private static final long PERIOD_MILLIS = 250;

  final LongAdder untrusted = new LongAdder();
  final LongAdder forbidden = new LongAdder();
  /** Answers neither refusal explains (printed in the table: should stay 0). */
  final LongAdder unexpected = new LongAdder();

  private final OkHttpClient impostor;
  private final String impostorUrl;
  private final OkHttpClient intruder;
  private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "demo-intruders");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param rogue the impostor's mesh (its identity only)
   * @param trusted a legitimate mesh: the impostor trusts the demo's servers, so only the server can refuse
   * @param intruderMeshed a meshed client of the {@code intruder} workload
   */
  Intruders(Mesh rogue, Mesh trusted, int apiPort, OkHttpClient intruderMeshed) throws GeneralSecurityException {
    MeshTls rogueTls = require(rogue);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(new KeyManager[] {rogueTls.keyManager()}, new TrustManager[] {require(trusted).trustManager()}, null);
    this.impostor = new OkHttpClient.Builder()
        .sslSocketFactory(ssl.getSocketFactory(), require(trusted).trustManager())
        .hostnameVerifier((host, session) -> true) // the impostor is not the one being careful here
        .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
        .retryOnConnectionFailure(false)
        .build();
    this.impostorUrl = "https://127.0.0.1:" + apiPort + "/api/users/1";
    this.intruder = intruderMeshed;
  }

  private static MeshTls require(Mesh mesh) {
    MeshTls tls = mesh.feature(MeshTls.class);
    if (tls == null) {
      throw new IllegalStateException("the demo needs mTLS: " + mesh.workload() + " has no MeshTls feature");
    }
    return tls;
  }

  void start() {
    ticker.scheduleWithFixedDelay(this::impersonate, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    ticker.scheduleWithFixedDelay(this::trespass, PERIOD_MILLIS / 2, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void impersonate() {
    try (Response r = impostor.newCall(new Request.Builder().url(impostorUrl).build()).execute()) {
      unexpected.increment();
      log.warn("the impostor got an answer: {}", r.code());
    } catch (IOException e) {
      if (refusedInHandshake(e)) {
        untrusted.increment();
      } else {
        unexpected.increment();
        log.warn("impostor: {}", e.toString());
      }
    }
  }

  private void trespass() {
    try (Response r = intruder.newCall(new Request.Builder().url("http://payments/balance/1").build()).execute()) {
      if (r.code() == 403) {
        forbidden.increment();
      } else {
        unexpected.increment();
        log.warn("the intruder got {} from payments", r.code());
      }
    } catch (IOException e) {
      unexpected.increment();
      log.warn("intruder: {}", e.toString());
    }
  }

  /**
   * How a server's refusal of the client certificate shows on the client: in TLS 1.3 the client's side of the
   * handshake completes before the server has checked the client's certificate, so the server's alert arrives as an
   * SSLException on the first read, or the request's write finds the connection already closed (broken pipe, reset).
   */
  private static boolean refusedInHandshake(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof SocketException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws InterruptedException {
    ticker.shutdownNow();
    ticker.awaitTermination(2, TimeUnit.SECONDS);
  }
}
