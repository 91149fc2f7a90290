package io.inmesh.resilience;

import static io.inmesh.resilience.ResilienceFixtures.get;
import static io.inmesh.resilience.ResilienceFixtures.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.Mesh;
import io.inmesh.config.ConfigDocument;
import io.inmesh.discovery.Endpoint;
import io.inmesh.discovery.InMemoryDiscoveryProvider;
import io.inmesh.lb.LoadBalancing;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshService;
import io.inmesh.resilience.ResilienceFixtures.Recording;
import io.inmesh.resilience.ResilienceStats.BreakerState;
import io.inmesh.resilience.ResilienceStats.BreakerTransition;
import io.inmesh.telemetry.MeshTelemetry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resilience4j circuit breakers at CIRCUIT_BREAKER, configured from trafficPolicy.circuitBreaker. */
class CircuitBreakerStageTest {
  @TempDir Path dir;

  /** A clock the test moves (the breaker's open period is measured with the mesh clock). */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.now();

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static String config(String breaker, String endpoints, String extra) {
    return """
        mesh: {defaults: {mtlsMode: DISABLE}}
        admin: {enabled: false}
        services:
          - name: api
            ports: [{number: 80}]
            endpoints: %s
            trafficPolicy:
              loadBalancer: {simple: ROUND_ROBIN}
              circuitBreaker: %s
            routes:
              - retries: {attempts: %s, retryOn: [connect-failure], backoff: {baseInterval: 1ms, maxInterval: 1ms}}
        """.formatted(endpoints, breaker, extra);
  }

  private static final String BREAKER = "{slidingWindowSize: 4, minimumNumberOfCalls: 4, failureRateThreshold: 50,"
      + " waitDurationInOpenState: 10s, permittedNumberOfCallsInHalfOpenState: 2}";
  private static final String ONE_ENDPOINT = "[{address: 10.0.0.1}]";

  private final AtomicInteger status = new AtomicInteger(503);
  private final Recording upstream =
      new Recording((ctx, r) -> CompletableFuture.completedFuture(upstream(status.get())));

