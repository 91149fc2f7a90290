package io.inmesh.config.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigException;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.ConfigProblem;
import io.inmesh.config.InboundConfig;
import io.inmesh.config.LoadedConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.ServiceConfig;
import io.inmesh.config.TrafficPolicy;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.routing.CompiledService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Istio resources: scopes, host names, merging with native services, what is a warning and what an error. */
class IstioResourcesTest {
  @TempDir Path dir;

  static LoadedConfig load(String... yamls) {
    return load(false, yamls);
  }

  static LoadedConfig load(boolean strict, String... yamls) {
    List<ConfigDocument> docs = new java.util.ArrayList<>();
    for (int i = 0; i < yamls.length; i++) {
      docs.add(new ConfigDocument("f" + i + ".yaml", yamls[i]));
    }
    return ConfigLoader.create().withStrict(strict).loadDocuments(docs);
  }

  static List<String> errors(String... yamls) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(yamls));
    assertThat(e).as("rejected").isNotNull();
    return e.errors().stream().map(ConfigProblem::toString).toList();
  }

  static ServiceConfig service(LoadedConfig loaded, String name, String namespace) {
    return loaded.config().services().stream()
        .filter(s -> s.name().equals(name) && namespace.equals(s.namespace())).findFirst()
        .orElseThrow(() -> new AssertionError("no service " + namespace + "/" + name));
  }

  private static final String VS_PRODUCTION = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews, namespace: production}
      spec:
        hosts: [reviews]
        http:
          - match: [{uri: {prefix: /v2}}]
            route: [{destination: {host: reviews, subset: v2, port: {number: 9080}}}]
          - route: [{destination: {host: ratings.other.svc.cluster.local}}]
      """;

  @Test
  void hostsNamedButNotDefinedBecomeDnsResolvedKubernetesServicesOfTheResourceNamespace() {
    LoadedConfig loaded = load(VS_PRODUCTION);

    ServiceConfig reviews = service(loaded, "reviews", "production");
    assertThat(reviews.discovery().type()).isEqualTo(ServiceConfig.DiscoveryType.DNS);
    assertThat(reviews.discovery().hostname()).isEqualTo("reviews.production.svc.cluster.local");
    assertThat(reviews.ports()).extracting(ServiceConfig.Port::number).as("the port its routes name")
        .containsExactly(9080);
    assertThat(reviews.routes().get(0).route().get(0).destination().host())
        .isEqualTo("reviews.production.svc.cluster.local");
    assertThat(service(loaded, "ratings", "other").discovery().hostname())
        .isEqualTo("ratings.other.svc.cluster.local");
    assertThat(loaded.warnings()).extracting(ConfigProblem::toString).containsExactly(
        "f0.yaml:8:53: warning: production/reviews: spec.http[0].route[0].destination.subset: subset 'v2' of service"
            + " 'reviews' is not defined by any DestinationRule: requests routed to it fail with 503, as in Istio");
  }

  @Test
  void aShortDestinationMeansTheResourceNamespaceEvenWhenAnotherNamespaceHasTheService() {
    LoadedConfig loaded = load("""
        services:
          - {name: reviews, namespace: default, endpoints: [{address: 10.0.0.1}]}
        """, VS_PRODUCTION);

    assertThat(service(loaded, "reviews", "default").routes()).isEmpty();
    assertThat(service(loaded, "reviews", "production").routes()).hasSize(2);
  }

  private static final String NATIVE_API = """
      services:
        - name: api-service
          namespace: production
          endpoints:
            - {address: 10.0.0.1, port: 8080, labels: {version: v1}}
            - {address: 10.0.0.2, port: 8080, labels: {version: v2}}
      """;

  @Test
  void virtualServiceAndDestinationRuleContributeRoutesAndSubsetsToTheNativeService() throws IOException {
    Files.writeString(dir.resolve("a-native.yaml"), NATIVE_API);
    Files.copy(SeedExamplesTest.SEEDS.resolve("istio-virtualservice-canary.yaml"), dir.resolve("b-canary.yaml"));

    LoadedConfig loaded = ConfigLoader.create().load(List.of(dir));

    assertThat(loaded.config().services()).hasSize(1);
    ServiceConfig api = loaded.config().services().get(0);
    assertThat(api.endpoints()).hasSize(2);
    assertThat(api.discovery().type()).isEqualTo(ServiceConfig.DiscoveryType.STATIC);
    assertThat(api.subsets()).extracting(ServiceConfig.Subset::name).containsExactly("v1", "v2");
    assertThat(api.trafficPolicy().loadBalancer().simple()).isEqualTo(TrafficPolicy.LbPolicy.LEAST_REQUEST);
    assertThat(api.routes()).hasSize(2);
    assertThat(loaded.warnings()).as("the subsets select labelled endpoints").isEmpty();
    WorkloadIdentity caller = new WorkloadIdentity("web", "production", "web", Map.of(), null);
    CompiledService compiled = MeshSnapshot.compile(loaded, caller, 1, "x", Instant.EPOCH).services()
        .resolve("api-service");
    assertThat(compiled.subset("v2").labels()).isEqualTo(Map.of("version", "v2"));
    assertThat(compiled.routes().match(MeshRequest.builder().method("GET").authority("api-service").target("/")
        .headers(io.inmesh.pipeline.MeshHeaders.builder().add("x-canary", "true").build()).build())
        .destinations()).singleElement().satisfies(d -> assertThat(d.subset()).isEqualTo("v2"));
  }

  @Test
  void nativeRoutesAndAVirtualServiceForOneServiceIsAnErrorNamingBoth() {
    List<String> errors = errors("""
        services:
          - name: reviews
            namespace: production
            endpoints: [{address: 10.0.0.1}]
            routes: [{timeout: 1s}]
        """, VS_PRODUCTION);

    assertThat(errors).containsExactly("f1.yaml:1:1: service 'reviews' (namespace production): routes already"
        + " defined by service 'reviews' (services[0]) at f0.yaml:5; VirtualService production/reviews defines them"
        + " too (expected: the routes of a host in one place: one VirtualService, or the native service's routes)");
  }

  @Test
  void twoVirtualServicesOrTwoDestinationRulesForOneHostAreErrorsNamingBoth() {
    String dr = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: production}
        spec: {host: reviews.production.svc.cluster.local, subsets: [{name: v2, labels: {version: v2}}]}
        """;
    List<String> errors = errors(VS_PRODUCTION, VS_PRODUCTION.replace("name: reviews,", "name: reviews-2,"),
        dr.formatted("one"), dr.formatted("two"));

    assertThat(errors).containsExactly(
        "f1.yaml:1:1: service 'reviews' (namespace production): routes already defined by VirtualService"
            + " production/reviews at f0.yaml:1; VirtualService production/reviews-2 defines them too (expected: the"
            + " routes of a host in one place: one VirtualService, or the native service's routes)",
        "f3.yaml:1:1: service 'reviews' (namespace production): subsets and traffic policy already defined by"
            + " DestinationRule production/one at f2.yaml:1; DestinationRule production/two defines them too"
            + " (expected: one DestinationRule per host, and subsets or trafficPolicy either there or in the native"
            + " service)");
  }

  @Test
  void rootNamespacePoliciesApplyToEveryNamespace() {
    LoadedConfig loaded = load("""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: PERMISSIVE}}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: legacy, namespace: istio-system}
        spec: {selector: {matchLabels: {app: legacy}}, mtls: {mode: DISABLE}}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: deny-admin
          namespace: istio-system
          annotations: {istio.io/dry-run: "true"}
        spec:
          action: DENY
          selector: {matchLabels: {tier: web}}
          rules: [{to: [{operation: {paths: [/admin*]}}]}]
        """);
    InboundConfig inbound = loaded.config().inbound();

    assertThat(inbound.peerAuthentication()).extracting(InboundConfig.PeerAuthentication::namespace)
        .as("mesh-wide; with a selector, the root namespace's own workloads").containsExactly(null, "istio-system");
    InboundConfig.AuthorizationPolicy deny = inbound.authorization().get(0);
    assertThat(deny.namespace()).isNull();
    assertThat(deny.selector().matchLabels()).isEqualTo(Map.of("tier", "web"));
    assertThat(deny.action()).isEqualTo(InboundConfig.AuthorizationAction.DENY);
    assertThat(deny.dryRun()).isTrue();
  }

  @Test
  void serviceEntryDefinesAnExternalServiceReachedOverTls() {
    LoadedConfig loaded = load("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: payments-api, namespace: shop}
        spec:
          hosts: [api.payments.example, pay.example]
          ports: [{number: 443, name: https, protocol: HTTPS}]
          resolution: DNS
          location: MESH_EXTERNAL
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: payments, namespace: shop}
        spec:
          hosts: [pay.example]
          http: [{timeout: 3s, route: [{destination: {host: api.payments.example}}]}]
        """);

    assertThat(loaded.config().services()).singleElement().satisfies(s -> {
      assertThat(s.name()).isEqualTo("api.payments.example");
      assertThat(s.hosts()).containsExactly("pay.example");
      assertThat(s.ports()).singleElement().satisfies(p -> {
        assertThat(p.number()).isEqualTo(443);
        assertThat(p.protocol()).isEqualTo(ServiceConfig.Protocol.HTTPS);
      });
      assertThat(s.discovery().hostname()).isEqualTo("api.payments.example");
      assertThat(s.trafficPolicy().tls().mode()).isEqualTo(TrafficPolicy.ClientTlsMode.SIMPLE);
      assertThat(s.routes()).singleElement().satisfies(r -> assertThat(r.timeout()).hasSeconds(3));
    });
  }

  @Test
  void staticServiceEntryEndpointsKeepTheirPortsLabelsAndZones() {
    ServiceConfig db = load("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: legacy, namespace: shop}
        spec:
          hosts: [legacy.internal]
          location: MESH_INTERNAL
          ports: [{number: 80, name: http}]
          resolution: STATIC
          endpoints:
            - {address: 10.1.0.1, ports: {http: 8080}, labels: {version: v1}, locality: eu/eu-west-1a}
        """).config().services().get(0);

    assertThat(db.discovery().type()).isEqualTo(ServiceConfig.DiscoveryType.STATIC);
    assertThat(db.endpoints()).containsExactly(
        new ServiceConfig.Endpoint("10.1.0.1", 8080, Map.of("version", "v1"), 1, "eu-west-1a"));
    assertThat(db.trafficPolicy()).as("inside the mesh: mesh mTLS").isNull();
  }

  @Test
  void aValidIstioFieldInMeshIgnoresIsAWarningAndAnErrorWhenStrict() {
    String vs = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: api-service, namespace: production}
        spec:
          hosts: [api-service]
          http:
            - corsPolicy: {allowOrigins: [{exact: "https://a.example"}]}
        """;

    assertThat(load(vs).warnings()).extracting(ConfigProblem::toString).containsExactly(
        "f0.yaml:7:7: warning: production/api-service: spec.http[0].corsPolicy: not supported, ignored");
    ConfigException strict = catchThrowableOfType(ConfigException.class, () -> load(true, vs));
    assertThat(strict.errors()).extracting(ConfigProblem::toString).containsExactly(
        "f0.yaml:7:7: production/api-service: spec.http[0].corsPolicy: not supported (expected: the field removed"
            + " (it is ignored without --strict))");
  }

  @Test
  void anAuthorizationFieldInMeshCannotEvaluateIsAlwaysAnError() {
    List<String> errors = errors("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: jwt-only, namespace: production}
        spec:
          rules: [{from: [{source: {requestPrincipals: ["issuer/*"]}}]}]
        """);

    assertThat(errors).containsExactly("f0.yaml:5:29: production/jwt-only: spec.rules[0].from[0].source"
        + ".requestPrincipals: not supported: InMesh cannot evaluate it, and ignoring it would change who is allowed"
        + " (expected: the policy without this field)");
  }

  @Test
  void semanticProblemsOfTranslatedRoutesAreLocatedInTheManifest() {
    List<String> errors = errors("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: api, namespace: production}
        spec:
          hosts: [api]
          http:
            - match: [{uri: {regex: "/("}}]
        """);

    assertThat(errors).singleElement().asString()
        .startsWith("f0.yaml:7:29: production/api: spec.http[0].match[0].uri.regex: invalid regex '/('");
  }

  @Test
  void envoyFilterPatchesOtherThanAnInboundLocalRateLimitAreIgnoredWithAWarning() {
    LoadedConfig loaded = load("""
        apiVersion: networking.istio.io/v1alpha3
        kind: EnvoyFilter
        metadata: {name: filters, namespace: istio-system}
        spec:
          configPatches:
            - applyTo: CLUSTER
              patch: {operation: MERGE, value: {connect_timeout: 1s}}
            - applyTo: HTTP_FILTER
              match: {context: SIDECAR_INBOUND}
              patch:
                operation: INSERT_BEFORE
                value:
                  name: envoy.filters.http.local_ratelimit
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                    stat_prefix: rl
                    token_bucket: {max_tokens: 10, fill_interval: 1s}
                    filter_enforced: {default_value: {numerator: 100}}
        """);

    assertThat(loaded.config().inbound().rateLimits()).singleElement().satisfies(rl -> {
      assertThat(rl.namespace()).as("root namespace: mesh-wide").isNull();
      assertThat(rl.selector()).isNull();
      assertThat(rl.tokenBucket()).isEqualTo(new InboundConfig.TokenBucket(10, 1, java.time.Duration.ofSeconds(1)));
    });
    assertThat(loaded.warnings()).extracting(ConfigProblem::toString).containsExactly(
        "f0.yaml:6:7: warning: istio-system/filters: spec.configPatches[0]: an EnvoyFilter patch of CLUSTER is not"
            + " supported: it is ignored (InMesh reads patches inserting envoy.filters.http.local_ratelimit)");
  }

  @Test
  void kindsOfTheseMeshesInMeshDoesNotReadAreWarningsAndOthersErrors() {
    LoadedConfig loaded = load("""
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: ingress}
        spec: {selector: {istio: ingressgateway}}
        """);
    assertThat(loaded.warnings()).extracting(ConfigProblem::message)
        .containsExactly("kind Gateway (networking.istio.io/v1) is not supported: the resource is ignored");
    assertThat(errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")).singleElement().asString()
        .startsWith("f0.yaml:2:1: kind: kind ConfigMap (v1) is not a resource InMesh reads");
  }

  @Test
  void aTelemetryResourceAndTheNativeTelemetrySectionConflict() throws IOException {
    List<String> errors = errors("telemetry: {tracing: {randomSamplingPercentage: 5}}\n",
        Files.readString(SeedExamplesTest.SEEDS.resolve("istio-telemetry.yaml")));

    assertThat(errors).containsExactly("f1.yaml:1:1: mesh-wide telemetry is already defined by the telemetry"
        + " section at f0.yaml:1 (expected: one mesh-wide Telemetry resource, or the native telemetry section)");
  }

  @Test
  void resourcesWithoutANamespaceTakeTheMeshDefaultNamespace() {
    LoadedConfig loaded = load("mesh: {defaultNamespace: shop}\n", """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: allow-all}
        spec: {rules: [{}]}
        """);

    assertThat(loaded.config().inbound().authorization()).singleElement()
        .extracting(InboundConfig.AuthorizationPolicy::namespace).isEqualTo("shop");
    assertThat(loaded.config().mesh()).extracting(MeshConfig.MeshSettings::defaultNamespace).isEqualTo("shop");
  }
}
