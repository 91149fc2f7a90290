package io.inmesh.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.inmesh.Mesh;
import io.inmesh.config.ConfigDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The upstreams of the behavioural suites: real WireMock servers on 127.0.0.1, each answering with its own name, and
 * a mesh whose configuration points at them. Closes everything it started.
 */
final class Upstreams implements AutoCloseable {
  final WireMockServer v1a = server("v1");
  final WireMockServer v1b = server("v1");
  final WireMockServer v2 = server("v2");
  final WireMockServer mirror = server("mirror");
  /** A port nothing listens on: a dead mirror. */
  final int deadPort = freePort();
  private final List<Mesh> meshes = new ArrayList<>();

  /** A started server that answers every request with 200 and {@code body}. */
  private static WireMockServer server(String body) {
    WireMockServer s = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(48)
        .jettyAcceptors(1).asynchronousResponseEnabled(true).asynchronousResponseThreads(32));
    s.start();
    s.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(200).withBody(body)
        .withHeader("server", "wiremock-" + body)));
    return s;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The mesh configuration: {@code api-service} with endpoints v1a, v1b (subset v1) and v2 (subset v2), the
   * {@code reports} mirror service on the mirror server, {@code dead-mirror} on a closed port; {@code routes} (written
   * from column 0) are api-service's routes. Plaintext everywhere: WireMock speaks no mTLS.
   */
  String config(String routes) {
    return config(routes, "ALLOW_ANY");
  }

  String config(String routes, String outboundTrafficPolicy) {
    return """
        mesh:
          outboundTrafficPolicy: %s
          defaults: {mtlsMode: DISABLE}
        services:
          - name: reports
            trafficPolicy: {tls: {mode: DISABLE}}
            endpoints: [{address: 127.0.0.1, port: %d}]
          - name: dead-mirror
            trafficPolicy: {tls: {mode: DISABLE}}
            endpoints: [{address: 127.0.0.1, port: %d}]
          - name: api-service
            trafficPolicy: {tls: {mode: DISABLE}}
            endpoints:
              - {address: 127.0.0.1, port: %d, labels: {version: v1}}
              - {address: 127.0.0.1, port: %d, labels: {version: v1}}
              - {address: 127.0.0.1, port: %d, labels: {version: v2}}
            subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
            routes:
        """.formatted(outboundTrafficPolicy, mirror.port(), deadPort, v1a.port(), v1b.port(), v2.port())
        + routes.indent(6);
  }

  /** A mesh for workload {@code checkout} reading {@code yaml} from a file in {@code dir}, not watched. */
  Mesh mesh(Path dir, String yaml) {
    try {
      Path file = Files.writeString(dir.resolve("mesh.yaml"), yaml);
      Mesh mesh = TestLoadBalancing.install(Mesh.builder().workload("checkout").config(file).watch(false)
          .loadStageProviders(false)).build();
      meshes.add(mesh);
      return mesh;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<ConfigDocument> document(String yaml) {
    return List.of(new ConfigDocument("mesh.yaml", yaml));
  }

  /** Every request {@code server} received. */
  static List<LoggedRequest> received(WireMockServer server) {
    return server.findAll(anyRequestedFor(anyUrl()));
  }

  /**
   * Runs {@code n} requests made by {@code request} (given the request index) with {@code concurrency} callers, and
   * returns the replies in order; a failed request fails the run.
   */
  static <T> List<T> run(int n, int concurrency, IntFunction<T> request) throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<T>> futures = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(callers.submit(() -> request.apply(index)));
      }
      List<T> out = new ArrayList<>(n);
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      callers.shutdownNow();
    }
  }

  /** Counts of {@code replies} by {@code key}. */
  static <T> java.util.Map<String, Long> countBy(List<T> replies, Function<T, String> key) {
    return replies.stream().collect(java.util.stream.Collectors.groupingBy(key, java.util.stream.Collectors.counting()));
  }

  /** Forgets every request the servers received. */
  void resetRequests() {
    for (WireMockServer s : List.of(v1a, v1b, v2, mirror)) {
      s.resetRequests();
    }
  }

  /** Closes the meshes made so far (after each test). */
  void closeMeshes() {
    for (Mesh m : meshes) {
      m.close();
    }
    meshes.clear();
  }

  @Override
  public void close() {
    closeMeshes();
    for (WireMockServer s : List.of(v1a, v1b, v2, mirror)) {
      s.stop();
    }
  }
}
