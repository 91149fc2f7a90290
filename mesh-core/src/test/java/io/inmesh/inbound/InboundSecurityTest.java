package io.inmesh.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.MeshState;
import io.inmesh.authz.AuthorizationDecision;
import io.inmesh.authz.AuthorizationRequest;
import io.inmesh.authz.ExternalAuthorizer;
import io.inmesh.config.ConfigDocument;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three stages in a real mesh's inbound pipeline, from the adapter's side. */
class InboundSecurityTest {
  static final String FRONTEND = "cluster.local/ns/shop/sa/frontend";
  static final String CONFIG = """
      mesh: {defaultNamespace: shop, defaults: {mtlsMode: DISABLE}} # plaintext: no certificates needed
      inbound:
        authorization:
          - name: deny-admin
            namespace: shop
            action: DENY
            rules: [{to: [{operation: {paths: [/admin, /admin/*]}}]}]
          - name: frontend-only
            namespace: shop
            rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/frontend]}}]}]
        rateLimits:
          - {name: per-client, scope: CLIENT, tokenBucket: {maxTokens: 2, fillInterval: 10s}}
      """;

  @TempDir Path dir;
  final AtomicLong now = new AtomicLong();
  final List<String> served = new ArrayList<>();
  Mesh mesh;

  @AfterEach
  void close() {
    if (mesh != null) {
      mesh.close();
    }
  }

