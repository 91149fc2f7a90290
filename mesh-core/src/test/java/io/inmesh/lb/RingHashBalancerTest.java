package io.inmesh.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RingHashBalancerTest extends BalancerContractTest {
  @Override
  String policy() {
    return "consistentHash: {httpHeaderName: x-key}";
  }

  @Override
  boolean hashed() {
    return true;
  }

  static MeshRequest keyed(String key) {
    return MeshRequest.builder().authority("api").headers(MeshHeaders.of(Map.of("x-key", key))).build();
  }

  @Test
  void theSameKeyAlwaysLandsOnTheSameEndpoint() {
    EndpointPicker picker = balancer("", null, LbFixtures.endpoints(10)).picker(null);

    for (int k = 0; k < 100; k++) {
      String first = picker.pick(ctx, keyed("user-" + k), null).endpoint().host();
      for (int i = 0; i < 20; i++) {
        assertThat(picker.pick(ctx, keyed("user-" + k), null).endpoint().host()).isEqualTo(first);
      }
    }
  }

  @Test
  void removingOneOfTenEndpointsMovesAboutATenthOfTheKeys() {
    ServiceBalancer b = balancer("", null, LbFixtures.endpoints(10));
    EndpointPicker before = b.picker(null);
    b.endpoints(LbFixtures.endpoints(10).subList(0, 9));
    EndpointPicker after = b.picker(null);

    int moved = 0;
    int keys = 100_000;
    for (int k = 0; k < keys; k++) {
      MeshRequest r = keyed("key-" + k);
      if (!before.pick(ctx, r, null).endpoint().equals(after.pick(ctx, r, null).endpoint())) {
        moved++;
      }
    }

    assertThat(moved / (double) keys).isBetween(0.08, 0.12);
  }

  @Test
  void hashesACookieAQueryParameterOrTheSourceIdentity() {
    EndpointPicker cookie = picker("consistentHash: {httpCookie: {name: affinity}}");
    MeshRequest withCookie = MeshRequest.builder().authority("api")
        .headers(MeshHeaders.of(Map.of("cookie", "other=1; affinity=\"abc\"; z=2"))).build();
    String first = cookie.pick(ctx, withCookie, null).endpoint().host();
    for (int i = 0; i < 50; i++) {
      assertThat(cookie.pick(ctx, withCookie, null).endpoint().host()).isEqualTo(first);
    }

    EndpointPicker query = picker("consistentHash: {httpQueryParameterName: cart}");
    MeshRequest withQuery = MeshRequest.builder().authority("api").target("/x?cart=42").build();
    String q = query.pick(ctx, withQuery, null).endpoint().host();
    for (int i = 0; i < 50; i++) {
      assertThat(query.pick(ctx, withQuery, null).endpoint().host()).isEqualTo(q);
    }

    EndpointPicker source = picker("consistentHash: {useSourceIdentity: true}");
    MeshRequest plain = MeshRequest.builder().authority("api").build();
    String s = source.pick(ctx, plain, null).endpoint().host();
    for (int i = 0; i < 50; i++) {
      assertThat(source.pick(ctx, plain, null).endpoint().host()).isEqualTo(s);
    }
  }

  @Test
  void readsOneCookieOutOfACookieHeader() {
    assertThat(HashKey.cookie(List.of("a=1; affinity=xyz; b=2"), "affinity")).isEqualTo("xyz");
    assertThat(HashKey.cookie(List.of("xaffinity=1", "affinity=\"q\""), "affinity")).isEqualTo("q");
    assertThat(HashKey.cookie(List.of("a=1"), "affinity")).isNull();
  }

  @Test
  void spreadsRequestsWithoutAKeyAtRandom() {
    EndpointPicker picker = balancer("", null, LbFixtures.endpoints(4)).picker(null);
    MeshRequest noKey = MeshRequest.builder().authority("api").build();

    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      seen.add(picker.pick(ctx, noKey, null).endpoint().host());
    }
    assertThat(seen).hasSize(4);
  }

  @Test
  void theRingHasAtLeastTheMinimumSizeAndAThousandPointsPerEndpoint() {
    var settings = LbFixtures.service("{consistentHash: {httpHeaderName: x, minimumRingSize: 4096}}")
        .trafficPolicy().loadBalancer();
    ServiceBalancer b = balancer("", null, LbFixtures.endpoints(2));
    EndpointState[] two = b.states().toArray(new EndpointState[0]);
    LbEnvironment env = new LbEnvironment(random, clock::get, null, "self");

    assertThat(new RingHashPicker(settings.consistentHash(), two, env).size()).isEqualTo(4096);
    assertThat(new RingHashPicker(settings.consistentHash(), states(10), env).size()).isEqualTo(10_240);
  }

  private EndpointState[] states(int n) {
    return balancer("", null, LbFixtures.endpoints(n)).states().toArray(new EndpointState[0]);
  }

  private EndpointPicker picker(String settings) {
    ServiceBalancer b = new ServiceBalancer("default/api", new LbEnvironment(random, clock::get, null,
        "cluster.local/ns/default/sa/client"));
    b.configure(LbFixtures.service("{" + settings + "}"));
    b.endpoints(LbFixtures.endpoints(10));
    return b.picker(null);
  }
}
