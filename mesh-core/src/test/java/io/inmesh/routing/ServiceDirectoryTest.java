package io.inmesh.routing;

import static io.inmesh.routing.RoutingFixtures.compile;
import static io.inmesh.routing.RoutingFixtures.service;
import static io.inmesh.routing.RoutingFixtures.workload;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.TrafficPolicy.ClientTlsMode;
import io.inmesh.config.TrafficPolicy.LbPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Host resolution (Kubernetes names, extra hosts), expected identities and traffic-policy inheritance. */
class ServiceDirectoryTest {

  private static final String HOSTS = """
      mesh: {trustDomain: example.org, defaultNamespace: demo}
      services:
        - name: api-service
          hosts: [api.example.internal, legacy-api.example.com]
        - name: payments
          namespace: billing
          serviceAccount: payments-sa
        - name: db
        - name: db
          namespace: prod
        - name: ledger
          namespace: billing
          identity: spiffe://other.org/custom/ledger
      """;

  /** A host and the {@code namespace/name} it should resolve to (null: unknown). */
  record Host(String behaviour, String host, @Nullable String expectedKey) {
    @Override
    public String toString() {
      return behaviour + ": " + host;
    }
  }

  static Stream<Host> hosts() {
    return Stream.of(
        new Host("short name", "api-service", "demo/api-service"),
        new Host("name.namespace", "api-service.demo", "demo/api-service"),
        new Host("name.namespace.svc", "api-service.demo.svc", "demo/api-service"),
        new Host("fully qualified name", "api-service.demo.svc.cluster.local", "demo/api-service"),
        new Host("extra host", "api.example.internal", "demo/api-service"),
        new Host("second extra host with upper case and trailing dot", "LEGACY-API.Example.com.", "demo/api-service"),
        new Host("upper case", "API-SERVICE", "demo/api-service"),
        new Host("trailing dot", "api-service.demo.svc.cluster.local.", "demo/api-service"),
        new Host("upper case and trailing dot", "Api-Service.Demo.SVC.Cluster.Local.", "demo/api-service"),
        new Host("upper-case extra host", "API.EXAMPLE.INTERNAL", "demo/api-service"),
        new Host("short name of the only service of that name in another namespace", "payments",
            "billing/payments"),
        new Host("name.namespace in another namespace", "payments.billing", "billing/payments"),
        new Host("fully qualified name in another namespace", "payments.billing.svc.cluster.local",
            "billing/payments"),
        new Host("shared short name resolves in the workload's own namespace", "db", "demo/db"),
        new Host("shared name qualified with the other namespace", "db.prod", "prod/db"),
        new Host("unknown host", "unknown", null),
        new Host("unknown namespace", "api-service.prod", null),
        new Host("external host", "www.example.com", null),
        new Host("empty host", "", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hosts")
  void resolvesHostToService(Host row) {
    CompiledService s = compile(HOSTS).resolve(row.host());

    if (row.expectedKey() == null) {
      assertThat(s).isNull();
    } else {
      assertThat(s).isNotNull();
      assertThat(s.key()).isEqualTo(row.expectedKey());
    }
  }

  @Test
  void sharedShortNameResolvesToTheServiceInTheWorkloadsNamespace() {
    ServiceDirectory fromProd = compile(HOSTS, workload("batch", "prod", Map.of()));

    assertThat(service(fromProd, "db").key()).isEqualTo("prod/db");
    assertThat(service(fromProd, "db.demo").key()).isEqualTo("demo/db");
  }

  @Test
  void sharedShortNameIsUnresolvedFromAThirdNamespace() {
    ServiceDirectory fromBilling = compile(HOSTS, workload("payments", "billing", Map.of()));

    assertThat(fromBilling.resolve("db")).isNull();
    assertThat(service(fromBilling, "db.prod").key()).isEqualTo("prod/db");
    assertThat(service(fromBilling, "payments").key()).isEqualTo("billing/payments");
  }

  @Test
  void everyNameOfAServiceResolvesToTheSameObject() {
    ServiceDirectory directory = compile(HOSTS);
    CompiledService api = service(directory, "api-service");

    assertThat(directory.resolve("api-service.demo.svc.cluster.local")).isSameAs(api);
    assertThat(directory.resolve("api.example.internal")).isSameAs(api);
    assertThat(directory.size()).isEqualTo(5);
    assertThat(directory.services()).extracting(CompiledService::key)
        .containsExactly("demo/api-service", "billing/payments", "demo/db", "prod/db", "billing/ledger");
  }

  // ------------------------------------------------------------------ identities

  @Test
  void expectedIdentityDefaultsToTheServiceNameAsServiceAccount() {
    assertThat(service(compile(HOSTS), "api-service").identity())
        .hasToString("spiffe://example.org/ns/demo/sa/api-service");
  }

  @Test
  void expectedIdentityUsesTheServiceAccountWhenSet() {
    assertThat(service(compile(HOSTS), "payments").identity())
        .hasToString("spiffe://example.org/ns/billing/sa/payments-sa");
  }

  @Test
  void expectedIdentityIsTheExplicitIdentityWhenSet() {
    assertThat(service(compile(HOSTS), "ledger.billing").identity())
        .hasToString("spiffe://other.org/custom/ledger");
  }

  @Test
  void expectedIdentityUsesTheDefaultTrustDomainWhenNoneIsConfigured() {
    assertThat(service(compile("services: [{name: api}]"), "api").identity())
        .hasToString("spiffe://cluster.local/ns/default/sa/api");
  }

  // ------------------------------------------------------------------ traffic policy

  private static final String POLICIES = """
      mesh:
        defaults:
          loadBalancer: {simple: PEAK_EWMA}
          outlierDetection: {consecutive5xxErrors: 7}
          connectionPool: {tcp: {maxConnections: 100}}
      services:
        - name: plain
        - name: api
          endpoints:
            - {address: 10.0.0.1, port: 80, labels: {version: v1}}
            - {address: 10.0.0.2, port: 80, labels: {version: v2}}
          trafficPolicy:
            loadBalancer: {simple: LEAST_REQUEST}
            outlierDetection: {consecutive5xxErrors: 3, interval: 1s}
            tls: {mode: SIMPLE, sni: api.example.org}
          subsets:
            - {name: v1, labels: {version: v1}}
            - name: v2
              labels: {version: v2}
              trafficPolicy:
                loadBalancer: {simple: ROUND_ROBIN}
                connectionPool: {tcp: {maxConnections: 5}}
                circuitBreaker: {failureRateThreshold: 25}
      """;

  @Test
  void serviceWithoutTrafficPolicyTakesTheMeshDefaults() {
    EffectiveTrafficPolicy p = service(compile(POLICIES), "plain").trafficPolicy();

    assertThat(p.loadBalancer().simple()).isEqualTo(LbPolicy.PEAK_EWMA);
    assertThat(p.outlierDetection().consecutive5xxErrors()).isEqualTo(7);
    assertThat(p.connectionPool().tcp().maxConnections()).isEqualTo(100);
    assertThat(p.circuitBreaker()).isNull();
    assertThat(p.healthCheck()).isNull();
    assertThat(p.tls().mode()).isEqualTo(ClientTlsMode.ISTIO_MUTUAL);
  }

  @Test
  void serviceTrafficPolicyOverridesTheMeshDefaultsPartByPart() {
    EffectiveTrafficPolicy p = service(compile(POLICIES), "api").trafficPolicy();

    assertThat(p.loadBalancer().simple()).isEqualTo(LbPolicy.LEAST_REQUEST);
    assertThat(p.outlierDetection().consecutive5xxErrors()).isEqualTo(3);
    assertThat(p.outlierDetection().interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.connectionPool().tcp().maxConnections()).isEqualTo(100); // from mesh.defaults
    assertThat(p.tls().mode()).isEqualTo(ClientTlsMode.SIMPLE);
    assertThat(p.tls().sni()).isEqualTo("api.example.org");
  }

  @Test
  void subsetWithoutTrafficPolicyTakesTheServices() {
    CompiledService api = service(compile(POLICIES), "api");

    assertThat(api.subset("v1").trafficPolicy()).isEqualTo(api.trafficPolicy());
    assertThat(api.subset("v1").labels()).containsExactly(Map.entry("version", "v1"));
  }

  @Test
  void subsetTrafficPolicyOverridesServiceThenMeshDefaults() {
    CompiledService api = service(compile(POLICIES), "api");
    EffectiveTrafficPolicy v2 = api.subset("v2").trafficPolicy();

    assertThat(v2.loadBalancer().simple()).isEqualTo(LbPolicy.ROUND_ROBIN); // subset
    assertThat(v2.connectionPool().tcp().maxConnections()).isEqualTo(5); // subset
    assertThat(v2.circuitBreaker()).isNotNull();
    assertThat(v2.circuitBreaker().failureRateThreshold()).isEqualTo(25); // subset
    assertThat(v2.outlierDetection().consecutive5xxErrors()).isEqualTo(3); // service
    assertThat(v2.tls().mode()).isEqualTo(ClientTlsMode.SIMPLE); // service
    assertThat(v2.healthCheck()).isNull(); // nowhere
  }

  @Test
  void unknownSubsetIsNull() {
    assertThat(service(compile(POLICIES), "api").subset("v9")).isNull();
    assertThat(service(compile(POLICIES), "api").subsets()).containsOnlyKeys("v1", "v2");
  }
}
