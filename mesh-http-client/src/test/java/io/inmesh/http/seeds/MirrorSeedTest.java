package io.inmesh.http.seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inmesh.Mesh;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * istio-virtualservice-mirror.yaml with real checkout servers v1 and v2: v1 answers every request, v2 receives a copy
 * of each (Host {@code checkout-shadow}, as Envoy names it), and v2's answers, distinguishable by status and body,
 * never reach the caller.
 */
class MirrorSeedTest extends SeedTest {
  private static final int REQUESTS = 300;

  Backend v1;
  Backend v2;
  OkHttpClient client;

  @BeforeEach
  void start() throws Exception {
    v1 = seeds.closeLater(Backend.start("v1"));
    v2 = seeds.closeLater(Backend.start("v2", s -> new Backend.Answer(202, "from the shadow v2", 0)));
    Path config = seeds.plaintextConfig("""
        - name: checkout
          endpoints:
            - {address: 127.0.0.1, port: %d, labels: {version: v1}}
            - {address: 127.0.0.1, port: %d, labels: {version: v2}}
        """.formatted(v1.port(), v2.port()), SeedMeshes.seed("istio-virtualservice-mirror.yaml"));
    Mesh web = seeds.mesh(config, "web", b -> b);
    client = Calls.client(web);
  }

  @Test
  void v1AnswersEveryRequestAndV2GetsACopyOfEachWhoseAnswersNeverReachTheCaller() throws Exception {
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      String method = i % 3 == 0 ? "POST" : "GET";
      String path = "/cart/" + i;
      sent.add(method + " " + path);
      Calls.Reply r = Calls.call(client, method, "http://checkout" + path);
      assertThat(r.status()).as("%s %s", method, path).isEqualTo(200);
      assertThat(r.body()).isEqualTo("v1");
      assertThat(r.headers().get("x-backend")).isEqualTo("v1");
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> v2.count() >= REQUESTS);
    assertThat(v1.count()).isEqualTo(REQUESTS);
    List<Backend.Seen> copies = v2.seen();
    assertThat(copies).hasSize(REQUESTS);
    assertThat(copies).extracting(s -> s.method() + " " + s.path()).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(copies).extracting(Backend.Seen::host).containsOnly("checkout-shadow");
    assertThat(v1.seen()).extracting(Backend.Seen::host).containsOnly("checkout");
  }
}
