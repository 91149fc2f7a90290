package io.inmesh.http.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import java.nio.file.Path;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * istio-virtualservice-canary.yaml (VirtualService + DestinationRule subsets) with two real servers labelled v1 and
 * v2 as api-service's endpoints in production: {@code x-canary: "true"} always reaches v2, the rest splits 90/10.
 */
class CanarySeedTest extends SeedTest {
  private static final int REQUESTS = 10_000;

  Backend v1;
  Backend v2;
  OkHttpClient client;

  @BeforeEach
  void start() throws Exception {
    v1 = seeds.closeLater(Backend.start("v1"));
    v2 = seeds.closeLater(Backend.start("v2"));
    Path config = seeds.plaintextConfig("""
        - name: api-service
          namespace: production
          endpoints:
            - {address: 127.0.0.1, port: %d, labels: {version: v1}}
            - {address: 127.0.0.1, port: %d, labels: {version: v2}}
        """.formatted(v1.port(), v2.port()), SeedMeshes.seed("istio-virtualservice-canary.yaml"));
    Mesh frontend = seeds.mesh(config, "frontend", b -> b.namespace("production"));
    client = Calls.client(frontend);
  }

  @Test
  void everyRequestWithXCanaryTrueReachesV2() throws Exception {
    Map<String, Integer> bodies = Calls.tally(2_000, 4,
        i -> Calls.getUnchecked(client, "http://api-service/api/users/" + i, "x-canary", "true").body());

    assertThat(bodies).containsExactly(Map.entry("v2", 2_000));
    assertThat(v2.count()).isEqualTo(2_000);
    assertThat(v1.count()).isZero();
  }

  @Test
  void theRestSplitsNinetyTenWithinTwoPointsOverTenThousandRequests() throws Exception {
    // Other values of x-canary are not the canary match: they take the weighted route like requests without it.
    Map<String, Integer> bodies = Calls.tally(REQUESTS, 8, i -> Calls.getUnchecked(client,
        "http://api-service/api/users/" + i, i % 2 == 0 ? new String[0] : new String[] {"x-canary", "false"}).body());

    System.out.printf("canary split over %d requests: %s%n", REQUESTS, bodies);
    assertThat(bodies).containsOnlyKeys("v1", "v2");
    assertThat(bodies.get("v2") / (double) REQUESTS).isBetween(0.08, 0.12);
    assertThat(bodies.get("v1") / (double) REQUESTS).isBetween(0.88, 0.92);
    assertThat(v1.count() + v2.count()).as("no retries, no lost requests").isEqualTo(REQUESTS);
  }
}
