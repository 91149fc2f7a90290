package io.inmesh.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.InboundConfig;
import io.inmesh.pipeline.MeshRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  static final WorkloadIdentity CATALOG =
      new WorkloadIdentity("catalog", "shop", "catalog", Map.of("app", "catalog"), null);
  static final String ALICE = "cluster.local/ns/shop/sa/alice";
  static final String BOB = "cluster.local/ns/shop/sa/bob";

  final AtomicLong now = new AtomicLong();
  final RateLimits registry = new RateLimits(now::get);

  static InboundConfig inbound(String rateLimits) {
    return ConfigLoader.create()
        .loadDocuments(List.of(new ConfigDocument("t.yaml", "inbound:\n  rateLimits:\n" + rateLimits)))
        .config().inbound();
  }

  RateLimiter only(String rateLimits) {
    List<RateLimiter> limiters = registry.select(inbound(rateLimits), CATALOG);
    assertThat(limiters).hasSize(1);
    return limiters.get(0);
  }

  static MeshRequest get(String path) {
    return MeshRequest.builder().target(path).build();
  }

  static int admitted(RateLimiter l, int tries, String path, @Nullable String principal, @Nullable String ip) {
    int n = 0;
    for (int i = 0; i < tries; i++) {
      if (l.tryAcquire(get(path), principal, ip) == null) {
        n++;
      }
    }
    return n;
  }

  @Test
  void anInstanceBucketIsSharedByEveryCaller() {
    RateLimiter l = only("    - {name: all, tokenBucket: {maxTokens: 5, fillInterval: 1s}}\n");
    assertThat(admitted(l, 3, "/a", ALICE, null)).isEqualTo(3);
    assertThat(admitted(l, 3, "/b", BOB, null)).isEqualTo(2);
    RateLimiter.Limited limited = l.tryAcquire(get("/c"), null, "10.0.0.1");
    assertThat(limited).isNotNull();
    assertThat(limited.bucket()).isEqualTo("all");
    assertThat(limited.limit()).isEqualTo(5);
    assertThat(limited.resetSeconds()).isEqualTo(1);
  }

  @Test
  void aRouteScopedPolicyHasOneBucketPerMatchEntryAndIgnoresOtherRequests() {
    RateLimiter l = only("""
            - name: per-route
              scope: ROUTE
              match: [{uri: {prefix: /orders}}, {uri: {prefix: /search}}]
              tokenBucket: {maxTokens: 2, fillInterval: 1s}
        """);
    assertThat(admitted(l, 5, "/orders/1", ALICE, null)).isEqualTo(2);
    assertThat(admitted(l, 5, "/search", ALICE, null)).isEqualTo(2);
    assertThat(admitted(l, 5, "/other", ALICE, null)).as("not matched: not limited").isEqualTo(5);
    assertThat(l.tryAcquire(get("/search"), ALICE, null).bucket()).isEqualTo("per-route/match[1]");
  }

  @Test
  void anInstancePolicyWithMatchLimitsOnlyMatchingRequestsInOneBucket() {
    RateLimiter l = only("""
            - {name: writes, match: [{method: {exact: POST}}, {method: {exact: PUT}}],
               tokenBucket: {maxTokens: 1, fillInterval: 1s}}
        """);
    assertThat(l.tryAcquire(MeshRequest.builder().method("POST").build(), null, null)).isNull();
    assertThat(l.tryAcquire(MeshRequest.builder().method("PUT").build(), null, null)).isNotNull();
    assertThat(l.tryAcquire(MeshRequest.builder().method("GET").build(), null, null)).isNull();
  }

  @Test
  void aClientScopedPolicyHasABucketPerPrincipalOrPerSourceIpWithoutOne() {
    RateLimiter l = only("""
            - name: per-client
              scope: CLIENT
              tokenBucket: {maxTokens: 2, fillInterval: 1s}
              overrides:
                - clients: ['cluster.local/ns/shop/sa/b*']
                  tokenBucket: {maxTokens: 4, fillInterval: 1s}
        """);
    assertThat(admitted(l, 5, "/", ALICE, "10.0.0.1")).isEqualTo(2);
    assertThat(admitted(l, 5, "/", BOB, "10.0.0.1")).as("override").isEqualTo(4);
    assertThat(admitted(l, 5, "/", null, "10.0.0.1")).isEqualTo(2);
    assertThat(admitted(l, 5, "/", null, "10.0.0.2")).isEqualTo(2);
    assertThat(l.tryAcquire(get("/"), ALICE, null).bucket()).isEqualTo("per-client/principal=" + ALICE);
    assertThat(l.tryAcquire(get("/"), null, "10.0.0.2").bucket()).isEqualTo("per-client/source.ip=10.0.0.2");
  }

  @Test
  void clientBucketsStayBoundedUnderAFloodOfDistinctIdentities() {
    RateLimiter l = only("    - {name: per-client, scope: CLIENT, tokenBucket: {maxTokens: 1, fillInterval: 1h}}\n");
    for (int i = 0; i < RateLimiter.MAX_CLIENTS + 30_000; i++) {
      l.tryAcquire(get("/"), "cluster.local/ns/flood/sa/c" + i, null);
    }
    assertThat(l.clientBuckets()).isLessThanOrEqualTo(RateLimiter.MAX_CLIENTS);
  }

  @Test
  void anIdleClientBucketExpiresOnceItWouldBeFullAgainLosingNothing() {
    RateLimiter l = only("    - {name: per-client, scope: CLIENT, tokenBucket: {maxTokens: 4, tokensPerFill: 2,"
        + " fillInterval: 1s}}\n");
    assertThat(admitted(l, 5, "/", ALICE, null)).isEqualTo(4);
    assertThat(l.clientBuckets()).isEqualTo(1);
    now.addAndGet(Duration.ofMillis(1999).toNanos());
    assertThat(l.clientBuckets()).as("not yet refilled completely: kept").isEqualTo(1);
    now.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(l.clientBuckets()).isZero();
    assertThat(admitted(l, 5, "/", ALICE, null)).isEqualTo(4);
  }

  @Test
  void bucketsSurviveAReloadWhenTheirPolicyIsUnchangedAndResetWhenItChanges() {
    String policy = "    - {name: all, tokenBucket: {maxTokens: 2, fillInterval: 1h}}\n";
    String other = "    - {name: other, tokenBucket: {maxTokens: 9, fillInterval: 1h}}\n";
    RateLimiter first = only(policy);
    assertThat(admitted(first, 2, "/", null, null)).isEqualTo(2);

    List<RateLimiter> reloaded = registry.select(inbound(policy + other), CATALOG);
    assertThat(reloaded.get(0)).isSameAs(first);
    assertThat(admitted(reloaded.get(0), 1, "/", null, null)).as("still empty").isZero();

    RateLimiter changed = only(policy.replace("maxTokens: 2", "maxTokens: 3"));
    assertThat(changed).isNotSameAs(first);
    assertThat(admitted(changed, 5, "/", null, null)).isEqualTo(3);
  }

  @Test
  void probingNeverTakesATokenAndNamesTheBucket() {
    RateLimiter l = only("    - {name: per-client, scope: CLIENT, tokenBucket: {maxTokens: 1, fillInterval: 1h}}\n");
    assertThat(l.probe(get("/"), ALICE, null)).isEqualTo(new RateLimiter.Probe("per-client/principal=" + ALICE, 1, 1));
    assertThat(admitted(l, 1, "/", ALICE, null)).isEqualTo(1);
    assertThat(l.probe(get("/"), ALICE, null).limited()).isTrue();
  }

  @Test
  void appliesOnlyPoliciesThatSelectTheWorkload() {
    List<RateLimiter> limiters = registry.select(inbound("""
            - {name: mine, namespace: shop, tokenBucket: {maxTokens: 1, fillInterval: 1s}}
            - {name: theirs, namespace: billing, tokenBucket: {maxTokens: 1, fillInterval: 1s}}
            - {name: cart, selector: {matchLabels: {app: cart}}, tokenBucket: {maxTokens: 1, fillInterval: 1s}}
        """), CATALOG);
    assertThat(limiters).extracting(RateLimiter::id).containsExactly("shop/mine");
  }
}
