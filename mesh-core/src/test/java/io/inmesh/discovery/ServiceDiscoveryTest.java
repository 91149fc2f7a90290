package io.inmesh.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.routing.CompiledService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceDiscoveryTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final Map<String, List<Endpoint>> published = new ConcurrentHashMap<>();
  private final AtomicInteger publications = new AtomicInteger();
  private final AtomicReference<Object> answer = new AtomicReference<>();
  private final AtomicInteger resolutions = new AtomicInteger();
  /** A resolver answering {@link #answer}: a list of IP strings, or an exception to throw. */
  private final DnsResolver fake = hostname -> {
    resolutions.incrementAndGet();
    Object a = answer.get();
    if (a instanceof IOException e) {
      throw e;
    }
    @SuppressWarnings("unchecked") List<String> ips = (List<String>) a;
    List<InetAddress> out = new java.util.ArrayList<>();
    for (String ip : ips) {
      out.add(InetAddress.getByName(ip)); // IP literals: no lookup
    }
    return out;
  };
  private final ServiceDiscovery discovery = new ServiceDiscovery(scheduler, fake, (key, endpoints) -> {
    published.put(key, endpoints);
    publications.incrementAndGet();
  });

  @AfterEach
  void close() {
    discovery.close();
    scheduler.shutdownNow();
  }

  static Collection<CompiledService> services(String yaml) {
    var loaded = ConfigLoader.create().loadDocuments(List.of(new ConfigDocument("mesh.yaml", yaml)));
    return MeshSnapshot.compile(loaded, new WorkloadIdentity("client", "default", "client", Map.of(), null), 1,
        "test", Instant.EPOCH).services().services();
  }

  @Test
  void publishesStaticEndpointsWithThePortDefaultingToTheFirstServicePortsTarget() {
    discovery.update(services("""
        services:
          - name: api
            ports: [{number: 80, targetPort: 8080}, {number: 90}]
            endpoints:
              - {address: 10.0.0.1, labels: {version: v1}, weight: 3, zone: z1}
              - {address: 10.0.0.2, port: 9999}
          - name: web
            ports: [{number: 81}]
            endpoints: [{address: 10.0.0.3}]
        """));

    assertThat(published.get("default/api")).containsExactly(
        new Endpoint("10.0.0.1", 8080, Map.of("version", "v1"), 3, "z1"),
        new Endpoint("10.0.0.2", 9999, Map.of(), 1, null));
    assertThat(published.get("default/web")).containsExactly(new Endpoint("10.0.0.3", 81, Map.of(), 1, null));
  }

  @Test
  void keepsAnUnchangedSourceAcrossReloadsAndStopsRemovedServices() {
    String api = "  - name: api\n    endpoints: [{address: 10.0.0.1, port: 80}]\n";
    discovery.update(services("services:\n" + api));
    discovery.update(services("services:\n" + api + "  - name: web\n    endpoints: [{address: 10.0.0.2, port: 80}]\n"));

    assertThat(publications.get()).as("api once, web once").isEqualTo(2);
    discovery.update(services("services:\n  - name: web\n    endpoints: [{address: 10.0.0.9, port: 80}]\n"));
    assertThat(discovery.endpoints("default/api")).isNull();
    assertThat(discovery.endpoints("default/web")).containsExactly(new Endpoint("10.0.0.9", 80, Map.of(), 1, null));
  }

  private static final String DNS = """
      services:
        - name: search
          ports: [{number: 9200}]
          discovery: {type: DNS, hostname: search.internal.example, refreshInterval: 1s}
      """;

  @Test
  void turnsDnsRecordsIntoEndpointsAndResolvesAgainEveryRefreshInterval() {
    answer.set(List.of("10.0.0.2", "10.0.0.1", "::1"));
    discovery.update(services(DNS));

    await().atMost(Duration.ofSeconds(5)).until(() -> published.containsKey("default/search"));
    assertThat(published.get("default/search")).extracting(Endpoint::address)
        .containsExactlyInAnyOrder("10.0.0.1:9200", "10.0.0.2:9200", "[0:0:0:0:0:0:0:1]:9200");

    answer.set(List.of("10.0.0.3"));
    await().atMost(Duration.ofSeconds(5)).until(() ->
        published.get("default/search").equals(List.of(new Endpoint("10.0.0.3", 9200, Map.of(), 1, null))));
  }

  @Test
  void keepsTheLastGoodEndpointsWhenAResolutionFails() {
    answer.set(List.of("10.0.0.1"));
    discovery.update(services(DNS));
    await().atMost(Duration.ofSeconds(5)).until(() -> published.containsKey("default/search"));
    int before = resolutions.get();

    answer.set(new UnknownHostException("search.internal.example: SERVFAIL"));
    await().atMost(Duration.ofSeconds(5)).until(() -> resolutions.get() >= before + 2);

    assertThat(discovery.endpoints("default/search")).containsExactly(new Endpoint("10.0.0.1", 9200, Map.of(), 1,
        null));
    assertThat(publications.get()).isEqualTo(1);
  }

  @Test
  void publishesAnEmptySetWhenTheFirstResolutionFailsSoThatNobodyWaitsForEver() {
    answer.set(new UnknownHostException("nxdomain"));
    discovery.update(services(DNS));

    await().atMost(Duration.ofSeconds(5)).until(() -> published.containsKey("default/search"));
    assertThat(published.get("default/search")).isEmpty();
  }

  @Test
  void resolvesLocalhostWithTheSystemResolver() throws Exception {
    assertThat(DnsResolver.system().resolve("localhost")).anyMatch(InetAddress::isLoopbackAddress);

    try (ServiceDiscovery real = new ServiceDiscovery(scheduler, DnsResolver.system(), published::put)) {
      real.update(services("""
          services:
            - name: local
              ports: [{number: 8080}]
              discovery: {type: DNS, hostname: localhost}
          """));
      await().atMost(Duration.ofSeconds(10)).until(() -> published.containsKey("default/local"));
      assertThat(published.get("default/local")).isNotEmpty().allSatisfy(e -> {
        assertThat(InetAddress.getByName(e.host()).isLoopbackAddress()).isTrue();
        assertThat(e.port()).isEqualTo(8080);
      });
    }
  }

  private static final String REGISTRY = """
      services:
        - name: inventory
          ports: [{number: 8080}]
          discovery: {type: REGISTRY, registry: memory}
      """;

  @Test
  void aRegistryProviderPushesEndpointChangesAndIsUnwatchedWhenTheServiceLeaves() {
    InMemoryDiscoveryProvider registry = new InMemoryDiscoveryProvider("memory");
    registry.set("default", "inventory", List.of(new Endpoint("10.0.1.1", 8080, Map.of(), 1, null)));
    discovery.register(registry);
    discovery.update(services(REGISTRY));

    assertThat(published.get("default/inventory")).extracting(Endpoint::host).containsExactly("10.0.1.1");
    registry.set("default", "inventory", List.of(new Endpoint("10.0.1.2", 8080, Map.of(), 1, null),
        new Endpoint("10.0.1.3", 8080, Map.of("version", "v2"), 2, "z")));
    assertThat(published.get("default/inventory")).extracting(Endpoint::host).containsExactly("10.0.1.2", "10.0.1.3");
    assertThat(registry.watchers("default", "inventory")).isEqualTo(1);

    discovery.update(services("services: []\n"));
    assertThat(registry.watchers("default", "inventory")).isZero();
    registry.set("default", "inventory", List.of());
    assertThat(published.get("default/inventory")).hasSize(2);
  }

  @Test
  void aServiceWaitingForItsRegistryStartsWatchingWhenTheProviderIsRegistered() {
    discovery.update(services(REGISTRY));
    assertThat(published.get("default/inventory")).isEmpty();

    InMemoryDiscoveryProvider registry = new InMemoryDiscoveryProvider("memory");
    registry.set("default", "inventory", List.of(new Endpoint("10.0.1.1", 8080, Map.of(), 1, null)));
    discovery.register(registry);

    assertThat(published.get("default/inventory")).extracting(Endpoint::host).containsExactly("10.0.1.1");
    assertThat(discovery.provider("memory")).isSameAs(registry);
  }
}
