package io.inmesh.http.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * envoyfilter-local-ratelimit.yaml on a meshed Jetty server (the servlet filter) of workload api-service in
 * production: 100 requests pass, the 101st within the minute gets 429 with the x-ratelimit headers, and 60 s later the
 * bucket holds 100 tokens again. The mesh's monotonic clock is the test's, so "within the minute" does not depend on
 * how fast the machine is.
 */
class LocalRateLimitSeedTest extends SeedTest {
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  MeshedServer apiService;
  MeshedServer ordersService;
  final OkHttpClient client = new OkHttpClient.Builder()
      .connectionPool(new ConnectionPool(4, 1, TimeUnit.MINUTES)).build();

  @BeforeEach
  void start() throws Exception {
    Path config = seeds.plaintextConfig("", SeedMeshes.seed("envoyfilter-local-ratelimit.yaml"));
    Mesh api = seeds.mesh(config, "api-service", b -> b.namespace("production").nanoTime(nanos::get));
    Mesh orders = seeds.mesh(config, "orders-service", b -> b.namespace("production").nanoTime(nanos::get));
    apiService = seeds.closeLater(MeshedServer.start(api, SeedMeshes.freePort()));
    ordersService = seeds.closeLater(MeshedServer.start(orders, SeedMeshes.freePort()));
  }

  @AfterEach
  void closeConnections() {
    client.connectionPool().evictAll();
  }

  private Calls.Reply get(MeshedServer server, int i) throws Exception {
    return Calls.get(client, "http://127.0.0.1:" + server.port() + "/api/users/" + i);
  }

  @Test
  void oneHundredRequestsPassAndTheHundredAndFirstWithinTheMinuteGets429() throws Exception {
    for (int i = 0; i < 100; i++) {
      assertThat(get(apiService, i).status()).as("request %d", i + 1).isEqualTo(200);
    }
    nanos.addAndGet(Duration.ofSeconds(30).toNanos());
    Calls.Reply limited = get(apiService, 100);

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.body()).isEqualToIgnoringNewLines("local_rate_limited");
    assertThat(limited.headers().get("x-ratelimit-limit")).isEqualTo("100");
    assertThat(limited.headers().get("x-ratelimit-remaining")).isEqualTo("0");
    assertThat(Integer.parseInt(limited.headers().get("x-ratelimit-reset"))).isBetween(1, 30);
    assertThat(limited.headers().get("retry-after")).isEqualTo(limited.headers().get("x-ratelimit-reset"));
    assertThat(apiService.reached()).hasSize(100);
  }

  @Test
  void theBucketRefillsAHundredTokensAfterSixtySeconds() throws Exception {
    for (int i = 0; i < 100; i++) {
      get(apiService, i);
    }
    nanos.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(get(apiService, 100).status()).as("59 s later").isEqualTo(429);

    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    for (int i = 0; i < 100; i++) {
      assertThat(get(apiService, 200 + i).status()).as("after the refill, request %d", i + 1).isEqualTo(200);
    }
    assertThat(get(apiService, 300).status()).isEqualTo(429);
    assertThat(apiService.reached()).hasSize(200);
  }

  @Test
  void aWorkloadTheSelectorDoesNotNameIsNotLimited() throws Exception {
    for (int i = 0; i < 150; i++) {
      assertThat(get(ordersService, i).status()).as("request %d", i + 1).isEqualTo(200);
    }
    assertThat(ordersService.reached()).hasSize(150);
  }
}
