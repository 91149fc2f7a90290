package io.inmesh.cli;

import static io.inmesh.cli.CliRun.mesh;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainCommandTest {
  static final String CONFIG = """
      services:
        - {name: payment-service, namespace: production, endpoints: [{address: 127.0.0.1, port: 8080}]}
      inbound:
        authorization:
          - {name: deny-all, namespace: production}
          - name: allow-specific
            namespace: production
            selector: {matchLabels: {app: payment-service}}
            rules:
              - from: [{source: {principals: [cluster.local/ns/default/sa/authenticated-service]}}]
                to: [{operation: {methods: [GET, POST], paths: ['/api/*']}}]
          - {name: deny-admin, action: DENY, rules: [{to: [{operation: {paths: [/admin, '/admin/*']}}]}]}
          - {name: watch-deletes, action: DENY, dryRun: true, rules: [{to: [{operation: {methods: [DELETE]}}]}]}
        rateLimits:
          - {name: nothing-for-batch, namespace: production, match: [{uri: {prefix: /api/batch}}],
             tokenBucket: {maxTokens: 0, fillInterval: 1s}}
      """;
  static final String CALLER = "cluster.local/ns/default/sa/authenticated-service";

  @TempDir Path dir;
  Path file;

  @BeforeEach
  void write() throws Exception {
    file = dir.resolve("mesh.yaml");
    Files.writeString(file, CONFIG);
  }

  JsonNode inbound(CliRun run) throws Exception {
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(run.out());
    assertThat(root.size()).isEqualTo(1);
    return root.get("inbound");
  }

  @Test
  void namesThePolicyThatDeniedAfterNormalisingThePath() throws Exception {
    JsonNode in = inbound(mesh("explain", "--config", file.toString(), "--workload", "payment-service",
        "--method", "GET", "--path", "/api/../admin", "--principal", CALLER, "--source-ip", "10.1.2.3",
        "--port", "8080"));
    assertThat(in.get("normalizedPath").asText()).isEqualTo("/admin");
    assertThat(in.get("rejected").asBoolean()).isFalse();
    assertThat(in.get("status").asInt()).isEqualTo(403);
    JsonNode authz = in.get("authorization");
    assertThat(authz.get("decision").asText()).isEqualTo("DENY");
    assertThat(authz.get("policy").asText()).isEqualTo("deny-admin");
    assertThat(authz.get("rule").asInt()).isZero();
    assertThat(authz.get("dryRunMatches")).isEmpty();
    assertThat(in.get("rateLimit").get("limited").asBoolean()).isFalse();
    assertThat(in.get("rateLimit").get("bucket").isNull()).isTrue();
  }

  @Test
  void explainsAnAllowNothingDenialWithoutANamedPolicy() throws Exception {
    JsonNode in = inbound(mesh("explain", "--config", file.toString(), "--workload", "payment-service",
        "--method", "GET", "--path", "/api/orders"));
    assertThat(in.get("status").asInt()).isEqualTo(403);
    assertThat(in.get("authorization").get("policy").isNull()).isTrue();
    assertThat(in.get("authorization").get("rule").isNull()).isTrue();
    assertThat(in.get("authorization").get("reason").asText()).isEqualTo("no ALLOW policy matched");
  }

  @Test
  void reportsTheAllowingRuleDryRunMatchesAndTheRateLimit() throws Exception {
    JsonNode ok = inbound(mesh("explain", "--config", file.toString(), "--workload", "payment-service",
        "--method", "POST", "--path", "/api//orders", "--principal", "spiffe://" + CALLER));
    assertThat(ok.get("status").asInt()).isEqualTo(200);
    assertThat(ok.get("normalizedPath").asText()).isEqualTo("/api/orders");
    assertThat(ok.get("authorization").get("policy").asText()).isEqualTo("production/allow-specific");

    JsonNode limited = inbound(mesh("explain", "--config", file.toString(), "--workload", "payment-service",
        "--method", "GET", "--path", "/api/batch/1", "--principal", CALLER));
    assertThat(limited.get("status").asInt()).isEqualTo(429);
    assertThat(limited.get("rateLimit").get("limited").asBoolean()).isTrue();
    assertThat(limited.get("rateLimit").get("bucket").asText()).isEqualTo("production/nothing-for-batch");

    JsonNode dryRun = inbound(mesh("explain", "--config", file.toString(), "--workload", "payment-service",
        "--method", "DELETE", "--path", "/api/x", "--principal", CALLER));
    assertThat(dryRun.get("authorization").get("dryRunMatches").get(0).asText()).isEqualTo("watch-deletes");
    assertThat(dryRun.get("authorization").get("dryRunDecision").asText()).isEqualTo("DENY");
  }

  @Test
  void selectsPoliciesByTheWorkloadsNamespaceAndLabels() throws Exception {
    JsonNode other = inbound(mesh("explain", "--config", file.toString(), "--workload", "catalog",
        "--namespace", "shop", "--method", "GET", "--path", "/x"));
    assertThat(other.get("status").asInt()).isEqualTo(200);
    assertThat(other.get("authorization").get("reason").asText())
        .isEqualTo("no ALLOW policy applies to the workload");

    JsonNode labelled = inbound(mesh("explain", "--config", file.toString(), "--workload", "other",
        "--namespace", "production", "--label", "app=payment-service", "--method", "GET", "--path", "/api/x",
        "--principal", CALLER));
    assertThat(labelled.get("authorization").get("policy").asText()).isEqualTo("production/allow-specific");
  }

  @Test
  void reportsAPathRejectedByNormalisation() throws Exception {
    JsonNode in = inbound(mesh("explain", "--config", file.toString(), "--workload", "payment-service",
        "--method", "GET", "--path", "/api/%2e%2e/%2e%2e/etc", "--header", "x-tenant: acme"));
    assertThat(in.get("rejected").asBoolean()).isTrue();
    assertThat(in.get("normalizedPath").isNull()).isTrue();
    assertThat(in.get("status").asInt()).isEqualTo(400);
    assertThat(in.get("authorization").isNull()).isTrue();
  }

  @Test
  void exitsTwoOnUsageErrors() {
    assertThat(mesh("explain", "--config", file.toString(), "--method", "GET", "--path", "/").exitCode())
        .as("missing --workload").isEqualTo(2);
    CliRun badHeader = mesh("explain", "--config", file.toString(), "--workload", "w", "--method", "GET",
        "--path", "/", "--header", "no-colon");
    assertThat(badHeader.exitCode()).isEqualTo(2);
    assertThat(badHeader.err()).contains("expected 'name: value'");
    assertThat(mesh("explain", "--config", file.toString(), "--workload", "w", "--method", "GET", "--path", "/",
        "--principal", "not a principal").exitCode()).isEqualTo(2);
    assertThat(mesh("explain", "--config", file.toString(), "--workload", "w", "--method", "GET", "--path", "/",
        "--port", "eighty").exitCode()).isEqualTo(2);
  }

  @Test
  void exitsOneOnAnInvalidConfiguration() throws Exception {
    Files.writeString(file, "inbound: {authorization: [{name: Bad_Name}]}\n");
    CliRun run = mesh("explain", "--config", file.toString(), "--workload", "w", "--method", "GET", "--path", "/");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("Bad_Name");
  }
}
