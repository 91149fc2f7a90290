package io.inmesh.config.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.ConfigProblem;
import io.inmesh.config.InboundConfig;
import io.inmesh.config.InboundConfig.AuthorizationAction;
import io.inmesh.config.LoadedConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.MtlsMode;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.RouteConfig.StringMatch;
import io.inmesh.config.ServiceConfig;
import io.inmesh.config.ServiceConfig.DiscoveryType;
import io.inmesh.config.TelemetryConfig.AccessLogMode;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every seed example (copied from the shared seed directory) loads, and its translation is what its comments say,
 * field by field and, for routes, through the compiled snapshot a running mesh uses.
 */
class SeedExamplesTest {
  static final Path SEEDS = Path.of("src", "test", "resources", "seed-examples");
  private static final WorkloadIdentity CALLER =
      new WorkloadIdentity("frontend", "production", "frontend", Map.of("app", "frontend"), null);

  static LoadedConfig load(String seed) {
    return ConfigLoader.create().load(List.of(SEEDS.resolve(seed)));
  }

  private static ServiceConfig service(MeshConfig config, String name) {
    return config.services().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no service " + name));
  }

  private static CompiledService compiled(LoadedConfig loaded, WorkloadIdentity caller, String host) {
    CompiledService s = MeshSnapshot.compile(loaded, caller, 1, "seed", Instant.EPOCH).services().resolve(host);
    assertThat(s).as("host %s", host).isNotNull();
    return s;
  }

  private static MeshRequest request(String method, String path, String... headers) {
    MeshHeaders.Builder h = MeshHeaders.builder();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return MeshRequest.builder().method(method).authority("api-service").target(path).headers(h.build()).build();
  }

  /** How many of every {@code totalWeight} picks each destination ({@code service/subset}) gets. */
  private static Map<String, Integer> shares(CompiledRoute route) {
    Map<String, Integer> shares = new TreeMap<>();
    for (int r = 0; r < route.totalWeight(); r++) {
      WeightedDestination d = route.pick(r);
      shares.merge(d.service().name() + (d.subset() == null ? "" : "/" + d.subset()), 1, Integer::sum);
    }
    return shares;
  }

