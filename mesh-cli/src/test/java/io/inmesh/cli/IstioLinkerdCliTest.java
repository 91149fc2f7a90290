package io.inmesh.cli;

import static io.inmesh.cli.CliRun.mesh;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.LoadedConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code mesh validate [--strict]}, {@code mesh convert} and {@code mesh explain} on Istio and Linkerd manifests. */
class IstioLinkerdCliTest {
  static final Path SEEDS = Path.of("..", "mesh-core", "src", "test", "resources", "seed-examples");

  @TempDir Path dir;

  static Stream<String> seeds() {
    return Stream.of("envoyfilter-local-ratelimit.yaml", "istio-telemetry.yaml", "istio-virtualservice-canary.yaml",
        "istio-virtualservice-mirror.yaml", "istio-zero-trust.yaml", "linkerd-server-authorization.yaml",
        "linkerd-trafficsplit-serviceprofile.yaml");
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void validateAcceptsEverySeedExample(String seed) {
    CliRun run = mesh("validate", SEEDS.resolve(seed).toString());

    assertThat(run.outLines()).last().asString().startsWith("OK: ");
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void validateCountsTheTranslatedServicesRoutesAndPolicies() {
    CliRun run = mesh("validate", "--quiet", SEEDS.resolve("linkerd-trafficsplit-serviceprofile.yaml").toString(),
        SEEDS.resolve("istio-zero-trust.yaml").toString());

    assertThat(run.out()).isEqualTo("OK: 3 services, 3 routes, 3 policies\n");
  }

  @Test
  void strictValidationTurnsNotSupportedWarningsIntoErrors() {
    String telemetry = SEEDS.resolve("istio-telemetry.yaml").toString();

    CliRun lenient = mesh("validate", telemetry);
    CliRun strict = mesh("validate", "--strict", telemetry);

    assertThat(lenient.outLines()).containsExactly(
        telemetry + ":17:7: warning: istio-system/mesh-telemetry: spec.metrics[0].overrides[0].tagOverrides: not"
            + " supported, ignored",
        "OK: 0 services, 0 routes, 0 policies");
    assertThat(lenient.exitCode()).isZero();
    assertThat(strict.outLines()).containsExactly(
        telemetry + ":17:7: istio-system/mesh-telemetry: spec.metrics[0].overrides[0].tagOverrides: not supported"
            + " (expected: the field removed (it is ignored without --strict))",
        "FAILED: 1 error");
    assertThat(strict.exitCode()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void convertPrintsNativeYamlThatLoadsIntoTheSameConfiguration(String seed) throws IOException {
    Path source = SEEDS.resolve(seed);

    CliRun run = mesh("convert", source.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).doesNotContain("apiVersion");
    Path converted = Files.writeString(dir.resolve("converted.yaml"), run.out());
    LoadedConfig original = ConfigLoader.create().load(List.of(source));
    LoadedConfig reloaded = ConfigLoader.create().load(List.of(converted));
    assertThat(reloaded.config()).isEqualTo(original.config());
    assertThat(mesh("validate", "--quiet", converted.toString()).exitCode()).isZero();
  }

  @Test
  void convertWritesTheCanaryAsAServiceWithRoutesSubsetsAndPolicy() {
    CliRun run = mesh("convert", SEEDS.resolve("istio-virtualservice-canary.yaml").toString());

    assertThat(run.out()).isEqualTo("""
        # Native InMesh configuration equivalent to: %s
        services:
          - name: api-service
            namespace: production
            discovery:
              type: DNS
              hostname: api-service.production.svc.cluster.local
            subsets:
              - name: v1
                labels:
                  version: v1
              - name: v2
                labels:
                  version: v2
            trafficPolicy:
              loadBalancer:
                simple: LEAST_REQUEST
              connectionPool:
                http:
                  http1MaxPendingRequests: 100
                  maxRequestsPerConnection: 10
              outlierDetection:
                maxEjectionPercent: 50
            routes:
              - match:
                  - headers:
                      x-canary:
                        exact: "true"
                route:
                  - destination:
                      host: api-service.production.svc.cluster.local
                      subset: v2
              - route:
                  - destination:
                      host: api-service.production.svc.cluster.local
                      subset: v1
                    weight: 90
                  - destination:
                      host: api-service.production.svc.cluster.local
                      subset: v2
                    weight: 10
        """.formatted(SEEDS.resolve("istio-virtualservice-canary.yaml")));
    assertThat(run.err()).as("the validator's warnings").contains("selects none of them");
  }

  @Test
  void convertPrintsProblemsToStderrAndNothingToStdoutWhenInvalid() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: api}
        spec: {hosts: [api], http: [{timout: 1s}]}
        """);

    CliRun run = mesh("convert", bad.toString());

    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains(bad + ":4:30: default/api: spec.http[0].timout: unknown field 'timout'")
        .endsWith("FAILED: 1 error\n");
    assertThat(run.exitCode()).isEqualTo(1);
  }

  private static final String AUTHENTICATED = "cluster.local/ns/default/sa/authenticated-service";

  private static JsonNode explain(String seed, String workload, String namespace, String label, String method,
      String path, String principal, String... more) throws IOException {
    List<String> args = new java.util.ArrayList<>(List.of("explain", "--config", SEEDS.resolve(seed).toString(),
        "--workload", workload, "--namespace", namespace, "--label", label, "--method", method, "--path", path));
    if (principal != null) {
      args.addAll(List.of("--principal", principal));
    }
    args.addAll(List.of(more));
    CliRun run = mesh(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.err()).isZero();
    return new ObjectMapper().readTree(run.out()).get("inbound");
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
      "GET, /api/users, cluster.local/ns/default/sa/authenticated-service, 200",
      "POST, /api/orders, cluster.local/ns/default/sa/authenticated-service, 200",
      "DELETE, /api/users, cluster.local/ns/default/sa/authenticated-service, 403",
      "GET, /admin, cluster.local/ns/default/sa/authenticated-service, 403",
      "GET, /api/../admin, cluster.local/ns/default/sa/authenticated-service, 403",
      "GET, /api/users, cluster.local/ns/default/sa/other-service, 403"})
  void explainAnswersTheZeroTrustSeedForPaymentService(String method, String path, String principal, int status)
      throws IOException {
    JsonNode in = explain("istio-zero-trust.yaml", "payment-service", "production", "app=payment-service", method,
        path, principal);

    assertThat(in.get("status").asInt()).as("%s %s as %s: %s", method, path, principal, in).isEqualTo(status);
  }

  @Test
  void explainDeniesEveryoneWhereOnlyDenyAllApplies() throws IOException {
    JsonNode in = explain("istio-zero-trust.yaml", "orders", "production", "app=orders", "GET", "/api/users",
        AUTHENTICATED);

    assertThat(in.get("status").asInt()).isEqualTo(403);
  }

  @Test
  void explainDeniesTheLinkerdServerPortAndLeavesOtherPortsAlone() throws IOException {
    JsonNode server = explain("linkerd-server-authorization.yaml", "backend", "default", "app=backend", "GET", "/",
        AUTHENTICATED, "--port", "8080");
    JsonNode other = explain("linkerd-server-authorization.yaml", "backend", "default", "app=backend", "GET", "/",
        AUTHENTICATED, "--port", "9090");

    assertThat(server.get("status").asInt()).as("no policy authorizes anything on 8080: %s", server).isEqualTo(403);
    assertThat(other.get("status").asInt()).as("%s", other).isEqualTo(200);
  }

  @Test
  void explainShowsTheEnvoyFilterRateLimitOfApiService() throws IOException {
    JsonNode in = explain("envoyfilter-local-ratelimit.yaml", "api-service", "production", "app=api-service", "GET",
        "/", AUTHENTICATED);

    assertThat(in.get("status").asInt()).isEqualTo(200);
    assertThat(in.get("rateLimit").toString()).contains("local-ratelimit");
  }
}
