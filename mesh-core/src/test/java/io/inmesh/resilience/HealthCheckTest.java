package io.inmesh.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.inmesh.Mesh;
import io.inmesh.lb.EndpointState;
import io.inmesh.lb.LoadBalancing;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active health checks against real HTTP servers (the JDK's): an endpoint whose health path fails
 * {@code unhealthyThreshold} times in a row leaves load balancing, and comes back after {@code healthyThreshold}
 * successes.
 */
class HealthCheckTest {
  @TempDir Path dir;
  final List<HttpServer> servers = new ArrayList<>();
  final List<AtomicInteger> healthStatus = new ArrayList<>();
  Mesh mesh;

  @BeforeEach
  void start() throws Exception {
    StringBuilder endpoints = new StringBuilder();
    for (int i = 0; i < 2; i++) {
      AtomicInteger status = new AtomicInteger(200);
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      s.createContext("/ready", ex -> {
        ex.sendResponseHeaders(status.get(), -1);
        ex.close();
      });
      s.start();
      servers.add(s);
      healthStatus.add(status);
      endpoints.append("{address: 127.0.0.1, port: ").append(s.getAddress().getPort()).append("}, ");
    }
    Path config = Files.writeString(dir.resolve("mesh.yaml"), """
        mesh: {defaults: {mtlsMode: DISABLE}}
        admin: {enabled: false}
        services:
          - name: api
            endpoints: [%s]
            trafficPolicy:
              loadBalancer: {simple: ROUND_ROBIN}
              healthCheck: {path: /ready, interval: 100ms, timeout: 1s, healthyThreshold: 2, unhealthyThreshold: 2}
        """.formatted(endpoints));
    mesh = Mesh.builder().workload("client").config(config).watch(false).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    servers.forEach(s -> s.stop(0));
  }

  private EndpointState state(int i) {
    return mesh.feature(LoadBalancing.class)
        .endpointState("default/api", "127.0.0.1:" + servers.get(i).getAddress().getPort());
  }

  private Set<Integer> portsChosen(int requests) {
    Set<Integer> ports = new HashSet<>();
    MeshRequest request = MeshRequest.builder().authority("api").target("/x").build();
    for (int i = 0; i < requests; i++) {
      mesh.outbound(request, (ctx, req) -> {
        ports.add(ctx.endpoint().port());
        return CompletableFuture.completedFuture(MeshResponse.synthesized(200));
      }).join();
    }
    return ports;
  }

  @Test
  void takesAnEndpointThatFailsItsChecksOutOfBalancingAndBringsItBack() {
    int sick = servers.get(1).getAddress().getPort();
    assertThat(portsChosen(10)).contains(sick);

    healthStatus.get(1).set(503);
    await().atMost(Duration.ofSeconds(5)).until(() -> !state(1).healthy());
    assertThat(state(0).healthy()).isTrue();
    assertThat(portsChosen(20)).doesNotContain(sick);
    assertThat(mesh.feature(Resilience.class).stats().healthCheckFailures()).isGreaterThanOrEqualTo(2);

    healthStatus.get(1).set(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> state(1).healthy());
    assertThat(portsChosen(10)).contains(sick);
  }
}
