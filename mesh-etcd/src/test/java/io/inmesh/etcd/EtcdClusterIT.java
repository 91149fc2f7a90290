package io.inmesh.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.inmesh.ConfigListener;
import io.inmesh.Mesh;
import io.inmesh.MeshSnapshot;
import io.inmesh.discovery.Endpoint;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd as config source and registry, against a real 3-member cluster on loopback, under steady request load.
 * Needs the etcd binary (Debian etcd-server; .ci/run installs it).
 */
class EtcdClusterIT {
  private static final Logger log = LoggerFactory.getLogger(EtcdClusterIT.class);
  private static final String KEY = EtcdConfigSource.DEFAULT_KEY;

  @TempDir Path dir;
  EtcdCluster cluster;
  EtcdClient admin;
  final List<AutoCloseable> toClose = new ArrayList<>();

  static String config(String marker) {
    return """
        services:
          - name: api
            endpoints: [{address: 127.0.0.1, port: 8081}]
            routes:
              - name: %s
        """.formatted(marker);
  }

  @BeforeEach
  void startCluster() throws IOException {
    assumeTrue(EtcdCluster.available(), "etcd is not installed (apt-get install etcd-server); .ci/run installs it");
    cluster = new EtcdCluster(dir.resolve("etcd"), 3);
    admin = new EtcdClient(cluster.clientUrls(), Duration.ofSeconds(3));
    admin.put(KEY, config("v0"), 0);
  }

  @AfterEach
  void stop() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The route name of the api service: the marker of the config version an instance runs. */
  static String marker(MeshSnapshot s) {
    return s.services().resolve("api").routes().routes().get(0).name();
  }

  private Mesh instance(int i, Map<String, Long> appliedAt) {
    Mesh mesh = Mesh.builder().workload("client-" + i)
        .configSource(EtcdConfigSource.ofKey(cluster.clientUrlsFrom(i), KEY))
        .lastGoodConfig(dir.resolve("last-good-" + i + ".json"))
        .loadStageProviders(false)
        .build();
    mesh.addConfigListener(new ConfigListener() {
      @Override
      public void onApplied(MeshSnapshot previous, MeshSnapshot current) {
        appliedAt.put(i + ":" + marker(current), System.nanoTime());
      }
    });
    toClose.add(mesh);
    return mesh;
  }

  /** Requests through each mesh's outbound pipeline, all the time; counts failures. */
  private final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final Thread thread;

    Load(List<Mesh> meshes) {
      thread = new Thread(() -> {
        MeshRequest request = MeshRequest.builder().authority("api").target("/x").build();
        while (running.get()) {
          for (Mesh m : meshes) {
            try {
              m.outbound(request, (ctx, req) -> CompletableFuture.completedFuture(MeshResponse.synthesized(200)))
                  .get(1, TimeUnit.SECONDS);
              ok.incrementAndGet();
            } catch (Exception e) {
              failed.incrementAndGet();
            }
          }
          LockSupport.parkNanos(200_000); // steady load, a few thousand requests a second, not a busy loop
        }
      }, "load");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }

