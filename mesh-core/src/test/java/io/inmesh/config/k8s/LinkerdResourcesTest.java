package io.inmesh.config.k8s;

import static io.inmesh.config.k8s.IstioResourcesTest.errors;
import static io.inmesh.config.k8s.IstioResourcesTest.load;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.InboundConfig;
import io.inmesh.config.LoadedConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.MtlsMode;
import io.inmesh.config.RouteConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Linkerd and SMI resources: weights, retries, and Servers with their authorization policies. */
class LinkerdResourcesTest {

  @ParameterizedTest
  @CsvSource({"900m, 900", "1, 1000", "0.25, 250", "0, 0", "3, 3000"})
  void trafficSplitWeightsAreQuantitiesInThousandths(String written, int weight) {
    LoadedConfig loaded = load("""
        apiVersion: split.smi-spec.io/v1alpha2
        kind: TrafficSplit
        metadata: {name: split, namespace: shop}
        spec:
          service: web
          backends: [{service: web-a, weight: %s}, {service: web-b, weight: 1}]
        """.formatted(written));

    RouteConfig only = loaded.config().services().stream().filter(s -> s.name().equals("web")).findFirst()
        .orElseThrow().routes().get(0);
    assertThat(only.route()).extracting(RouteConfig.RouteDestination::weight).containsExactly(weight, 1000);
  }

  @Test
  void aWeightThatIsNoQuantityIsAnErrorAtItsPlace() {
    assertThat(errors("""
        apiVersion: split.smi-spec.io/v1alpha1
        kind: TrafficSplit
        metadata: {name: split, namespace: shop}
        spec: {service: web, backends: [{service: web-a, weight: 9x}]}
        """)).containsExactly("f0.yaml:4:58: shop/split: spec.backends[0].weight: '9x' is not a weight (expected: an"
        + " integer or a quantity such as 900m (0.9))");
  }

  @Test
  void isRetryableRetriesAnyMethodOnFailuresUnderTheProfileBudget() {
    LoadedConfig loaded = load("""
        apiVersion: linkerd.io/v1alpha2
        kind: ServiceProfile
        metadata: {name: web.shop.svc.cluster.local, namespace: shop}
        spec:
          retryBudget: {retryRatio: 0.1, minRetriesPerSecond: 5, ttl: 20s}
          routes:
            - name: POST /charge
              condition: {all: [{method: POST}, {pathRegex: /charge}]}
              isRetryable: true
            - name: reads
              condition: {any: [{method: GET}, {method: HEAD}]}
        """);

    List<RouteConfig> routes = loaded.config().services().get(0).routes();
    assertThat(routes).extracting(RouteConfig::name).containsExactly("POST /charge", "reads", "default");
    RouteConfig charge = routes.get(0);
    assertThat(charge.match()).singleElement().satisfies(m -> {
      assertThat(m.method().exact()).isEqualTo("POST");
      assertThat(m.uri().regex()).isEqualTo("/charge");
    });
    assertThat(charge.retries().retryNonIdempotent()).isTrue();
    assertThat(charge.retries().retryOn()).containsExactly("5xx");
    MeshConfig.RetryBudget budget = new MeshConfig.RetryBudget(true, 0.1, 5, Duration.ofSeconds(20));
    assertThat(charge.retries().budget()).isEqualTo(budget);
    RouteConfig reads = routes.get(1);
    assertThat(reads.match()).extracting(m -> m.method().exact()).containsExactly("GET", "HEAD");
    assertThat(reads.retries().retryNonIdempotent()).as("InMesh's default policy, the profile's budget").isFalse();
    assertThat(reads.retries().budget()).isEqualTo(budget);
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void serverPoliciesAuthorizeTheMeshTlsIdentitiesOnTheServerPortOnly() {
    LoadedConfig loaded = load("""
        apiVersion: policy.linkerd.io/v1beta3
        kind: Server
        metadata: {name: api-http, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: api}}
          port: 8080
          accessPolicy: all-authenticated
        ---
        apiVersion: policy.linkerd.io/v1beta1
        kind: Server
        metadata: {name: api-admin, namespace: shop}
        spec: {podSelector: {matchLabels: {app: api}}, port: 9990}
        ---
        apiVersion: policy.linkerd.io/v1alpha1
        kind: MeshTLSAuthentication
        metadata: {name: ops, namespace: shop}
        spec:
          identities: [ops.tools.serviceaccount.identity.linkerd.cluster.local]
          identityRefs: [{kind: ServiceAccount, name: admin}]
        ---
        apiVersion: policy.linkerd.io/v1alpha1
        kind: AuthorizationPolicy
        metadata: {name: admin-ops, namespace: shop}
        spec:
          targetRef: {group: policy.linkerd.io, kind: Server, name: api-admin}
          requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: ops}]
        """);
    InboundConfig inbound = loaded.config().inbound();

    assertThat(inbound.peerAuthentication()).singleElement().satisfies(pa -> assertThat(pa.portLevelMtls())
        .containsExactly(Map.entry(8080, new InboundConfig.Mtls(MtlsMode.STRICT))));
    assertThat(inbound.authorization()).singleElement().satisfies(ap -> {
      assertThat(ap.name()).isEqualTo("api-http");
      assertThat(ap.selector().matchLabels()).isEqualTo(Map.of("app", "api"));
      assertThat(ap.rules()).hasSize(3);
      assertThat(ap.rules().get(0).to().get(0).operation().notPorts()).containsExactly("8080", "9990");
      InboundConfig.Rule http = ap.rules().get(1);
      assertThat(http.from().get(0).source().principals()).containsExactly("*");
      assertThat(http.to().get(0).operation().ports()).containsExactly("8080");
      InboundConfig.Rule admin = ap.rules().get(2);
      assertThat(admin.from().get(0).source().principals())
          .containsExactly("cluster.local/ns/tools/sa/ops", "cluster.local/ns/shop/sa/admin");
      assertThat(admin.to().get(0).operation().ports()).containsExactly("9990");
    });
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void linkerdIdentitiesAreIstioPrincipals() {
    assertThat(Linkerd.identity("web.shop.serviceaccount.identity.linkerd.cluster.local"))
        .isEqualTo("cluster.local/ns/shop/sa/web");
    assertThat(Linkerd.identity("*.shop.serviceaccount.identity.linkerd.cluster.local"))
        .isEqualTo("cluster.local/ns/shop/sa/*");
    assertThat(Linkerd.identity("web.shop.svc.cluster.local")).isNull();
  }
}
