package io.inmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.inmesh.discovery.Endpoint;
import io.inmesh.etcd.EtcdClient;
import io.inmesh.etcd.EtcdRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mesh config push/get} and {@code mesh endpoints} against a real single-member etcd on loopback. */
class EtcdCommandsIT {
  @TempDir Path dir;
  Process etcd;
  String url;

  @BeforeEach
  void startEtcd() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")), "etcd is not installed; .ci/run installs it");
    int client;
    int peer;
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
      client = a.getLocalPort();
      peer = b.getLocalPort();
    }
    url = "http://127.0.0.1:" + client;
    etcd = new ProcessBuilder("/usr/bin/etcd", "--name", "cli", "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", url, "--advertise-client-urls", url,
        "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
        "--initial-cluster", "cli=http://127.0.0.1:" + peer)
        .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
    try (EtcdClient c = new EtcdClient(List.of(url), Duration.ofSeconds(1))) {
      Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> c.status(url) != null);
    }
  }

  @AfterEach
  void stopEtcd() throws Exception {
    if (etcd != null) {
      etcd.destroyForcibly();
      etcd.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void pushesOnlyValidConfigAndReadsItBack() throws Exception {
    Path good = Files.writeString(dir.resolve("good.yaml"),
        "services:\n  - name: api\n    endpoints: [{address: 127.0.0.1, port: 8081}]\n");
    Path bad = Files.writeString(dir.resolve("bad.yaml"),
        "services:\n  - name: api\n    endpoints: [{address: 127.0.0.1, port: 99999}]\n");

    CliRun refused = CliRun.mesh("config", "push", "--etcd", url, bad.toString());
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.out()).contains(bad + ":3:44: services[0].endpoints[0].port: 99999")
        .contains("REFUSED: 1 error; nothing was pushed");
    assertThat(CliRun.mesh("config", "get", "--etcd", url).exitCode()).isEqualTo(1);

    CliRun pushed = CliRun.mesh("config", "push", "--etcd", url, good.toString());
    assertThat(pushed.exitCode()).isZero();
    assertThat(pushed.out()).containsPattern("pushed 1 service, 0 routes, 0 policies to /inmesh/config/mesh.yaml at"
        + " revision \\d+");

    CliRun got = CliRun.mesh("config", "get", "--etcd", url);
    assertThat(got.exitCode()).isZero();
    assertThat(got.out()).startsWith("# /inmesh/config/mesh.yaml @ revision ")
        .contains("- name: api");
  }

  @Test
  void listsTheInstancesRegisteredForAService() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (EtcdClient c = new EtcdClient(List.of(url), Duration.ofSeconds(2))) {
      new EtcdRegistry(c, EtcdRegistry.DEFAULT_PREFIX).register("demo", "payments", "pod-1",
          new Endpoint("10.0.0.7", 8080, Map.of("version", "v2"), 3, "zone-a"), Duration.ofSeconds(10), scheduler);

      CliRun run = CliRun.mesh("endpoints", "--etcd", url, "-n", "demo", "payments");

      assertThat(run.exitCode()).isZero();
      assertThat(run.outLines()).anyMatch(l -> l.matches("10\\.0\\.0\\.7:8080\\s+zone-a\\s+3\\s+version=v2"));
      assertThat(run.out()).contains("1 endpoint of demo/payments");
    } finally {
      scheduler.shutdownNow();
    }
  }
}