  @Test
  void everyInstanceAppliesEachOfAHundredChangesQuickly() throws Exception {
    Map<String, Long> appliedAt = new ConcurrentHashMap<>();
    List<Mesh> meshes = List.of(instance(0, appliedAt), instance(1, appliedAt), instance(2, appliedAt));
    List<Long> delaysMicros = new ArrayList<>();
    try (Load load = new Load(meshes)) {
      for (int change = 1; change <= 100; change++) {
        String marker = "v" + change;
        long pushedAt = System.nanoTime();
        admin.put(KEY, config(marker), 0);
        // Listeners hear of a snapshot just after it is swapped in: wait for all three to have heard.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
            .until(() -> appliedAt.keySet().containsAll(List.of("0:" + marker, "1:" + marker, "2:" + marker)));
        for (int i = 0; i < 3; i++) {
          delaysMicros.add(TimeUnit.NANOSECONDS.toMicros(appliedAt.get(i + ":" + marker) - pushedAt));
        }
      }
      assertThat(load.failed).hasValue(0);
      assertThat(load.ok.get()).isPositive();
    }
    Collections.sort(delaysMicros);
    long p50 = delaysMicros.get(delaysMicros.size() / 2);
    long p99 = delaysMicros.get((int) Math.ceil(delaysMicros.size() * 0.99) - 1);
    String figures = "etcd config propagation, 3 members, 3 instances, 100 changes: p50 " + p50 / 1000.0
        + " ms, p99 " + p99 / 1000.0 + " ms, max " + delaysMicros.get(delaysMicros.size() - 1) / 1000.0 + " ms";
    log.info(figures);
    Files.writeString(Path.of("target", "etcd-propagation.txt"), figures + "\n");
    // The goal is p99 <= 1 s (measured on a quiet machine: ~70 ms; the figure goes to the issue). On a shared machine
    // etcd's fsyncs can stall for a second or two, so the build guards the order of magnitude: a watch, not polling.
    assertThat(p99).as("p99 propagation").isLessThan(3_000_000);
    assertThat(p50).as("p50 propagation").isLessThan(250_000);
  }

