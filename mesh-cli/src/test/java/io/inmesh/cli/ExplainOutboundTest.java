package io.inmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mesh explain --to}: the client's routing decision next to the server's authorization, as JSON. */
class ExplainOutboundTest {
  @TempDir Path dir;
  Path config;

  @BeforeEach
  void write() throws Exception {
    config = Files.writeString(dir.resolve("mesh.yaml"), """
        mesh: {defaultNamespace: shop}
        services:
          - name: frontend
            endpoints: [{address: 127.0.0.1, port: 8080}]
          - name: api-service
            endpoints:
              - {address: 127.0.0.1, port: 8443, labels: {version: v1}}
              - {address: 127.0.0.1, port: 8444, labels: {version: v2}}
            subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
            trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
            routes:
              - name: canary
                match: [{headers: {x-canary: {exact: "true"}}}]
                route: [{destination: {host: api-service, subset: v2}}]
                mirror: {host: api-service, subset: v1}
                mirrorPercentage: {value: 25}
              - route:
                  - {destination: {host: api-service, subset: v1}, weight: 3}
                  - {destination: {host: api-service, subset: v2}, weight: 1}
                timeout: 5s
                retries: {attempts: 2, perTryTimeout: 1s, retryOn: [5xx]}
        inbound:
          authorization:
            - name: api-callers
              selector: {matchLabels: {app: api-service}}
              rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/frontend]}}]}]
        """);
  }

  private JsonNode explain(String... args) throws Exception {
    String[] all = new String[args.length + 4];
    all[0] = "explain";
    all[1] = "--config";
    all[2] = config.toString();
    all[3] = "--to";
    System.arraycopy(args, 0, all, 4, args.length);
    CliRun run = CliRun.mesh(all);
    assertThat(run.exitCode()).as(run.err()).isZero();
    return new ObjectMapper().readTree(run.out());
  }

  @Test
  void explainsTheWeightedRouteTimeoutRetriesAndTheServersAuthorizationForTheCaller() throws Exception {
    JsonNode j = explain("api-service", "--workload", "frontend", "--method", "GET", "--path", "/api/users/1");

    JsonNode out = j.get("outbound");
    assertThat(out.get("service").asText()).isEqualTo("api-service");
    assertThat(out.get("route").asText()).isEqualTo("api-service/1");
    assertThat(out.get("routeName").isNull()).isTrue();
    assertThat(out.get("destinations").get(0).get("subset").asText()).isEqualTo("v1");
    assertThat(out.get("destinations").get(0).get("weight").asInt()).isEqualTo(75);
    assertThat(out.get("destinations").get(1).get("weight").asInt()).isEqualTo(25);
    assertThat(out.get("timeout").asText()).isEqualTo("5s");
    assertThat(out.get("retries").get("perTryTimeout").asText()).isEqualTo("1s");
    assertThat(out.get("retries").get("retryable").asBoolean()).isTrue();
    assertThat(out.get("mirror").isNull()).isTrue();
    assertThat(out.get("loadBalancer").asText()).isEqualTo("LEAST_REQUEST");
    assertThat(j.get("inbound").get("status").asInt()).isEqualTo(200);
    assertThat(j.get("inbound").get("authorization").get("policy").asText()).isEqualTo("api-callers");
  }

  @Test
  void showsTheCanaryRouteWithItsMirrorAndThatAPostIsNotRetryable() throws Exception {
    JsonNode j = explain("api-service", "--workload", "frontend", "--method", "POST", "--path", "/orders",
        "--header", "x-canary: true");

    JsonNode out = j.get("outbound");
    assertThat(out.get("routeName").asText()).isEqualTo("canary");
    assertThat(out.get("destinations").get(0).get("subset").asText()).isEqualTo("v2");
    assertThat(out.get("destinations").get(0).get("weight").asInt()).isEqualTo(100);
    assertThat(out.get("mirror").get("subset").asText()).isEqualTo("v1");
    assertThat(out.get("mirror").get("percentage").asInt()).isEqualTo(25);
    assertThat(out.get("retries").get("retryable").asBoolean()).isFalse();
  }

  @Test
  void aCallerTheServerDoesNotAllowIsDeniedThere() throws Exception {
    JsonNode j = explain("api-service", "--workload", "intruder", "--method", "GET", "--path", "/api/users/1");

    assertThat(j.get("inbound").get("status").asInt()).isEqualTo(403);
    assertThat(j.get("outbound").get("route").asText()).isEqualTo("api-service/1");
  }

  @Test
  void saysWhenTheHostIsNotAMeshService() throws Exception {
    JsonNode j = explain("example.com", "--workload", "frontend", "--method", "GET", "--path", "/");

    assertThat(j.get("outbound").get("service").isNull()).isTrue();
    assertThat(j.get("outbound").get("error").asText()).contains("'example.com' is not a mesh service");
    assertThat(j.has("inbound")).isFalse();
  }
}
