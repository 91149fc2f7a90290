package io.inmesh.etcd;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;

/**
 * A real etcd cluster of separate processes on loopback, for integration tests (the Debian etcd-server package;
 * .ci/run installs it). Fast elections (50 ms heartbeats, 500 ms election timeout) keep leader changes short.
 */
final class EtcdCluster implements AutoCloseable {
  private static final Path ETCD = Path.of("/usr/bin/etcd");

  private final Path dir;
  private final int size;
  private final int[] clientPorts;
  private final int[] peerPorts;
  private final Process[] processes;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  static boolean available() {
    return Files.isExecutable(ETCD);
  }

  EtcdCluster(Path dir, int size) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.size = size;
    this.clientPorts = new int[size];
    this.peerPorts = new int[size];
    this.processes = new Process[size];
    for (int i = 0; i < size; i++) {
      clientPorts[i] = freePort();
      peerPorts[i] = freePort();
    }
    for (int i = 0; i < size; i++) {
      start(i);
    }
    awaitHealthy();
  }

  List<String> clientUrls() {
    return IntStream.range(0, size).mapToObj(this::clientUrl).toList();
  }

  String clientUrl(int i) {
    return "http://127.0.0.1:" + clientPorts[i];
  }

  /** The client URLs starting from member {@code first}: spreads clients over members. */
  List<String> clientUrlsFrom(int first) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      urls.add(clientUrl((first + i) % size));
    }
    return urls;
  }

  void start(int i) throws IOException {
    String initialCluster = IntStream.range(0, size)
        .mapToObj(n -> "n" + n + "=http://127.0.0.1:" + peerPorts[n])
        .collect(Collectors.joining(","));
    Path data = dir.resolve("n" + i);
    List<String> cmd = List.of(ETCD.toString(),
        "--name", "n" + i,
        "--data-dir", data.toString(),
        "--listen-client-urls", clientUrl(i),
        "--advertise-client-urls", clientUrl(i),
        "--listen-peer-urls", "http://127.0.0.1:" + peerPorts[i],
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPorts[i],
        "--initial-cluster", initialCluster,
        "--initial-cluster-state", "new",
        "--initial-cluster-token", "inmesh-it",
        "--heartbeat-interval", "50",
        "--election-timeout", "500");
    processes[i] = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("n" + i + ".log").toFile()))
        .start();
  }

  /** Kills member {@code i} abruptly (SIGKILL), as a crash would. */
  void kill(int i) throws InterruptedException {
    Process p = processes[i];
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      processes[i] = null;
    }
  }

  void stopAll() throws InterruptedException {
    for (int i = 0; i < size; i++) {
      kill(i);
    }
  }

  void startAll() throws IOException {
    for (int i = 0; i < size; i++) {
      if (processes[i] == null) {
        start(i);
      }
    }
    awaitHealthy();
  }

  /** The index of the member that is the leader now. */
  int leader() throws IOException {
    try (EtcdClient client = new EtcdClient(clientUrls(), Duration.ofSeconds(2))) {
      for (int i = 0; i < size; i++) {
        if (processes[i] == null) {
          continue;
        }
        EtcdClient.MemberStatus s = client.status(clientUrl(i));
        if (s.memberId() == s.leaderId()) {
          return i;
        }
      }
    }
    throw new IOException("no leader");
  }

  void awaitHealthy() {
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      for (int i = 0; i < size; i++) {
        if (processes[i] != null && !healthy(i)) {
          return false;
        }
      }
      return true;
    });
  }

  private boolean healthy(int i) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(clientUrl(i) + "/health"))
          .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"true\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopAll();
  }
}
