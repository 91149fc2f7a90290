package io.inmesh.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.Mesh;
import io.inmesh.config.ConfigDocument;
import io.inmesh.discovery.Endpoint;
import io.inmesh.discovery.InMemoryDiscoveryProvider;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LOAD_BALANCER stage in a real {@link Mesh} built from a YAML file, with a transport that records endpoints. */
class LoadBalancingEndToEndTest {
  private static final String CONFIG = """
      services:
        - name: api-service
          ports: [{number: 80, targetPort: 8080}]
          endpoints:
            - {address: 10.0.0.1, labels: {version: v1}}
            - {address: 10.0.0.2, labels: {version: v1}}
            - {address: 10.0.0.3, labels: {version: v2}}
          subsets:
            - {name: v1, labels: {version: v1}}
            - {name: v2, labels: {version: v2}}
            - {name: v3, labels: {version: v3}}
          trafficPolicy:
            loadBalancer: {simple: LEAST_REQUEST}
          routes:
            - name: canary
              match: [{headers: {x-canary: {exact: "true"}}}]
              route: [{destination: {host: api-service, subset: v2}}]
            - name: nowhere
              match: [{headers: {x-nowhere: {}}}]
              route: [{destination: {host: api-service, subset: v3}}]
            - name: default
              route: [{destination: {host: api-service, subset: v1}}]
        - name: ghost
          ports: [{number: 80}]
        - name: local
          ports: [{number: 8080}]
          discovery: {type: DNS, hostname: localhost}
        - name: inventory
          ports: [{number: 8080}]
          discovery: {type: REGISTRY, registry: memory}
      """;

  @TempDir Path dir;
  final AtomicLong clock = new AtomicLong();

  /** One try the transport saw. */
  record Try(int attempt, Endpoint endpoint) {}

  /** Records every try; answers 503 to first attempts when {@code failFirst}, else 200; or holds the answer. */
  static final class Transport implements MeshService {
    final List<Try> tries = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<MeshResponse>> held = new CopyOnWriteArrayList<>();
    volatile boolean failFirst;
    volatile boolean hold;

    @Override
    public CompletableFuture<MeshResponse> execute(MeshContext ctx, MeshRequest request) {
      tries.add(new Try(ctx.attempt(), Objects.requireNonNull(ctx.endpoint())));
      if (hold) {
        CompletableFuture<MeshResponse> f = new CompletableFuture<>();
        held.add(f);
        return f;
      }
      return CompletableFuture.completedFuture(MeshResponse.synthesized(failFirst && ctx.attempt() == 1 ? 503 : 200));
    }

    List<String> hosts() {
      return tries.stream().map(t -> t.endpoint().host()).toList();
    }
  }

  /** A stand-in for the retry stage: a 503 is tried once more with the attempt number incremented. */
  static final MeshStage RETRY_ONCE = MeshStage.of("test-retry", StagePosition.after(OutboundRole.RETRY),
      (ctx, request, next) -> next.execute(ctx, request).thenCompose(r -> {
        if (r.status() != 503) {
          return CompletableFuture.completedFuture(r);
        }
        ctx.attempt(ctx.attempt() + 1);
        return next.execute(ctx, request);
      }));

  private final AtomicReference<@Nullable MeshContext> lastContext = new AtomicReference<>();

