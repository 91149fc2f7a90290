package io.inmesh.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.Mesh;
import io.inmesh.http.ClientMode.Reply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Traffic shares over 10,000 real requests per adapter mode: a 90/10 split and a 10 % fault abort, each within
 * +-2 points. (An IT: 80,000 requests in all.)
 */
class TrafficDistributionIT extends UpstreamsSuite {
  private static final int REQUESTS = 10_000;
  private static final int CALLERS = 8;

  private static Reply call(ClientMode.Client client, String url) {
    return client.get(url, Map.of()).orTimeout(20, TimeUnit.SECONDS).join();
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void splitsNinetyTenWithinTwoPoints(ClientMode mode) throws Exception {
    Mesh mesh = upstreams.mesh(dir, upstreams.config("""
        - route:
            - {destination: {host: api-service, subset: v1}, weight: 90}
            - {destination: {host: api-service, subset: v2}, weight: 10}
        """));
    try (ClientMode.Client client = mode.open(mesh)) {
      List<Reply> replies = Upstreams.run(REQUESTS, CALLERS, i -> call(client, "http://api-service/split/" + i));

      Map<String, Long> byVersion = Upstreams.countBy(replies, Reply::body);
      assertThat(byVersion.keySet()).containsExactlyInAnyOrder("v1", "v2");
      assertThat(byVersion.get("v2") / (double) REQUESTS).isBetween(0.08, 0.12);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void abortsTenPercentWithinTwoPoints(ClientMode mode) throws Exception {
    Mesh mesh = upstreams.mesh(dir, upstreams.config("""
        - fault: {abort: {httpStatus: 503, percentage: {value: 10}}}
          route: [{destination: {host: api-service, subset: v2}}]
        """));
    try (ClientMode.Client client = mode.open(mesh)) {
      List<Reply> replies = Upstreams.run(REQUESTS, CALLERS, i -> call(client, "http://api-service/fault/" + i));

      Map<String, Long> byStatus = Upstreams.countBy(replies, r -> String.valueOf(r.status()));
      assertThat(byStatus.keySet()).containsExactlyInAnyOrder("200", "503");
      assertThat(byStatus.get("503") / (double) REQUESTS).isBetween(0.08, 0.12);
    }
  }
}