  Mesh mesh(String yaml) throws Exception {
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, yaml);
    mesh = Mesh.builder().workload("catalog").config(file).watch(false).loadStageProviders(false)
        .nanoTime(now::get).build();
    return mesh;
  }

  final MeshService app = (ctx, req) -> {
    served.add(req.path());
    return CompletableFuture.completedFuture(MeshResponse.synthesized(200));
  };

  /** What the servlet adapter does: a context with the transport's facts, then the pipeline. */
  MeshContext send(String target, @Nullable String principal, @Nullable String appPath) {
    MeshState state = mesh.state();
    MeshContext ctx = state.newContext(Direction.INBOUND, app).peerPrincipal(principal).remoteAddress("10.0.0.9");
    ctx.attribute(InboundAttributes.LOCAL_PORT, 8080);
    ctx.attribute(InboundAttributes.APPLICATION_PATH, appPath);
    MeshResponse r = state.execute(ctx, MeshRequest.builder().authority("catalog").target(target).build()).join();
    ctx.attribute(STATUS, r.status());
    ctx.attribute(HEADERS, r.headers());
    return ctx;
  }

  static final MeshContext.Key<Integer> STATUS = MeshContext.Key.of("test.status");
  static final MeshContext.Key<MeshHeaders> HEADERS = MeshContext.Key.of("test.headers");

  static int status(MeshContext ctx) {
    return ctx.attribute(STATUS);
  }

  @Test
  void letsAnAllowedRequestThroughWithItsNormalisedPath() throws Exception {
    mesh(CONFIG);
    MeshContext ctx = send("/products/./1//reviews?x=/admin", FRONTEND, null);
    assertThat(status(ctx)).isEqualTo(200);
    assertThat(served).containsExactly("/products/1/reviews");
    assertThat(ctx.attribute(InboundAttributes.AUTHORIZATION).policy()).isEqualTo("shop/frontend-only");
    assertThat(ctx.responseFlags()).isNull();
  }

  @Test
  void refusesAPathThatCannotBeNormalisedBeforeAuthorization() throws Exception {
    mesh(CONFIG);
    MeshContext ctx = send("/public/%252e%252e/admin", FRONTEND, null);
    assertThat(status(ctx)).isEqualTo(400);
    assertThat(ctx.attribute(InboundAttributes.REJECTION)).contains("double-encoded");
    assertThat(ctx.attribute(InboundAttributes.AUTHORIZATION)).isNull();
    assertThat(served).isEmpty();
  }

  @Test
  void refusesARequestWhoseApplicationPathDiffersFromTheJudgedPath() throws Exception {
    mesh(CONFIG);
    assertThat(status(send("/public/a", FRONTEND, "/admin/a"))).isEqualTo(400);
    assertThat(status(send("/public/caf%C3%A9", FRONTEND, "/public/caf\u00e9"))).isEqualTo(200);
    assertThat(served).containsExactly("/public/caf%C3%A9");
  }

  @Test
  void deniesWith403AndRecordsThePolicyRuleAndResponseFlag() throws Exception {
    mesh(CONFIG);
    MeshContext denied = send("/public/../admin/users", FRONTEND, null);
    assertThat(status(denied)).isEqualTo(403);
    assertThat(denied.responseFlags()).isEqualTo("RBAC");
    AuthorizationDecision d = denied.attribute(InboundAttributes.AUTHORIZATION);
    assertThat(d.policy()).isEqualTo("shop/deny-admin");
    assertThat(d.rule()).isZero();
    assertThat(denied.attribute(InboundAttributes.REJECTION)).isEqualTo("RBAC: access denied");

    MeshContext stranger = send("/products", "cluster.local/ns/shop/sa/stranger", null);
    assertThat(status(stranger)).isEqualTo(403);
    assertThat(stranger.attribute(InboundAttributes.AUTHORIZATION).reason()).isEqualTo("no ALLOW policy matched");
    assertThat(served).isEmpty();
  }

  @Test
  void namesTheDenyingPolicyInThe403BodyOnlyWhenTheConfigAsks() throws Exception {
    mesh(CONFIG.replace("defaults: {mtlsMode: DISABLE}", "defaults: {mtlsMode: DISABLE, denialNamesPolicy: true}"));

    MeshContext denied = send("/admin", FRONTEND, null);

    assertThat(status(denied)).isEqualTo(403);
    assertThat(denied.attribute(InboundAttributes.REJECTION))
        .isEqualTo("RBAC: access denied by policy shop/deny-admin");
  }

  @Test
  void rateLimitsAfterAuthorizationSoDeniedCallersDrainNoTokens() throws Exception {
    mesh(CONFIG.replace("scope: CLIENT", "scope: INSTANCE"));
    for (int i = 0; i < 5; i++) {
      assertThat(status(send("/admin", FRONTEND, null))).isEqualTo(403);
    }
    assertThat(status(send("/a", FRONTEND, null))).isEqualTo(200);
    assertThat(status(send("/b", FRONTEND, null))).isEqualTo(200);
    MeshContext limited = send("/c", FRONTEND, null);
    assertThat(status(limited)).isEqualTo(429);
    assertThat(limited.responseFlags()).isEqualTo("RL");
    assertThat(limited.attribute(InboundAttributes.RATE_LIMITED_BUCKET)).isEqualTo("per-client");
    MeshHeaders h = limited.attribute(HEADERS);
    assertThat(h.get("x-ratelimit-limit")).isEqualTo("2");
    assertThat(h.get("x-ratelimit-remaining")).isEqualTo("0");
    assertThat(h.get("x-ratelimit-reset")).isEqualTo("10");
    assertThat(h.get("retry-after")).isEqualTo("10");
    assertThat(served).containsExactly("/a", "/b");
  }

  @Test
  void bucketsSurviveAReloadThatChangesOtherPolicies() throws Exception {
    mesh(CONFIG);
    send("/a", FRONTEND, null);
    send("/b", FRONTEND, null);
    assertThat(status(send("/c", FRONTEND, null))).isEqualTo(429);
    assertThat(mesh.apply(List.of(new ConfigDocument("mesh.yaml", CONFIG.replace("/admin/*", "/internal/*")))))
        .isTrue();
    assertThat(status(send("/c", FRONTEND, null))).as("same bucket, still empty").isEqualTo(429);
    now.addAndGet(10_000_000_000L);
    assertThat(status(send("/c", FRONTEND, null))).isEqualTo(200);
  }

  @Test
  void countsDryRunMatchesWithoutEnforcingThem() throws Exception {
    mesh("""
        mesh: {defaults: {mtlsMode: DISABLE}}
        inbound:
          authorization:
            - {name: lockdown, action: DENY, dryRun: true, rules: [{to: [{operation: {methods: [GET]}}]}]}
        """);
    assertThat(status(send("/x", null, null))).isEqualTo(200);
    assertThat(status(send("/y", null, null))).isEqualTo(200);
    assertThat(mesh.feature(InboundSecurity.class).dryRunMatches("lockdown")).isEqualTo(2);
  }

  @Test
  void asksAnExternalAuthorizerRegisteredOnTheFeature() throws Exception {
    mesh("""
        mesh: {defaults: {mtlsMode: DISABLE}}
        inbound:
          authorization:
            - {name: ext, action: CUSTOM, provider: {name: opa}, rules: [{to: [{operation: {paths: ['/admin/*']}}]}]}
        """);
    assertThat(status(send("/admin/x", FRONTEND, null))).as("no provider registered: deny").isEqualTo(403);
    mesh.feature(InboundSecurity.class).addAuthorizer(new ExternalAuthorizer() {
      @Override
      public String name() {
        return "opa";
      }

      @Override
      public boolean allows(AuthorizationRequest request) {
        return FRONTEND.equals(request.principal());
      }
    });
    assertThat(status(send("/admin/x", FRONTEND, null))).isEqualTo(200);
    assertThat(status(send("/admin/x", "cluster.local/ns/shop/sa/other", null))).isEqualTo(403);
  }

  @Test
  void explainsWithTheRuntimesDecisionsOfflineAndLive() throws Exception {
    mesh(CONFIG);
    InboundProbe admin = new InboundProbe("GET", "/api/../admin", "catalog", MeshHeaders.empty(), FRONTEND,
        "10.0.0.9", 8080);
    InboundExplanation e = InboundExplainer.explain(mesh.snapshot(), admin);
    assertThat(e.normalizedPath()).isEqualTo("/admin");
    assertThat(e.status()).isEqualTo(403);
    assertThat(e.authorization().policy()).isEqualTo("shop/deny-admin");
    assertThat(e.rateLimit()).isEqualTo(InboundExplanation.RateLimit.NONE);

    InboundProbe products = new InboundProbe("GET", "/products", "catalog", MeshHeaders.empty(), FRONTEND,
        "10.0.0.9", 8080);
    send("/a", FRONTEND, null);
    send("/b", FRONTEND, null);
    InboundExplanation live = InboundExplainer.explain(mesh, products);
    assertThat(live.status()).isEqualTo(429);
    assertThat(live.rateLimit().limited()).isTrue();
    assertThat(live.rateLimit().bucket()).isEqualTo("per-client/principal=" + FRONTEND);
    InboundExplanation offline = InboundExplainer.explain(mesh.snapshot(), products);
    assertThat(offline.status()).as("offline buckets are full").isEqualTo(200);

    InboundExplanation rejected = InboundExplainer.explain(mesh.snapshot(),
        new InboundProbe("GET", "/%2e%2e/etc", "catalog", MeshHeaders.empty(), null, null, -1));
    assertThat(rejected.rejected()).isTrue();
    assertThat(rejected.status()).isEqualTo(400);
    assertThat(rejected.authorization()).isNull();
  }
}
