package io.inmesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.inmesh.Mesh;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP config source against a real HTTP server (the JDK's) on loopback. */
class HttpConfigSourceTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  static String config(String routeName) {
    return """
        services:
          - name: api
            endpoints: [{address: 127.0.0.1, port: 8081}]
            routes:
              - name: %s
        """.formatted(routeName);
  }

  /** A config server with an ETag, a switch to answer 503, and counters. */
  static final class ConfigServer implements AutoCloseable {
    final HttpServer server;
    final AtomicReference<String> body = new AtomicReference<>(config("one"));
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger notModified = new AtomicInteger();
    final AtomicReference<String> lastAuthorization = new AtomicReference<>();

    ConfigServer() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/mesh.yaml", exchange -> {
        requests.incrementAndGet();
        lastAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
        if (down.get()) {
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
          return;
        }
        String text = body.get();
        String etag = "\"" + Integer.toHexString(text.hashCode()) + "\"";
        if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
          notModified.incrementAndGet();
          exchange.sendResponseHeaders(304, -1);
          exchange.close();
          return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("ETag", etag);
        exchange.getResponseHeaders().add("Content-Type", "application/yaml");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      });
      server.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mesh.yaml");
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @TempDir Path dir;
  ConfigServer server;

  @BeforeEach
  void start() throws IOException {
    server = new ConfigServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpConfigSource source() {
    return HttpConfigSource.builder(server.url())
        .pollInterval(Duration.ofMillis(50))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
        .authHeader("Authorization", () -> "Bearer test-token")
        .build();
  }

  private static String routeName(Mesh m) {
    return m.snapshot().services().resolve("api").routes().routes().get(0).name();
  }

  @Test
  void appliesAChangeAndAsksConditionallyInBetween() {
    try (Mesh m = Mesh.builder().workload("client").configSource(source()).loadStageProviders(false).build()) {
      assertThat(routeName(m)).isEqualTo("one");
      await().atMost(WAIT).until(() -> server.notModified.get() >= 3);
      assertThat(m.snapshot().version()).isEqualTo(1);

      server.body.set(config("two"));

      await().atMost(WAIT).until(() -> m.snapshot().version() == 2);
      assertThat(routeName(m)).isEqualTo("two");
      assertThat(m.snapshot().source()).isEqualTo(server.url().toString());
      assertThat(server.lastAuthorization.get()).isEqualTo("Bearer test-token");
    }
  }

  @Test
  void keepsTheCurrentConfigWhileTheServerIsDownWithoutCountingARejection() {
    try (Mesh m = Mesh.builder().workload("client").configSource(source()).loadStageProviders(false).build()) {
      server.down.set(true);
      int before = server.requests.get();
      await().atMost(WAIT).until(() -> server.requests.get() >= before + 3);

      assertThat(routeName(m)).isEqualTo("one");
      assertThat(m.configStatus().rejectedCount()).isZero();

      server.body.set(config("two"));
      server.down.set(false);
      await().atMost(WAIT).until(() -> m.snapshot().version() == 2);
    }
  }

  @Test
  void rejectsAnInvalidDocumentFromTheServerAndKeepsTheLastGood() {
    try (Mesh m = Mesh.builder().workload("client").configSource(source()).loadStageProviders(false).build()) {
      server.body.set("services: [{name: api, endpoints: [{address: 127.0.0.1, port: 99999}]}]\n");

      await().atMost(WAIT).until(() -> m.configStatus().rejectedCount() == 1);
      assertThat(m.configStatus().lastRejection().problems()).extracting(ConfigProblem::toString)
          .containsExactly(server.url() + ":1:63: services[0].endpoints[0].port: 99999"
              + " (expected: a port between 1 and 65535)");
      assertThat(routeName(m)).isEqualTo("one");
    }
  }

  @Test
  void startsFromTheLastGoodCopyWhenTheServerIsDownAndFollowsTheServerWhenItReturns() throws Exception {
    Path copy = dir.resolve("state/last-good.json");
    try (Mesh first = Mesh.builder().workload("client").configSource(source()).lastGoodConfig(copy)
        .loadStageProviders(false).build()) {
      assertThat(routeName(first)).isEqualTo("one");
    }
    assertThat(Files.getPosixFilePermissions(copy)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

    server.down.set(true);
    try (Mesh second = Mesh.builder().workload("client").configSource(source()).lastGoodConfig(copy)
        .sourceStartupTimeout(Duration.ofMillis(300)).loadStageProviders(false).build()) {
      assertThat(routeName(second)).isEqualTo("one");
      assertThat(second.configStatus().usingLastGoodCopy()).isTrue();

      server.down.set(false);
      await().atMost(WAIT).until(() -> !second.configStatus().usingLastGoodCopy());
      assertThat(second.snapshot().version()).isEqualTo(1);

      server.body.set(config("three"));
      await().atMost(WAIT).until(() -> second.snapshot().version() == 2);
      assertThat(routeName(second)).isEqualTo("three");
    }
    assertThat(LastGoodConfigStore.at(copy).load().orElseThrow().documents().get(0).content())
        .isEqualTo(config("three"));
  }

  @Test
  void failsStartUpWhenTheServerIsDownAndThereIsNoCopy() {
    server.down.set(true);
    Mesh.Builder b = Mesh.builder().workload("client").configSource(source())
        .lastGoodConfig(dir.resolve("missing.json")).sourceStartupTimeout(Duration.ofMillis(100))
        .loadStageProviders(false);

    org.assertj.core.api.Assertions.assertThatThrownBy(b::build)
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("no usable last good copy")
        .hasRootCauseMessage("config server " + server.url() + " answered HTTP 503");
  }
}
