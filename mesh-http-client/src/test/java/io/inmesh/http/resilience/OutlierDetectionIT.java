package io.inmesh.http.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.inmesh.Mesh;
import io.inmesh.http.MeshOkHttp;
import io.inmesh.lb.EndpointState;
import io.inmesh.lb.LoadBalancing;
import io.inmesh.resilience.Resilience;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outlier detection through the OkHttp adapter against three WireMock servers, one of which always answers 503:
 * it is ejected after exactly five consecutive errors, receives nothing while ejected, comes back when the ejection
 * time has passed, and GETs succeed throughout (retries go to the healthy ones).
 */
class OutlierDetectionIT {
  @TempDir Path dir;
  private final List<WireMockServer> servers = new ArrayList<>();
  private Mesh mesh;

  @BeforeEach
  void start() throws IOException {
    for (int i = 0; i < 3; i++) {
      WireMockServer s = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
      s.start();
      s.stubFor(get(urlEqualTo("/items")).willReturn(aResponse().withStatus(i == 0 ? 503 : 200).withBody("x")));
      servers.add(s);
    }
    StringBuilder endpoints = new StringBuilder();
    for (WireMockServer s : servers) {
      endpoints.append("{address: 127.0.0.1, port: ").append(s.port()).append("}, ");
    }
    Path config = Files.writeString(dir.resolve("mesh.yaml"), """
        mesh: {defaults: {mtlsMode: DISABLE}}
        admin: {enabled: false}
        services:
          - name: shop
            endpoints: [%s]
            trafficPolicy:
              loadBalancer: {simple: ROUND_ROBIN}
              outlierDetection: {consecutive5xxErrors: 5, interval: 1s, baseEjectionTime: 2s, maxEjectionPercent: 50}
            routes:
              - retries: {attempts: 2, retryOn: "5xx"}
        """.formatted(endpoints));
    mesh = Mesh.builder().workload("client").config(config).watch(false).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    servers.forEach(WireMockServer::stop);
  }

  private int received(int server) {
    return servers.get(server).countRequestsMatching(getRequestedFor(urlEqualTo("/items")).build()).getCount();
  }

  private EndpointState badState() {
    return mesh.feature(LoadBalancing.class).endpointState("default/shop", "127.0.0.1:" + servers.get(0).port());
  }

  private void getAll(OkHttpClient client, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      try (Response r = client.newCall(new Request.Builder().url("http://shop/items").build()).execute()) {
        assertThat(r.code()).as("GET %d", i).isEqualTo(200);
      }
    }
  }

  @Test
  void ejectsTheFailingEndpointAfterFiveErrorsAndReleasesItAfterTheEjectionTime() throws IOException {
    OkHttpClient client = MeshOkHttp.wrap(mesh, new OkHttpClient());

    getAll(client, 60);
    assertThat(badState().ejected()).isTrue();
    assertThat(received(0)).isEqualTo(5);
    assertThat(mesh.feature(Resilience.class).stats().ejections()).isEqualTo(1);

    getAll(client, 60); // while ejected: nothing reaches it
    assertThat(received(0)).isEqualTo(5);
    assertThat(received(1) + received(2)).isGreaterThanOrEqualTo(120);

    await().atMost(Duration.ofSeconds(5)).until(() -> !badState().ejected());
    getAll(client, 60); // back in rotation, it fails five more times and goes out again, for twice as long
    assertThat(received(0)).isEqualTo(10);
    assertThat(badState().ejected()).isTrue();
    assertThat(mesh.feature(Resilience.class).stats().ejections()).isEqualTo(2);
  }
}