  @Test
  void canarySendsXCanaryToV2AndSplitsTheRestNinetyTen() {
    LoadedConfig loaded = load("istio-virtualservice-canary.yaml");
    ServiceConfig api = service(loaded.config(), "api-service");

    assertThat(api.namespace()).isEqualTo("production");
    assertThat(api.discovery().type()).isEqualTo(DiscoveryType.DNS);
    assertThat(api.discovery().hostname()).isEqualTo("api-service.production.svc.cluster.local");
    assertThat(api.subsets()).extracting(ServiceConfig.Subset::name, ServiceConfig.Subset::labels)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("v1", Map.of("version", "v1")),
            org.assertj.core.groups.Tuple.tuple("v2", Map.of("version", "v2")));
    TrafficPolicy tp = api.trafficPolicy();
    assertThat(tp.loadBalancer().simple()).isEqualTo(TrafficPolicy.LbPolicy.LEAST_REQUEST);
    assertThat(tp.connectionPool().http().http1MaxPendingRequests()).isEqualTo(100);
    assertThat(tp.connectionPool().http().maxRequestsPerConnection()).isEqualTo(10);
    assertThat(tp.outlierDetection().consecutive5xxErrors()).isEqualTo(5);
    assertThat(tp.outlierDetection().interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(tp.outlierDetection().baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(tp.outlierDetection().maxEjectionPercent()).isEqualTo(50);
    assertThat(api.routes()).hasSize(2);
    assertThat(api.routes().get(0).match().get(0).headers())
        .containsExactly(Map.entry("x-canary", new StringMatch("true", null, null)));

    CompiledService compiled = compiled(loaded, CALLER, "api-service");
    CompiledRoute canary = compiled.routes().match(request("GET", "/", "x-canary", "true"));
    assertThat(shares(canary)).containsExactly(Map.entry("api-service/v2", 100));
    CompiledRoute rest = compiled.routes().match(request("GET", "/", "x-canary", "false"));
    assertThat(rest.index()).isEqualTo(1);
    assertThat(shares(rest)).containsExactly(Map.entry("api-service/v1", 90), Map.entry("api-service/v2", 10));
  }

  @Test
  void canaryWarnsOnlyThatDnsEndpointsCarryNoSubsetLabels() {
    assertThat(load("istio-virtualservice-canary.yaml").warnings()).extracting(ConfigProblem::path)
        .containsExactly("production/api-service: spec.subsets[0].labels",
            "production/api-service: spec.subsets[1].labels");
  }

  @Test
  void mirrorAnswersFromV1AndCopiesEveryRequestToV2() {
    LoadedConfig loaded = load("istio-virtualservice-mirror.yaml");
    ServiceConfig checkout = service(loaded.config(), "checkout");

    assertThat(checkout.namespace()).as("no namespace: the mesh's default").isEqualTo("default");
    RouteConfig route = checkout.routes().get(0);
    assertThat(route.mirror()).isEqualTo(new RouteConfig.Destination("checkout.default.svc.cluster.local", "v2", null));
    assertThat(route.mirrorPercentage().value()).isEqualTo(100.0);
    WorkloadIdentity caller = new WorkloadIdentity("web", "default", "web", Map.of(), null);
    CompiledRoute compiled = compiled(loaded, caller, "checkout").routes().match(request("POST", "/cart"));
    assertThat(shares(compiled)).as("weight 0 gets nothing").containsExactly(Map.entry("checkout/v1", 100));
  }

  @Test
  void envoyFilterLimitsApiServiceToOneHundredRequestsAMinute() {
    LoadedConfig loaded = load("envoyfilter-local-ratelimit.yaml");

    assertThat(loaded.config().inbound().rateLimits()).singleElement().satisfies(rl -> {
      assertThat(rl.name()).isEqualTo("local-ratelimit");
      assertThat(rl.namespace()).isEqualTo("production");
      assertThat(rl.selector().matchLabels()).isEqualTo(Map.of("app", "api-service"));
      assertThat(rl.scope()).isEqualTo(InboundConfig.RateLimitScope.INSTANCE);
      assertThat(rl.match()).isEmpty();
      assertThat(rl.tokenBucket()).isEqualTo(new InboundConfig.TokenBucket(100, 100, Duration.ofSeconds(60)));
    });
    assertThat(loaded.warnings()).singleElement().extracting(ConfigProblem::message).asString()
        .contains("no filter_enforced");
  }

  @Test
  void trafficSplitSendsNinetyPercentToV1AndTenToV2() {
    LoadedConfig loaded = load("linkerd-trafficsplit-serviceprofile.yaml");

    assertThat(service(loaded.config(), "api-service-v1").discovery().hostname())
        .isEqualTo("api-service-v1.production.svc.cluster.local");
    CompiledService api = compiled(loaded, CALLER, "api-service");
    for (CompiledRoute route : api.routes().routes()) {
      assertThat(route.config().route()).extracting(RouteConfig.RouteDestination::weight).containsExactly(900, 100);
      assertThat(shares(route)).containsExactly(Map.entry("api-service-v1", 900), Map.entry("api-service-v2", 100));
    }
  }

  @Test
  void serviceProfileGivesGetUsersFiveSecondsAndTheBudgetAndNeverRetriesPostOrders() {
    LoadedConfig loaded = load("linkerd-trafficsplit-serviceprofile.yaml");
    CompiledService api = compiled(loaded, CALLER, "api-service");

    CompiledRoute users = api.routes().match(request("GET", "/api/users/42"));
    assertThat(users.name()).isEqualTo("GET /api/users");
    assertThat(users.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(users.retries().attempts()).isPositive();
    assertThat(users.retryBudget()).isEqualTo(new MeshConfig.RetryBudget(true, 0.2, 10, Duration.ofSeconds(10)));

    CompiledRoute orders = api.routes().match(request("POST", "/api/orders"));
    assertThat(orders.name()).isEqualTo("POST /api/orders");
    assertThat(orders.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(orders.config().retries().attempts()).isZero();
    assertThat(orders.retries()).as("compiled: no retry policy at all").isNull();

    assertThat(api.routes().match(request("POST", "/api/orders/7"))).as("pathRegex matches the whole path")
        .extracting(CompiledRoute::name).isEqualTo("default");
    assertThat(api.routes().match(request("DELETE", "/anything"))).as("a profile only classifies")
        .extracting(CompiledRoute::name).isEqualTo("default");
  }

  @Test
  void zeroTrustDeniesAllInProductionAndAllowsOnePrincipalGetAndPostOnApi() {
    InboundConfig inbound = load("istio-zero-trust.yaml").config().inbound();

    assertThat(inbound.authorization()).hasSize(2);
    InboundConfig.AuthorizationPolicy denyAll = inbound.authorization().get(0);
    assertThat(denyAll.name()).isEqualTo("deny-all");
    assertThat(denyAll.namespace()).isEqualTo("production");
    assertThat(denyAll.selector()).isNull();
    assertThat(denyAll.action()).isEqualTo(AuthorizationAction.ALLOW);
    assertThat(denyAll.rules()).as("allow-nothing").isEmpty();
    InboundConfig.AuthorizationPolicy allow = inbound.authorization().get(1);
    assertThat(allow.name()).isEqualTo("allow-specific");
    assertThat(allow.selector().matchLabels()).isEqualTo(Map.of("app", "payment-service"));
    assertThat(allow.action()).isEqualTo(AuthorizationAction.ALLOW);
    InboundConfig.Rule rule = allow.rules().get(0);
    assertThat(rule.from()).singleElement().extracting(f -> f.source().principals())
        .isEqualTo(List.of("cluster.local/ns/default/sa/authenticated-service"));
    assertThat(rule.to()).singleElement().satisfies(to -> {
      assertThat(to.operation().methods()).containsExactly("GET", "POST");
      assertThat(to.operation().paths()).containsExactly("/api/*");
    });
    assertThat(inbound.peerAuthentication()).singleElement().satisfies(pa -> {
      assertThat(pa.name()).isEqualTo("default");
      assertThat(pa.namespace()).isEqualTo("production");
      assertThat(pa.selector()).isNull();
      assertThat(pa.mtls().mode()).isEqualTo(MtlsMode.STRICT);
    });
  }

  @Test
  void linkerdServerRequiresMtlsOnItsPortAndDeniesWhatNoPolicyAuthorizes() {
    LoadedConfig loaded = load("linkerd-server-authorization.yaml");
    InboundConfig inbound = loaded.config().inbound();

    assertThat(inbound.peerAuthentication()).singleElement().satisfies(pa -> {
      assertThat(pa.namespace()).isEqualTo("default");
      assertThat(pa.selector().matchLabels()).isEqualTo(Map.of("app", "backend"));
      assertThat(pa.mtls().mode()).isEqualTo(MtlsMode.UNSET);
      assertThat(pa.portLevelMtls()).containsExactly(Map.entry(8080, new InboundConfig.Mtls(MtlsMode.STRICT)));
    });
    assertThat(inbound.authorization()).singleElement().satisfies(ap -> {
      assertThat(ap.selector().matchLabels()).isEqualTo(Map.of("app", "backend"));
      assertThat(ap.action()).isEqualTo(AuthorizationAction.ALLOW);
      assertThat(ap.rules()).as("other ports untouched, nothing authorized on 8080").singleElement()
          .satisfies(r -> assertThat(r.to().get(0).operation().notPorts()).containsExactly("8080"));
    });
    assertThat(loaded.warnings()).extracting(ConfigProblem::message).containsExactly(
        "Linkerd's policy resources are in group policy.linkerd.io: read as policy.linkerd.io/v1beta1",
        "Linkerd's policy resources are in group policy.linkerd.io: read as policy.linkerd.io/v1beta1",
        "not a Linkerd field: read as requiredAuthenticationRefs",
        "kind MeshTLS read as MeshTLSAuthentication",
        "MeshTLSAuthentication default/backend-tls is not defined: the policy authorizes nothing, as in Linkerd");
  }

  @Test
  void telemetrySamplesTenPercentWithMetricsAndAccessLogOn() {
    LoadedConfig loaded = load("istio-telemetry.yaml");
    var telemetry = loaded.config().telemetry();

    assertThat(telemetry.tracing().enabled()).isTrue();
    assertThat(telemetry.tracing().randomSamplingPercentage()).isEqualTo(10.0);
    assertThat(telemetry.metrics().enabled()).isTrue();
    assertThat(telemetry.accessLog().mode()).isEqualTo(AccessLogMode.ALL);
    assertThat(loaded.warnings()).extracting(ConfigProblem::toString).containsExactly(SEEDS.resolve(
        "istio-telemetry.yaml") + ":17:7: warning: istio-system/mesh-telemetry:"
        + " spec.metrics[0].overrides[0].tagOverrides: not supported, ignored");
  }

  @Test
  void strictLoadingRejectsOnlyWhatTheWarningsNamedNotSupported() {
    for (String seed : List.of("istio-virtualservice-mirror.yaml", "istio-zero-trust.yaml")) {
      assertThat(ConfigLoader.create().withStrict(true).load(List.of(SEEDS.resolve(seed))).config()).isNotNull();
    }
    ConfigException strict = catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.create().withStrict(true).load(List.of(SEEDS.resolve("istio-telemetry.yaml"))));
    assertThat(strict.errors()).singleElement().extracting(ConfigProblem::path)
        .isEqualTo("istio-system/mesh-telemetry: spec.metrics[0].overrides[0].tagOverrides");
  }

  @Test
  void theSeedDirectoryAsOneMeshIsRejectedBecauseTwoResourcesRouteApiService() {
    ConfigException rejected = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.create()
        .load(List.of(SEEDS.resolve("istio-virtualservice-canary.yaml"),
            SEEDS.resolve("linkerd-trafficsplit-serviceprofile.yaml"))));

    assertThat(rejected.errors()).extracting(ConfigProblem::message).allSatisfy(m -> assertThat(m)
        .startsWith("service 'api-service' (namespace production): routes already defined by VirtualService"
            + " production/api-service at " + SEEDS.resolve("istio-virtualservice-canary.yaml") + ":3;"));
    assertThat(rejected.errors()).hasSize(2); // the TrafficSplit and the ServiceProfile
  }
}
