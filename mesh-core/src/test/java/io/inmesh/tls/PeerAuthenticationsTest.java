package io.inmesh.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.MeshConfig;
import io.inmesh.config.MtlsMode;
import io.inmesh.tls.MtlsDecision.Scope;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeerAuthenticationsTest {
  /** Mesh-wide PERMISSIVE, namespace shop DISABLE, catalog STRICT with port 9090 PERMISSIVE and 9091 UNSET. */
  private static final String LAYERED = """
      mesh: {defaults: {mtlsMode: STRICT}}
      inbound:
        peerAuthentication:
          - {name: mesh-wide, mtls: {mode: PERMISSIVE}}
          - {name: shop-default, namespace: shop, mtls: {mode: DISABLE}}
          - name: catalog
            namespace: shop
            selector: {matchLabels: {app: catalog}}
            mtls: {mode: STRICT}
            portLevelMtls: {9090: {mode: PERMISSIVE}, 9091: {mode: UNSET}}
          - name: cart-inherits
            namespace: shop
            selector: {matchLabels: {app: cart}}
            mtls: {mode: UNSET}
          - {name: later-mesh-wide, mtls: {mode: DISABLE}}
      """;

  private static MtlsDecision resolve(String yaml, WorkloadIdentity w, int port) {
    MeshConfig config = TlsFixtures.snapshot(yaml, w, 1).config();
    return PeerAuthentications.resolve(config, w, port);
  }

  private static WorkloadIdentity app(String name, String namespace) {
    return TlsFixtures.workload(name, namespace, Map.of("app", name));
  }

  @ParameterizedTest(name = "{0}.{1}:{2} -> {3} by {4} ({5})")
  @CsvSource(nullValues = "null", value = {
      // the port's own mode beats the workload policy
      "catalog, shop, 9090, PERMISSIVE, shop/catalog, WORKLOAD_PORT",
      // a port set to UNSET inherits the workload policy's mode
      "catalog, shop, 9091, STRICT, shop/catalog, WORKLOAD",
      "catalog, shop, 8080, STRICT, shop/catalog, WORKLOAD",
      // port 0: port-level modes are ignored
      "catalog, shop, 0, STRICT, shop/catalog, WORKLOAD",
      // a workload policy with UNSET inherits the namespace policy
      "cart, shop, 8080, DISABLE, shop/shop-default, NAMESPACE",
      // no workload policy: the namespace policy
      "orders, shop, 8080, DISABLE, shop/shop-default, NAMESPACE",
      // another namespace: the first mesh-wide policy (not the later one)
      "catalog, billing, 8080, PERMISSIVE, */mesh-wide, MESH",
  })
  void theMostSpecificScopeThatSetsAModeWins(String name, String namespace, int port, MtlsMode mode,
      @Nullable String policy, Scope scope) {
    assertThat(resolve(LAYERED, app(name, namespace), port)).isEqualTo(new MtlsDecision(mode, policy, scope));
  }

  @ParameterizedTest(name = "mesh.defaults.mtlsMode {0} -> {1}")
  @CsvSource({"STRICT, STRICT", "DISABLE, DISABLE", "PERMISSIVE, PERMISSIVE", "UNSET, PERMISSIVE"})
  void withoutPoliciesTheMeshDefaultDecidesAndUnsetMeansPermissive(MtlsMode configured, MtlsMode expected) {
    String yaml = "mesh: {defaults: {mtlsMode: " + configured + "}}\n";
    assertThat(resolve(yaml, app("catalog", "shop"), 8080))
        .isEqualTo(new MtlsDecision(expected, null, Scope.DEFAULT));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "mesh: {defaults: {mtlsMode: STRICT}}                                                         | true",
      "mesh: {defaults: {mtlsMode: DISABLE}}                                                        | false",
      "{mesh: {defaults: {mtlsMode: DISABLE}}, inbound: {peerAuthentication: [{name: a, mtls: {mode: DISABLE}}]}} | false",
      "{mesh: {defaults: {mtlsMode: DISABLE}}, inbound: {peerAuthentication: [{name: a, namespace: x, mtls: {mode: STRICT}}]}} | true",
      "{mesh: {defaults: {mtlsMode: DISABLE}}, inbound: {peerAuthentication: [{name: a, selector: {matchLabels: {app: x}}, portLevelMtls: {80: {mode: PERMISSIVE}}}]}} | true",
  })
  void mtlsIsConfiguredUnlessDisabledEverywhere(String yaml, boolean configured) {
    MeshConfig config = TlsFixtures.snapshot(yaml, app("a", "default"), 1).config();
    assertThat(PeerAuthentications.mtlsConfigured(config)).isEqualTo(configured);
  }
}