  @Test
  void survivesTheLossOfTheLeaderWithoutLosingWatchesOrRegistrations() throws Exception {
    Map<String, Long> appliedAt = new ConcurrentHashMap<>();
    List<Mesh> meshes = List.of(instance(0, appliedAt), instance(1, appliedAt), instance(2, appliedAt));
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    toClose.add(scheduler::shutdownNow);
    EtcdRegistry registry = new EtcdRegistry(admin, EtcdRegistry.DEFAULT_PREFIX);
    try (EtcdClient registrant = new EtcdClient(cluster.clientUrls(), Duration.ofSeconds(2))) {
      EtcdRegistry own = new EtcdRegistry(registrant, EtcdRegistry.DEFAULT_PREFIX);
      for (int i = 0; i < 3; i++) {
        toClose.add(own.register("demo", "payments", "pod-" + i,
            new Endpoint("127.0.0.1", 9000 + i, Map.of(), 1, null), Duration.ofSeconds(3), scheduler));
      }
      AtomicReference<List<Endpoint>> seen = new AtomicReference<>(List.of());
      toClose.add(registry.watch("demo", "payments", seen::set));
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.get().size() == 3);

      try (Load load = new Load(meshes)) {
        int leader = cluster.leader();
        cluster.kill(leader);
        long killedAt = System.nanoTime();

        admin.put(KEY, config("after-leader-loss"), 0);
        await().atMost(Duration.ofSeconds(5))
            .until(() -> meshes.stream().allMatch(m -> marker(m.snapshot()).equals("after-leader-loss")));
        log.info("config applied by all instances {} ms after the leader was killed",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));

        // Over more than two lease TTLs, every registration stays: keepalives moved to the surviving members.
        await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(10))
            .until(() -> registry.endpoints("demo", "payments").size() == 3 && seen.get().size() == 3);
        assertThat(load.failed).hasValue(0);
      }
    }
  }

  @Test
  void keepsServingThroughAWholeClusterOutageAndRestartsFromThePersistedConfig() throws Exception {
    Map<String, Long> appliedAt = new ConcurrentHashMap<>();
    Mesh first = instance(0, appliedAt);
    admin.put(KEY, config("before-outage"), 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> marker(first.snapshot()).equals("before-outage"));

    try (Load load = new Load(List.of(first))) {
      cluster.stopAll();
      long down = System.nanoTime();

      // The application restarts while etcd is down: it starts from its persisted copy.
      Mesh restarted = Mesh.builder().workload("client-0")
          .configSource(EtcdConfigSource.ofKey(cluster.clientUrls(), KEY))
          .lastGoodConfig(dir.resolve("last-good-0.json"))
          .sourceStartupTimeout(Duration.ofSeconds(1))
          .loadStageProviders(false)
          .build();
      toClose.add(restarted);
      assertThat(marker(restarted.snapshot())).isEqualTo("before-outage");
      assertThat(restarted.configStatus().usingLastGoodCopy()).isTrue();

      // Thirty seconds without etcd, requests flowing all along.
      await().pollDelay(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(31)).until(() -> true);
      log.info("etcd down for {} s; requests ok {}, failed {}",
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - down), load.ok.get(), load.failed.get());
      assertThat(load.failed).hasValue(0);

      cluster.startAll();
      admin.put(KEY, config("after-outage"), 0);
      await().atMost(Duration.ofSeconds(15)).until(() -> marker(first.snapshot()).equals("after-outage")
          && marker(restarted.snapshot()).equals("after-outage"));
      assertThat(restarted.configStatus().usingLastGoodCopy()).isFalse();
      assertThat(load.failed).hasValue(0);
    }
  }

  @Test
  void deregistersOnCloseAndForgetsADeadInstanceWhenItsLeaseExpires() throws Exception {
    EtcdRegistry registry = new EtcdRegistry(admin, EtcdRegistry.DEFAULT_PREFIX);
    ScheduledExecutorService alive = Executors.newSingleThreadScheduledExecutor();
    ScheduledExecutorService doomed = Executors.newSingleThreadScheduledExecutor();
    toClose.add(alive::shutdownNow);
    AtomicReference<List<Endpoint>> seen = new AtomicReference<>(List.of());
    toClose.add(registry.watch("demo", "api", seen::set));

    EtcdRegistry.Registration leaving = registry.register("demo", "api", "a",
        new Endpoint("127.0.0.1", 9001, Map.of("version", "v1"), 1, "zone-a"), Duration.ofSeconds(2), alive);
    registry.register("demo", "api", "b", new Endpoint("127.0.0.1", 9002, Map.of(), 1, null),
        Duration.ofSeconds(2), doomed);
    long registered = System.nanoTime();
    await().atMost(Duration.ofSeconds(1)).until(() -> seen.get().size() == 2);
    log.info("a new registration reached the watcher in {} ms",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - registered));
    assertThat(seen.get()).extracting(Endpoint::address).containsExactly("127.0.0.1:9001", "127.0.0.1:9002");
    assertThat(seen.get().get(0).labels()).containsEntry("version", "v1");

    leaving.close();
    await().atMost(Duration.ofSeconds(1)).until(() -> seen.get().size() == 1);

    doomed.shutdownNow(); // the instance dies: no keepalive, no deregistration
    await().atMost(Duration.ofSeconds(6)).until(() -> seen.get().isEmpty());
  }

  @Test
  void resumesAWatchAfterCompactionByReadingAgain() throws Exception {
    Map<String, Long> appliedAt = new ConcurrentHashMap<>();
    EtcdConfigSource source = EtcdConfigSource.ofKey(cluster.clientUrls(), KEY);
    CountDownLatch compacted = new CountDownLatch(1);
    // Write several revisions and compact them away before the source starts watching from its old revision.
    source.read();
    long stale = source.lastRevision();
    for (int i = 0; i < 5; i++) {
      admin.put("/unrelated", "x" + i, 0);
    }
    long revision = admin.put(KEY, config("compacted-away"), 0);
    compactTo(revision);
    List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    source.watch(new io.inmesh.config.ConfigSource.Listener() {
      @Override
      public void onChange(List<io.inmesh.config.ConfigDocument> documents) {
        delivered.add(documents.get(0).content());
        compacted.countDown();
      }

      @Override
      public void onError(Exception error) {}
    });
    toClose.add(source);
    assertThat(stale).isLessThan(revision);
    assertThat(compacted.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(delivered.get(0)).contains("compacted-away");
    assertThat(appliedAt).isEmpty();
  }

  private void compactTo(long revision) throws IOException {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    try {
      http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.clientUrl(0) + "/v3/kv/compaction"))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"revision\": " + revision + "}")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
