package io.inmesh.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.inmesh.Mesh;
import io.inmesh.discovery.Endpoint;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Services discovered through etcd registrations, under load, against a real 3-member cluster. */
class EtcdDiscoveryIT {
  private static final Logger log = LoggerFactory.getLogger(EtcdDiscoveryIT.class);

  @TempDir Path dir;
  EtcdCluster cluster;
  EtcdClient client;
  Mesh mesh;
  ScheduledExecutorService instances;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(EtcdCluster.available(), "etcd is not installed (apt-get install etcd-server); .ci/run installs it");
    cluster = new EtcdCluster(dir.resolve("etcd"), 3);
    client = new EtcdClient(cluster.clientUrls(), Duration.ofSeconds(2));
    Path config = Files.writeString(dir.resolve("mesh.yaml"), """
        mesh: {defaults: {mtlsMode: DISABLE}, defaultNamespace: demo}
        admin: {enabled: false}
        services:
          - name: payments
            discovery: {type: REGISTRY, registry: etcd}
            # Round robin, so "receives traffic" measures discovery: PEAK_EWMA seeds a new endpoint at 30 ms and
            # rightly prefers instant in-process endpoints over it.
            trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
        """);
    mesh = Mesh.builder().workload("checkout").config(config).watch(false).build();
    EtcdDiscoveryProvider.attach(mesh, client, EtcdRegistry.DEFAULT_PREFIX);
    instances = Executors.newScheduledThreadPool(1);
  }

  @AfterEach
  void stop() throws Exception {
    if (instances != null) {
      instances.shutdownNow();
    }
    if (mesh != null) {
      mesh.close();
    }
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNewInstanceReceivesTrafficWithinOneSecondAndALostLeaderLosesNoRegistration() throws Exception {
    EtcdRegistry registry = new EtcdRegistry(client, EtcdRegistry.DEFAULT_PREFIX);
    registry.register("demo", "payments", "pod-a", new Endpoint("127.0.0.1", 9001, Map.of(), 1, null),
        Duration.ofSeconds(3), instances);

    Set<String> hit = ConcurrentHashMap.newKeySet();
    Map<String, Long> firstHitAt = new ConcurrentHashMap<>();
    AtomicInteger failed = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread load = new Thread(() -> {
      MeshRequest request = MeshRequest.builder().authority("payments").target("/charge").build();
      while (running.get()) {
        try {
          mesh.outbound(request, (ctx, req) -> {
            String address = ctx.endpoint().address();
            hit.add(address);
            firstHitAt.putIfAbsent(address, System.nanoTime());
            return CompletableFuture.completedFuture(MeshResponse.synthesized(200));
          }).get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
          failed.incrementAndGet();
        }
        LockSupport.parkNanos(200_000);
      }
    }, "load");
    load.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> hit.contains("127.0.0.1:9001"));
    failed.set(0); // requests before the first registration arrived had no endpoint; count from here on

    long registeredAt = System.nanoTime();
    registry.register("demo", "payments", "pod-b", new Endpoint("127.0.0.1", 9002, Map.of(), 1, null),
        Duration.ofSeconds(3), instances);
    await().atMost(Duration.ofSeconds(1)).until(() -> hit.contains("127.0.0.1:9002"));
    long delayMillis = TimeUnit.NANOSECONDS.toMillis(firstHitAt.get("127.0.0.1:9002") - registeredAt);
    log.info("a newly registered instance got its first request {} ms after registering", delayMillis);
    assertThat(delayMillis).isLessThan(1000);

    cluster.kill(cluster.leader());
    // Both registrations outlive two lease TTLs without the leader, and traffic keeps flowing to both.
    hit.clear();
    await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(10))
        .until(() -> registry.endpoints("demo", "payments").size() == 2);
    await().atMost(Duration.ofSeconds(2)).until(() -> hit.containsAll(Set.of("127.0.0.1:9001", "127.0.0.1:9002")));
    running.set(false);
    load.join();
    assertThat(failed).hasValue(0);
  }
}
