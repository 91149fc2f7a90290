package io.inmesh.servlet.server;

import static io.inmesh.servlet.server.TlsWorld.CATALOG;
import static io.inmesh.servlet.server.TlsWorld.FRONTEND;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.MtlsMode;
import io.inmesh.tls.MeshTls;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both sides rotate every ~1 s (2 s certificates) while four threads call continuously through one OkHttp client; one
 * request in ten closes its connection so that new handshakes keep happening across rotations.
 */
class RotationUnderLoadTest {
  @TempDir Path dir;

  @Test
  void rotationOnBothSidesUnderContinuousLoadFailsNoRequestAndLogsNoKey() throws Exception {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    Set<String> keys = ConcurrentHashMap.newKeySet();
    AtomicInteger ok = new AtomicInteger();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    MeshTls serverTls;
    MeshTls clientTls;
    try (TlsWorld world = new TlsWorld(dir)) {
      serverTls = world.workload(CATALOG, Duration.ofSeconds(3));
      clientTls = world.workload(FRONTEND, Duration.ofSeconds(3));
      Server server = new Server();
      ServerConnector connector = MeshJetty.connector(server, serverTls, MtlsMode.STRICT, 0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.addServlet(new ServletHolder(new TlsWorld.WhoAmI()), "/*");
      server.setHandler(context);
      server.start();
      try {
        String url = "https://127.0.0.1:" + connector.getLocalPort() + "/";
        OkHttpClient client = TlsWorld.client(clientTls);
        // 3 s certificates renewed at 2 s: a second of margin even when a loaded machine delays the renewal timer;
        // 6.5 s of load sees at least three renewals on each side.
        long deadline = System.nanoTime() + Duration.ofMillis(6500).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          futures.add(pool.submit(() -> {
            for (int i = 0; System.nanoTime() < deadline; i++) {
              keys.add(Base64.getEncoder().encodeToString(clientTls.certificate().privateKey().getEncoded()));
              keys.add(Base64.getEncoder().encodeToString(serverTls.certificate().privateKey().getEncoded()));
              Request.Builder request = new Request.Builder().url(url);
              if (i % 10 == 9) {
                request.header("Connection", "close");
              }
              try (Response r = client.newCall(request.build()).execute()) {
                if (r.code() == 200 && r.body().string().startsWith("mtls " + FRONTEND)) {
                  ok.incrementAndGet();
                } else {
                  failures.add(new AssertionError("status " + r.code()));
                }
              } catch (Exception e) {
                failures.add(e);
              }
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
        pool.shutdown();
      } finally {
        server.stop();
      }
      assertThat(serverTls.status().updates()).isGreaterThanOrEqualTo(3);
      assertThat(clientTls.status().updates()).isGreaterThanOrEqualTo(3);
    } finally {
      System.setErr(originalErr);
    }

    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThan(100);
    String logged = log.toString(StandardCharsets.UTF_8);
    assertThat(keys).hasSizeGreaterThanOrEqualTo(6);
    for (String key : keys) {
      // The PKCS#8 encoding starts with a fixed header; the secret part is what must not appear.
      assertThat(logged).doesNotContain(key.substring(key.length() - 40));
    }
  }
}
