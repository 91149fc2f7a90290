package io.inmesh.http.seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inmesh.Mesh;
import io.inmesh.resilience.MeshTimeoutException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * linkerd-trafficsplit-serviceprofile.yaml with real servers for api-service-v1 and api-service-v2 (and one for the
 * apex api-service, which the split must never reach): the split is 90/10; {@code GET /api/users/...} has a 5 s
 * timeout and is retried under the retry budget; {@code POST /api/orders} is never retried, even on 503.
 *
 * <p>Both backends share one count of tries per path, so "the server saw 2 tries" holds whichever backend a try
 * reached. Paths say how the servers answer: {@code flaky} fails the first try of a path with 503, {@code down} and
 * {@code /api/orders} always answer 503, {@code slow} answers after 6 s.
 */
class LinkerdSplitAndProfileSeedTest extends SeedTest {
  private static final int REQUESTS = 10_000;

  final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
  Backend apex;
  Backend v1;
  Backend v2;
  OkHttpClient client;

  private Backend.Answer answer(String label, Backend.Seen s) {
    int n = tries.computeIfAbsent(s.method() + " " + s.path(), k -> new AtomicInteger()).incrementAndGet();
    if (s.path().startsWith("/api/users/flaky") && n == 1 || s.path().startsWith("/api/users/down")
        || s.path().equals("/api/orders")) {
      return new Backend.Answer(503, label + " unavailable", 0);
    }
    return new Backend.Answer(200, label, s.path().startsWith("/api/users/slow") ? 6_000 : 0);
  }

  private int tries(String methodAndPath) {
    AtomicInteger n = tries.get(methodAndPath);
    return n == null ? 0 : n.get();
  }

  @BeforeEach
  void start() throws Exception {
    apex = seeds.closeLater(Backend.start("apex"));
    v1 = seeds.closeLater(Backend.start("v1", s -> answer("v1", s)));
    v2 = seeds.closeLater(Backend.start("v2", s -> answer("v2", s)));
    Path config = seeds.plaintextConfig("""
        - name: api-service
          namespace: production
          endpoints: [{address: 127.0.0.1, port: %d}]
        - name: api-service-v1
          namespace: production
          endpoints: [{address: 127.0.0.1, port: %d}]
        - name: api-service-v2
          namespace: production
          endpoints: [{address: 127.0.0.1, port: %d}]
        """.formatted(apex.port(), v1.port(), v2.port()),
        SeedMeshes.seed("linkerd-trafficsplit-serviceprofile.yaml"));
    Mesh frontend = seeds.mesh(config, "frontend", b -> b.namespace("production"));
    client = Calls.client(frontend);
  }

  @Test
  void trafficSplitSendsNinetyPercentToV1AndTenToV2WithinTwoPoints() throws Exception {
    // Half the requests match the profile's GET /api/users route, half its catch-all: both send to the split.
    Map<String, Integer> bodies = Calls.tally(REQUESTS, 8, i -> Calls.getUnchecked(client,
        "http://api-service" + (i % 2 == 0 ? "/api/users/" : "/catalog/") + i).body());

    System.out.printf("TrafficSplit 900m/100m over %d requests: %s%n", REQUESTS, bodies);
    assertThat(bodies).containsOnlyKeys("v1", "v2");
    assertThat(bodies.get("v1") / (double) REQUESTS).isBetween(0.88, 0.92);
    assertThat(bodies.get("v2") / (double) REQUESTS).isBetween(0.08, 0.12);
    assertThat(apex.count()).as("the apex service only names the split").isZero();
  }

  @Test
  void getUsersFailingOnceWith503IsRetriedAndSucceeds() throws Exception {
    for (int i = 0; i < 20; i++) {
      Calls.Reply r = Calls.get(client, "http://api-service/api/users/flaky-" + i);

      assertThat(r.status()).as("user %d", i).isEqualTo(200);
      assertThat(tries("GET /api/users/flaky-" + i)).as("tries of user %d", i).isEqualTo(2);
    }
  }

  @Test
  void postOrdersIsNeverRetriedEvenOn503() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThat(Calls.call(client, "POST", "http://api-service/api/orders").status()).isEqualTo(503);
    }
    assertThat(tries("POST /api/orders")).isEqualTo(20);
  }

  @Test
  void getUsersTimesOutAfterFiveSeconds() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> Calls.get(client, "http://api-service/api/users/slow-1"))
        .isInstanceOf(MeshTimeoutException.class);
    long millis = (System.nanoTime() - start) / 1_000_000;

    System.out.printf("GET /api/users/slow-1 failed after %d ms%n", millis);
    assertThat(millis).isBetween(4_900L, 5_900L);
    assertThat(tries("GET /api/users/slow-1")).isEqualTo(1);
  }

  @Test
  void retriesOfGetUsersStayWithinTheRetryBudget() throws Exception {
    // Every try fails: without a budget each request would be sent 1 + 2 times. The seed's budget (0.2 of the
    // requests plus a reserve of 10/s over its 10 s ttl) allows at most 0.2 * 300 + 100 = 160 retries.
    int requests = 300;
    for (int i = 0; i < requests; i++) {
      assertThat(Calls.get(client, "http://api-service/api/users/down-" + i).status()).isEqualTo(503);
    }
    int sent = tries.entrySet().stream().filter(e -> e.getKey().startsWith("GET /api/users/down-"))
        .mapToInt(e -> e.getValue().get()).sum();
    int retries = sent - requests;

    System.out.printf("retry budget: %d requests, every try 503: %d retries%n", requests, retries);
    assertThat(retries).isBetween(100, 160);
  }
}
