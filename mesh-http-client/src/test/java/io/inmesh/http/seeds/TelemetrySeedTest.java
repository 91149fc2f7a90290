package io.inmesh.http.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.telemetry.MeshTelemetry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * istio-telemetry.yaml (istio-system: mesh-wide) in a meshed client: 10 % of new traces are sampled, as the server
 * sees in the flags of the W3C {@code traceparent} header each request carries, and the Istio request metric counts
 * every request.
 */
class TelemetrySeedTest extends SeedTest {
  private static final int REQUESTS = 5_000;

  Backend api;
  Mesh frontend;
  OkHttpClient client;

  @BeforeEach
  void start() throws Exception {
    api = seeds.closeLater(Backend.start("api"));
    Path config = seeds.plaintextConfig("""
        - name: api-service
          endpoints: [{address: 127.0.0.1, port: %d}]
        """.formatted(api.port()), SeedMeshes.seed("istio-telemetry.yaml"));
    frontend = seeds.mesh(config, "frontend", b -> b);
    client = Calls.client(frontend);
  }

  @Test
  void tenPercentOfTracesAreSampledWithinThreePointsAndEveryRequestIsCounted() throws Exception {
    Map<String, Integer> statuses = Calls.tally(REQUESTS, 8,
        i -> Integer.toString(Calls.getUnchecked(client, "http://api-service/items/" + i).status()));

    assertThat(statuses).containsExactly(Map.entry("200", REQUESTS));
    assertThat(api.seen()).extracting(Backend.Seen::traceparent).doesNotContainNull();
    // traceparent: version-traceid-parentid-flags. Bit 0 of the flags is "sampled"; OpenTelemetry also sets bit 1
    // (W3C trace context level 2: "the trace id is random"), so the flags read 02 or 03.
    Map<Boolean, Long> bySampled = api.seen().stream().collect(Collectors.partitioningBy(
        s -> (Integer.parseInt(s.traceparent().substring(53), 16) & 1) == 1, Collectors.counting()));
    Set<String> traces = api.seen().stream().map(s -> s.traceparent().substring(3, 35)).collect(Collectors.toSet());
    double sampled = bySampled.get(true) / (double) REQUESTS;

    System.out.printf("Telemetry 10%%: %d of %d requests carried a sampled traceparent (%.2f %%)%n",
        bySampled.get(true), REQUESTS, sampled * 100);
    assertThat(sampled).isBetween(0.07, 0.13);
    assertThat(traces).as("each request starts its own trace").hasSize(REQUESTS);
    long counted = frontend.feature(MeshTelemetry.class).scrape().lines()
        .filter(l -> l.startsWith("istio_requests_total{") && l.contains("response_code=\"200\""))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertThat(counted).isEqualTo(REQUESTS);
  }
}