  private Mesh mesh(String config) throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), config);
    return Mesh.builder().workload("client").config(file).watch(false).loadStageProviders(false)
        .random(new SplittableRandom(3)).nanoTime(clock::get)
        .addStage(RETRY_ONCE)
        .addStage(MeshStage.of("capture", StagePosition.before(OutboundRole.TELEMETRY), (ctx, request, next) -> {
          lastContext.set(ctx);
          return next.execute(ctx, request);
        }))
        .build();
  }

  private static MeshRequest get(String host, Map<String, String> headers) {
    return MeshRequest.builder().authority(host).headers(MeshHeaders.of(headers)).build();
  }

  @Test
  void picksAnEndpointOfTheDestinationSubsetForEveryRequest() throws Exception {
    Transport transport = new Transport();
    try (Mesh mesh = mesh(CONFIG)) {
      for (int i = 0; i < 100; i++) {
        mesh.outbound(get("api-service", Map.of()), transport).get();
        mesh.outbound(get("api-service", Map.of("x-canary", "true")), transport).get();
      }
    }

    Map<String, Long> byHost = transport.hosts().stream().collect(Collectors.groupingBy(h -> h, Collectors.counting()));
    assertThat(byHost).containsOnlyKeys("10.0.0.1", "10.0.0.2", "10.0.0.3");
    assertThat(byHost.get("10.0.0.3")).isEqualTo(100);
    assertThat(byHost.get("10.0.0.1") + byHost.get("10.0.0.2")).isEqualTo(100);
    assertThat(transport.tries).allSatisfy(t -> assertThat(t.endpoint().port()).isEqualTo(8080));
  }

  @Test
  void aRetryGoesToAnotherEndpointAndTheTriedOnesAreRecorded() throws Exception {
    Transport transport = new Transport();
    transport.failFirst = true;
    try (Mesh mesh = mesh(CONFIG)) {
      for (int i = 0; i < 50; i++) {
        transport.tries.clear();
        MeshResponse response = mesh.outbound(get("api-service", Map.of()), transport).get();

        assertThat(response.status()).isEqualTo(200);
        assertThat(transport.tries).extracting(Try::attempt).containsExactly(1, 2);
        Endpoint first = transport.tries.get(0).endpoint();
        assertThat(transport.tries.get(1).endpoint()).isNotEqualTo(first);
        assertThat(Objects.requireNonNull(lastContext.get()).attribute(LoadBalancing.TRIED_ENDPOINTS))
            .containsExactly(first);
      }
    }
  }

  @Test
  void failsWithNoHealthyEndpointAndFlagUhWhenTheDestinationHasNone() throws Exception {
    Transport transport = new Transport();
    try (Mesh mesh = mesh(CONFIG)) {
      assertThatThrownBy(() -> mesh.outbound(get("ghost", Map.of()), transport).get())
          .isInstanceOf(ExecutionException.class).cause()
          .isInstanceOf(NoHealthyEndpointException.class)
          .hasMessage("no healthy endpoint for service 'default/ghost': the service has no endpoints");
      assertThat(Objects.requireNonNull(lastContext.get()).responseFlags()).isEqualTo("UH");

      assertThatThrownBy(() -> mesh.outbound(get("api-service", Map.of("x-nowhere", "1")), transport).get())
          .cause().isInstanceOfSatisfying(NoHealthyEndpointException.class, e -> {
            assertThat(e.service()).isEqualTo("default/api-service");
            assertThat(e.subset()).isEqualTo("v3");
            assertThat(e.getStackTrace()).isEmpty();
          });
    }
    assertThat(transport.tries).isEmpty();
  }

  @Test
  void endpointStateSurvivesAReloadAndRequestsInFlightComplete() throws Exception {
    Transport transport = new Transport();
    transport.hold = true;
    try (Mesh mesh = mesh(CONFIG)) {
      LoadBalancing lb = Objects.requireNonNull(mesh.feature(LoadBalancing.class));
      List<CompletableFuture<MeshResponse>> pending = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        pending.add(mesh.outbound(get("api-service", Map.of()), transport));
      }
      EndpointState one = Objects.requireNonNull(lb.endpointState("default/api-service", "10.0.0.1:8080"));
      EndpointState two = Objects.requireNonNull(lb.endpointState("default/api-service", "10.0.0.2:8080"));
      assertThat(one.inFlight() + two.inFlight()).isEqualTo(10);
      assertThat(Math.abs(one.inFlight() - two.inFlight())).as("least request balances in-flight")
          .isLessThanOrEqualTo(1);
      int oneInFlight = one.inFlight();
      two.ejected(true);

      boolean applied = mesh.apply(List.of(new ConfigDocument("mesh.yaml", CONFIG
          .replace("{address: 10.0.0.1, labels: {version: v1}}",
              "{address: 10.0.0.1, labels: {version: v1}, weight: 2}")
          .replace("{address: 10.0.0.3, labels: {version: v2}}", "{address: 10.0.0.4, labels: {version: v2}}")
          .replace("simple: LEAST_REQUEST", "simple: ROUND_ROBIN"))));

      assertThat(applied).isTrue();
      assertThat(lb.endpointState("default/api-service", "10.0.0.1:8080")).isSameAs(one);
      assertThat(one.inFlight()).isEqualTo(oneInFlight);
      assertThat(one.endpoint().weight()).isEqualTo(2);
      assertThat(lb.endpointState("default/api-service", "10.0.0.2:8080")).isSameAs(two);
      assertThat(two.ejected()).isTrue();
      assertThat(lb.endpointState("default/api-service", "10.0.0.3:8080")).isNull();
      assertThat(lb.endpointStates("default/api-service")).extracting(EndpointState::address)
          .containsExactly("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.4:8080");

      transport.hold = false;
      transport.tries.clear();
      for (int i = 0; i < 20; i++) {
        mesh.outbound(get("api-service", Map.of()), transport).get();
      }
      assertThat(transport.hosts()).as("10.0.0.2 stays ejected after the reload").containsOnly("10.0.0.1");

      transport.held.forEach(f -> f.complete(MeshResponse.synthesized(200)));
      for (CompletableFuture<MeshResponse> f : pending) {
        assertThat(f.get().status()).isEqualTo(200);
      }
      assertThat(one.inFlight()).isZero();
      assertThat(two.inFlight()).isZero();
    }
  }

  @Test
  void aDnsServiceGetsItsEndpointsFromTheResolverOffTheRequestPath() throws Exception {
    Transport transport = new Transport();
    try (Mesh mesh = mesh(CONFIG)) {
      mesh.outbound(get("local", Map.of()), transport).get();
    }
    Endpoint e = transport.tries.get(0).endpoint();
    assertThat(InetAddress.getByName(e.host()).isLoopbackAddress()).isTrue();
    assertThat(e.port()).isEqualTo(8080);
  }

  @Test
  void aRegistryProviderRegisteredAtRunTimeFeedsItsServices() throws Exception {
    Transport transport = new Transport();
    try (Mesh mesh = mesh(CONFIG)) {
      LoadBalancing lb = Objects.requireNonNull(mesh.feature(LoadBalancing.class));
      assertThatThrownBy(() -> mesh.outbound(get("inventory", Map.of()), transport).get())
          .cause().isInstanceOf(NoHealthyEndpointException.class);

      InMemoryDiscoveryProvider registry = new InMemoryDiscoveryProvider("memory");
      lb.discovery().register(registry);
      registry.set("default", "inventory", List.of(new Endpoint("10.0.7.1", 8080, Map.of(), 1, null)));
      mesh.outbound(get("inventory", Map.of()), transport).get();
    }
    assertThat(transport.hosts()).containsExactly("10.0.7.1");
  }
}
