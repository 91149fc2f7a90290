package io.inmesh.benchmarks;

import io.inmesh.tls.IdentityProvider;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.SpiffeId;
import io.inmesh.tls.internal.DevCa;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU cost of one mutual-TLS handshake with the JDK's default provider (SunJSSE, SunEC) and InMesh's key and
 * trust managers: EC P-256 workload certificates from the dev CA, client certificate required and verified (PKIX to
 * the bundle, SPIFFE ID), the client verifying the server's SPIFFE ID. Client and server run on the benchmark thread
 * over in-memory buffers (two {@link SSLEngine}s), so the figure is both sides' CPU per handshake without sockets or
 * scheduling; each side costs roughly half.
 *
 * <ul>
 *   <li>{@code full}: a new session every time (the client dials a host name it has no session for).
 *   <li>{@code resumed}: the client resumes the session of the previous handshake (TLS 1.3 PSK / TLS 1.2 session ID),
 *       which is what a client opening a further connection to the same endpoint does.
 * </ul>
 *
 * <p>Run (after {@code mvn -B -pl mesh-core,mesh-benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar mesh-benchmarks/target/benchmarks.jar HandshakeBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HandshakeBenchmark {
  private static final SpiffeId SERVER = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/catalog");
  private static final SpiffeId CLIENT = SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/frontend");
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  @Param({"TLSv1.3", "TLSv1.2"})
  public String protocol;

  @Param({"full", "resumed"})
  public String session;

  private Path dir;
  private ScheduledExecutorService scheduler;
  private MeshTls server;
  private MeshTls client;
  private javax.net.ssl.SSLContext clientContext;
  private long fresh;

  @Setup
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("inmesh-bench");
    DevCa.init(dir, Instant.now());
    scheduler = Executors.newSingleThreadScheduledExecutor();
    server = MeshTls.of(IdentityProvider.devCa(dir, SERVER, Duration.ofHours(24), Clock.systemUTC(), scheduler),
        Clock.systemUTC());
    client = MeshTls.of(IdentityProvider.devCa(dir, CLIENT, Duration.ofHours(24), Clock.systemUTC(), scheduler),
        Clock.systemUTC());
    clientContext = client.client(host -> SERVER).sslContext();
    handshake(); // a first session for the resumed case, and a check that the loop completes
  }

  @TearDown
  public void tearDown() throws IOException {
    server.close();
    client.close();
    scheduler.shutdownNow();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  @Benchmark
  public SSLSession handshake() throws SSLException {
    // The session cache is keyed by peer host and port: a new host name each time means no session to resume.
    SSLEngine c = clientContext.createSSLEngine(session.equals("resumed") ? "catalog" : "catalog-" + (++fresh), 443);
    c.setUseClientMode(true);
    c.setEnabledProtocols(new String[] {protocol});
    SSLEngine s = server.sslContext().createSSLEngine();
    s.setUseClientMode(false);
    s.setNeedClientAuth(true);
    s.setEnabledProtocols(new String[] {protocol});
    return run(c, s);
  }

  /** Pumps records between the two engines until both are done and nothing is left in flight. */
  static SSLSession run(SSLEngine client, SSLEngine server) throws SSLException {
    int size = client.getSession().getPacketBufferSize();
    ByteBuffer toServer = ByteBuffer.allocate(size * 4);
    ByteBuffer toClient = ByteBuffer.allocate(size * 4);
    ByteBuffer app = ByteBuffer.allocate(client.getSession().getApplicationBufferSize() * 2);
    client.beginHandshake();
    server.beginHandshake();
    for (int i = 0; i < 200; i++) {
      boolean moved = step(client, toClient, toServer, app) | step(server, toServer, toClient, app);
      if (done(client) && done(server) && toServer.position() == 0 && toClient.position() == 0 && !moved) {
        return client.getSession();
      }
    }
    throw new SSLException("handshake did not complete: client " + client.getHandshakeStatus() + ", server "
        + server.getHandshakeStatus());
  }

  private static boolean done(SSLEngine e) {
    HandshakeStatus hs = e.getHandshakeStatus();
    return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
  }

  private static boolean step(SSLEngine e, ByteBuffer in, ByteBuffer out, ByteBuffer app) throws SSLException {
    boolean moved = false;
    switch (e.getHandshakeStatus()) {
      case NEED_TASK -> {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
          task.run();
        }
        moved = true;
      }
      case NEED_WRAP -> {
        e.wrap(EMPTY, out);
        moved = true;
      }
      default -> { }
    }
    // Read whatever the peer sent, also after the handshake (TLS 1.3 session tickets arrive then).
    if (in.position() > 0) {
      in.flip();
      app.clear();
      int before = in.remaining();
      e.unwrap(in, app);
      moved |= in.remaining() != before;
      in.compact();
    }
    return moved;
  }
}
