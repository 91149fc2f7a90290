package io.inmesh.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.InboundConfig.AuthorizationAction;
import io.inmesh.config.InboundConfig.RateLimitScope;
import io.inmesh.config.RouteConfig.RouteDestination;
import io.inmesh.config.RouteConfig.StringMatch;
import io.inmesh.config.TrafficPolicy.CircuitBreakerScope;
import io.inmesh.config.TrafficPolicy.LbPolicy;
import io.inmesh.config.internal.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  private static final Path SAMPLE = Path.of("..", "samples", "mesh.yaml");
  private static final Map<String, String> ENV = Map.of(
      "ORDERS_NAME", "orders",
      "ORDERS_PORT", "8443",
      "EMPTY", "");

  private final ConfigLoader loader = ConfigLoader.withEnvironment(ENV::get);

  @TempDir
  Path dir;

  @Test
  void loadsTheSampleMesh() {
    LoadedConfig loaded = loader.load(List.of(SAMPLE));
    MeshConfig config = loaded.config();

    assertThat(loaded.warnings()).isEmpty();
    assertThat(config.mesh().trustDomain()).isEqualTo("cluster.local");
    assertThat(config.mesh().defaultNamespace()).isEqualTo("demo");
    assertThat(config.mesh().identity().devCa().directory()).isEqualTo(".inmesh/ca");
    assertThat(config.services()).extracting(ServiceConfig::name)
        .containsExactly("frontend", "api-service", "payments");
    assertThat(config.services()).extracting(s -> s.routes().size()).containsExactly(0, 2, 2);
    assertThat(config.services()).extracting(s -> s.endpoints().size()).containsExactly(1, 3, 2);
    assertThat(config.inbound().peerAuthentication()).hasSize(1);
    assertThat(config.inbound().authorization()).extracting(InboundConfig.AuthorizationPolicy::action)
        .containsExactly(AuthorizationAction.ALLOW, AuthorizationAction.ALLOW, AuthorizationAction.DENY);
    assertThat(config.inbound().rateLimits()).hasSize(1);
    assertThat(config.inbound().policyCount()).isEqualTo(5);

    ServiceConfig api = config.services().get(1);
    assertThat(api.subsets()).extracting(ServiceConfig.Subset::name).containsExactly("v1", "v2");
    assertThat(api.endpoints().get(1).zone()).isEqualTo("zone-b");
    RouteConfig canary = api.routes().get(0);
    assertThat(canary.match().get(0).headers()).containsEntry("x-canary", new StringMatch("true", null, null));
    RouteConfig split = api.routes().get(1);
    assertThat(split.route()).extracting(RouteDestination::weight).containsExactly(90, 10);
    assertThat(split.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(split.retries().perTryTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(split.retries().retryOn()).containsExactly("5xx", "connect-failure");
    assertThat(api.trafficPolicy().outlierDetection().maxEjectionPercent()).isEqualTo(50);

    RouteConfig charge = config.services().get(2).routes().get(0);
    assertThat(charge.match().get(0).uri().prefix()).isEqualTo("/charge");
    assertThat(charge.retries().retryNonIdempotent()).isTrue();
    assertThat(charge.retries().perTryTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.inbound().rateLimits().get(0).scope()).isEqualTo(RateLimitScope.CLIENT);
    assertThat(config.telemetry().tracing().propagation())
        .containsExactly(TelemetryConfig.Propagation.W3C, TelemetryConfig.Propagation.B3);
    assertThat(config.admin().port()).isEqualTo(9901);
  }

  @Test
  void sampleTakesItsCaDirectoryFromTheEnvironmentWhenSet() {
    LoadedConfig loaded = ConfigLoader.withEnvironment(Map.of("INMESH_CA_DIR", "/var/lib/inmesh/ca")::get)
        .load(List.of(SAMPLE));

    assertThat(loaded.config().mesh().identity().devCa().directory()).isEqualTo("/var/lib/inmesh/ca");
  }

  @Test
  void appliesTheDocumentedDefaults() {
    MeshConfig config = load("""
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1}]
            trafficPolicy:
              circuitBreaker: {}
              loadBalancer:
                consistentHash: {httpHeaderName: x-user}
            routes:
              - retries: {attempts: 1}
        """).config();

    MeshConfig.Defaults defaults = config.mesh().defaults();
    assertThat(defaults.mtlsMode()).isEqualTo(MtlsMode.STRICT);
    assertThat(defaults.pathNormalization()).isEqualTo(PathNormalizationMode.DECODE_AND_MERGE_SLASHES);
    assertThat(defaults.outlierDetection()).isEqualTo(new TrafficPolicy.OutlierDetection(
        5, 0, Duration.ofSeconds(10), Duration.ofSeconds(30), 10, 0));
    assertThat(defaults.retryBudget()).isEqualTo(new MeshConfig.RetryBudget(true, 0.2, 10, Duration.ofSeconds(10)));
    assertThat(defaults.retries().attempts()).isEqualTo(2);
    assertThat(defaults.retries().retryOn()).containsExactly("connect-failure", "refused-stream", "503");
    assertThat(defaults.retries().backoff())
        .isEqualTo(new RouteConfig.Backoff(Duration.ofMillis(25), Duration.ofMillis(250)));
    assertThat(defaults.loadBalancer().simple()).isEqualTo(LbPolicy.PEAK_EWMA);
    assertThat(defaults.loadBalancer().panicThreshold()).isEqualTo(50.0);
    assertThat(defaults.connectionPool().tcp().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.mesh().trustDomain()).isEqualTo("cluster.local");
    assertThat(config.mesh().defaultNamespace()).isEqualTo("default");

    ServiceConfig orders = config.services().get(0);
    assertThat(orders.ports()).containsExactly(new ServiceConfig.Port(80, "http", ServiceConfig.Protocol.HTTP, null));
    assertThat(orders.discovery().type()).isEqualTo(ServiceConfig.DiscoveryType.STATIC);
    assertThat(orders.endpoints().get(0).weight()).isEqualTo(1);
    assertThat(orders.trafficPolicy().circuitBreaker()).isEqualTo(new TrafficPolicy.CircuitBreaker(
        CircuitBreakerScope.ENDPOINT, 50.0, 100, 100, Duration.ofSeconds(60), 10));
    assertThat(orders.trafficPolicy().loadBalancer().consistentHash().minimumRingSize()).isEqualTo(1024);
    RouteConfig.RetryPolicy retries = orders.routes().get(0).retries();
    assertThat(retries.retryOn()).containsExactly("connect-failure", "refused-stream", "503");
    assertThat(retries.backoff().baseInterval()).isEqualTo(Duration.ofMillis(25));
    assertThat(retries.retryNonIdempotent()).isFalse();
    assertThat(config.telemetry().tracing().randomSamplingPercentage()).isEqualTo(1.0);
    assertThat(config.admin().bindAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void substitutesEnvironmentVariablesWithDefaultsAndEscapes() {
    MeshConfig config = load("""
        services:
          - name: ${ORDERS_NAME}
            ports: [{number: "${ORDERS_PORT}"}]
            endpoints: [{address: "${ORDERS_ADDRESS:10.0.0.7}", zone: "zone-${EMPTY}a"}]
            routes:
              - headers:
                  request:
                    set: {x-template: "$${ORDERS_NAME}", x-both: "${ORDERS_NAME}-$${literal}"}
        """).config();

    ServiceConfig orders = config.services().get(0);
    assertThat(orders.name()).isEqualTo("orders");
    assertThat(orders.ports().get(0).number()).isEqualTo(8443);
    assertThat(orders.endpoints().get(0).address()).isEqualTo("10.0.0.7");
    assertThat(orders.endpoints().get(0).zone()).isEqualTo("zone-a");
    assertThat(orders.routes().get(0).headers().request().set())
        .containsEntry("x-template", "${ORDERS_NAME}")
        .containsEntry("x-both", "orders-${literal}");
  }

  @Test
  void retryOnAcceptsACommaSeparatedStringAndAList() {
    MeshConfig config = load("""
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1}]
            routes:
              - name: string
                retries: {attempts: 2, retryOn: "5xx, reset,connect-failure"}
              - name: list
                retries: {attempts: 2, retryOn: [gateway-error, "503"]}
        """).config();

    List<RouteConfig> routes = config.services().get(0).routes();
    assertThat(routes.get(0).retries().retryOn()).containsExactly("5xx", "reset", "connect-failure");
    assertThat(routes.get(1).retries().retryOn()).containsExactly("gateway-error", "503");
  }

  @Test
  void mergesTheServicesAndInboundPoliciesOfEveryFileOfADirectory() throws IOException {
    write("20-payments.yaml", """
        services:
          - name: payments
            endpoints: [{address: 10.0.0.2}]
        inbound:
          authorization:
            - name: payments-callers
              rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/orders]}}]}]
        """);
    write("10-orders.yml", """
        mesh: {defaultNamespace: shop}
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1}]
            routes:
              - route: [{destination: {host: payments}}]
        inbound:
          authorization:
            - name: orders-callers
              rules: [{}]
          rateLimits:
            - name: global
              tokenBucket: {maxTokens: 100, fillInterval: 1s}
        """);
    write(".hidden.yaml", "services: [{name: hidden}]");
    write("notes.txt", "not: [yaml");

    MeshConfig config = loader.load(List.of(dir)).config();

    assertThat(config.mesh().defaultNamespace()).isEqualTo("shop");
    assertThat(config.services()).extracting(ServiceConfig::name).containsExactly("orders", "payments");
    assertThat(config.inbound().authorization()).extracting(InboundConfig.AuthorizationPolicy::name)
        .containsExactly("orders-callers", "payments-callers");
    assertThat(config.inbound().rateLimits()).hasSize(1);
  }

  @Test
  void mergesTheDocumentsOfAMultiDocumentFile() {
    MeshConfig config = load("""
        mesh: {trustDomain: example.org}
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1}]
        ---
        services:
          - name: payments
            endpoints: [{address: 10.0.0.2}]
        inbound:
          peerAuthentication:
            - name: default
              mtls: {mode: PERMISSIVE}
        ---
        # an empty document is fine
        """).config();

    assertThat(config.mesh().trustDomain()).isEqualTo("example.org");
    assertThat(config.services()).extracting(ServiceConfig::name).containsExactly("orders", "payments");
    assertThat(config.inbound().peerAuthentication().get(0).mtls().mode()).isEqualTo(MtlsMode.PERMISSIVE);
  }

  @Test
  void identicalContentGivesAnIdenticalHashAndDifferentContentADifferentOne() throws IOException {
    String yaml = """
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1}]
        """;
    Path file = write("mesh.yaml", yaml);

    LoadedConfig first = loader.load(List.of(file));
    LoadedConfig again = loader.load(List.of(file));
    write("mesh.yaml", yaml.replace("10.0.0.1", "10.0.0.2"));
    LoadedConfig changed = loader.load(List.of(file));

    assertThat(first.contentHash()).matches("[0-9a-f]{64}").isEqualTo(again.contentHash());
    assertThat(first.config()).isEqualTo(again.config());
    assertThat(changed.contentHash()).isNotEqualTo(first.contentHash());
  }

  @Test
  void warningsDoNotRejectTheConfigurationAndAreReturned() {
    LoadedConfig loaded = loader.loadDocuments(List.of(new ConfigDocument("mesh.yaml", """
        services:
          - name: orders
          - name: payments
            endpoints: [{address: 10.0.0.2}]
        """)));

    assertThat(loaded.config().services()).hasSize(2);
    assertThat(loaded.warnings()).map(ConfigProblem::toString).containsExactly(
        "mesh.yaml:2:5: warning: services[0].endpoints: service 'orders' has no endpoints: requests to it will fail"
            + " (expected: endpoints, or discovery type DNS or REGISTRY)");
    assertThat(loaded.warnings()).noneMatch(ConfigProblem::isError);
  }

  @Test
  void lowercaseHttpMethodIsAcceptedWithAWarningThatItNeverMatches() {
    LoadedConfig loaded = load("""
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1}]
            routes:
              - match: [{method: {exact: post}}]
        """);

    assertThat(loaded.warnings()).map(ConfigProblem::toString).containsExactly(
        "mesh.yaml:5:34: warning: services[0].routes[0].match[0].method.exact: 'post' never matches:"
            + " HTTP methods are case-sensitive (expected: POST)");
  }

  @Test
  void headerMatchWithoutAValueMeansPresent() {
    MeshConfig config = load("""
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1}]
            routes:
              - match:
                  - headers:
                      x-debug:
                      x-tenant: {}
                    queryParams:
                      page: {exact: ""}
        """).config();

    RouteConfig.Match match = config.services().get(0).routes().get(0).match().get(0);
    assertThat(match.headers().get("x-debug").isEmpty()).isTrue();
    assertThat(match.headers().get("x-tenant").isEmpty()).isTrue();
    assertThat(match.queryParams().get("page").exact()).isEmpty();
  }

  @Test
  void zeroDurationNeedsNoUnit() {
    MeshConfig config = load("""
        services:
          - name: orders
            endpoints: [{address: 10.0.0.1}]
            routes:
              - fault:
                  delay: {fixedDelay: 0, percentage: {value: 100}}
        """).config();

    assertThat(config.services().get(0).routes().get(0).fault().delay().fixedDelay()).isZero();
  }

  @Test
  void acceptsAUtf8ByteOrderMark() throws IOException {
    Path file = dir.resolve("bom.yaml");
    Files.write(file, ("\uFEFFservices:\n  - name: orders\n    endpoints: [{address: 10.0.0.1}]\n")
        .getBytes(StandardCharsets.UTF_8));

    assertThat(loader.load(List.of(file)).config().services()).hasSize(1);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "250ms, 250ms",
      "5s, 5s",
      "1m30s, 1m30s",
      "1.5s, 1500ms",
      "0, 0s",
      "1h0m5s, 1h5s",
      "1.001s, 1001ms",
      "90us, 90us"})
  void durationsRoundTripThroughFormat(String text, String formatted) {
    Duration parsed = Durations.parse(text);

    assertThat(Durations.format(parsed)).isEqualTo(formatted);
    assertThat(Durations.parse(Durations.format(parsed))).isEqualTo(parsed);
  }

  @Test
  void durationsParseFractionsExactly() {
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("0.29h")).isEqualTo(Duration.ofSeconds(1044));
    assertThat(Durations.parse("2.01ms")).isEqualTo(Duration.ofNanos(2_010_000));
    assertThat(Durations.format(Duration.ofSeconds(-5))).isEqualTo("-5s");
  }

  private LoadedConfig load(String yaml) {
    return loader.loadDocuments(List.of(new ConfigDocument("mesh.yaml", yaml)));
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