  private static int send(Mesh mesh, MeshService upstream) throws Exception {
    return mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS).status();
  }

  @Test
  void opensOnFailuresFailsFastThenHalfOpensAndClosesWithEvents() throws Exception {
    MovableClock clock = new MovableClock();
    List<BreakerTransition> events = new CopyOnWriteArrayList<>();
    AtomicReference<MeshContext> context = new AtomicReference<>();
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", config(BREAKER, ONE_ENDPOINT, "0")).clock(clock)
        .addStage(RetryStageTest.captureContext(context)).build()) {
      Resilience resilience = mesh.feature(Resilience.class);
      resilience.onBreakerTransition(events::add);

      for (int i = 0; i < 4; i++) {
        assertThat(send(mesh, upstream)).isEqualTo(503);
      }
      assertThat(events).extracting(BreakerTransition::to).containsExactly("OPEN");
      assertThat(events.get(0).name()).isEqualTo("default/api|10.0.0.1:80");

      // Open: fails fast, the upstream is not called.
      assertThatThrownBy(() -> mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CircuitOpenException.class);
      assertThat(upstream.count()).isEqualTo(4);
      assertThat(context.get().responseFlags()).isEqualTo("UO");
      assertThat(resilience.stats().circuitOpenRejections()).isEqualTo(1);
      assertThat(resilience.stats().breakers()).singleElement()
          .satisfies(b -> assertThat(b.state()).isEqualTo("OPEN"));

      // After the wait: half open, two trial calls succeed, closed again.
      clock.advance(Duration.ofSeconds(11));
      status.set(200);
      assertThat(send(mesh, upstream)).isEqualTo(200);
      assertThat(send(mesh, upstream)).isEqualTo(200);
      assertThat(events).extracting(BreakerTransition::to).containsExactly("OPEN", "HALF_OPEN", "CLOSED");
      assertThat(resilience.stats().breakerTransitions()).isEqualTo(3);
      assertThat(resilience.stats().breakers()).singleElement()
          .satisfies(b -> assertThat(b.state()).isEqualTo("CLOSED"));
      // The telemetry feature was told as well.
      assertThat(mesh.feature(MeshTelemetry.class).scrape()).contains("inmesh_circuit_breaker_transitions_total");
    }
  }

  @Test
  void anOpenEndpointBreakerMakesTheRetryGoToAnotherEndpoint() throws Exception {
    String twoEndpoints = "[{address: 10.0.0.1}, {address: 10.0.0.2}]";
    Recording failingOnOne = new Recording((ctx, r) -> CompletableFuture.completedFuture(
        upstream(ctx.endpoint().host().equals("10.0.0.1") ? 503 : 200)));
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", config(BREAKER, twoEndpoints, "1")).build()) {
      for (int i = 0; i < 20; i++) {
        mesh.outbound(get("api"), failingOnOne).get(5, TimeUnit.SECONDS);
      }
      int before = failingOnOne.count();
      for (int i = 0; i < 10; i++) {
        assertThat(send(mesh, failingOnOne)).isEqualTo(200);
      }
      // Every request after the breaker opened reached only the healthy endpoint (via a retry when needed).
      assertThat(failingOnOne.endpoints().subList(before, failingOnOne.count())).containsOnly("10.0.0.2");
    }
  }

  @Test
  void breakerStateSurvivesAReloadThatKeepsItsConfigAndResetsWhenItChanges() throws Exception {
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", config(BREAKER, ONE_ENDPOINT, "0")).build()) {
      for (int i = 0; i < 4; i++) {
        send(mesh, upstream);
      }
      String sameBreaker = config(BREAKER, ONE_ENDPOINT, "0").replace("ROUND_ROBIN", "RANDOM");
      mesh.apply(List.of(new ConfigDocument("reload.yaml", sameBreaker)));
      assertThat(mesh.snapshot().version()).isEqualTo(2);
      assertThatThrownBy(() -> mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CircuitOpenException.class);

      String otherBreaker = config(BREAKER.replace("failureRateThreshold: 50", "failureRateThreshold: 60"),
          ONE_ENDPOINT, "0");
      mesh.apply(List.of(new ConfigDocument("reload.yaml", otherBreaker)));
      status.set(200);
      assertThat(send(mesh, upstream)).isEqualTo(200);
    }
  }

  @Test
  void aRouteScopedBreakerGuardsAllEndpointsOfTheRoute() throws Exception {
    String threeEndpoints = "[{address: 10.0.0.1}, {address: 10.0.0.2}, {address: 10.0.0.3}]";
    String routeScope = BREAKER.replace("{", "{scope: ROUTE, ");
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", config(routeScope, threeEndpoints, "0")).build()) {
      for (int i = 0; i < 4; i++) {
        send(mesh, upstream);
      }
      assertThat(upstream.endpoints()).hasSize(4).contains("10.0.0.1", "10.0.0.2", "10.0.0.3");
      assertThatThrownBy(() -> mesh.outbound(get("api"), upstream).get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(CircuitOpenException.class)
          .cause().hasMessageContaining("route:api/0");
      assertThat(mesh.feature(Resilience.class).stats().breakers()).singleElement()
          .satisfies(b -> assertThat(b.name()).isEqualTo("route:api/0"));
    }
  }

  @Test
  void breakersOfEndpointsThatLeftTheServiceAreForgotten() throws Exception {
    String yaml = """
        mesh: {defaults: {mtlsMode: DISABLE}}
        admin: {enabled: false}
        services:
          - name: api
            ports: [{number: 80}]
            discovery: {type: REGISTRY, registry: memory}
            trafficPolicy:
              loadBalancer: {simple: ROUND_ROBIN}
              circuitBreaker: %s
        """.formatted(BREAKER);
    try (Mesh mesh = ResilienceFixtures.builder(dir, "client", yaml).build()) {
      InMemoryDiscoveryProvider registry = new InMemoryDiscoveryProvider("memory");
      Objects.requireNonNull(mesh.feature(LoadBalancing.class)).discovery().register(registry);
      registry.set("default", "api", List.of(new Endpoint("10.0.0.1", 80, Map.of(), 1, null)));
      status.set(200);
      send(mesh, upstream);
      Resilience resilience = Objects.requireNonNull(mesh.feature(Resilience.class));
      assertThat(resilience.stats().breakers()).extracting(BreakerState::name)
          .containsExactly("default/api|10.0.0.1:80");

      // The pod is rescheduled under another address: discovery changes, the config does not.
      registry.set("default", "api", List.of(new Endpoint("10.0.0.2", 80, Map.of(), 1, null)));
      send(mesh, upstream);
      resilience.forgetDepartedEndpoints(); // what the mesh's periodic sweep does

      assertThat(resilience.stats().breakers()).extracting(BreakerState::name)
          .containsExactly("default/api|10.0.0.2:80");
    }
  }
}
