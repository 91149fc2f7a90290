package io.inmesh.http.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.inmesh.Mesh;
import io.inmesh.http.MeshHttpClient;
import io.inmesh.http.MeshOkHttp;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bodies and retries on real sockets: a body the adapter can send again (known length up to 64 KiB) is
 * retried on a route that opts POST in; a larger, streaming or one-shot body is sent once, whatever the route says.
 */
class RequestBodyRetryIT {
  @TempDir Path dir;
  private final List<WireMockServer> servers = new ArrayList<>();
  private Mesh mesh;

  @BeforeEach
  void start() throws Exception {
    StringBuilder endpoints = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      WireMockServer s = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
      s.start();
      s.stubFor(post(urlEqualTo("/orders")).willReturn(aResponse().withStatus(503)));
      servers.add(s);
      endpoints.append("{address: 127.0.0.1, port: ").append(s.port()).append("}, ");
    }
    Path config = Files.writeString(dir.resolve("mesh.yaml"), """
        mesh: {defaults: {mtlsMode: DISABLE, outlierDetection: {consecutive5xxErrors: 0}}}
        admin: {enabled: false}
        services:
          - name: orders
            endpoints: [%s]
            routes:
              - retries: {attempts: 2, retryOn: "503", retryNonIdempotent: true}
        """.formatted(endpoints));
    mesh = Mesh.builder().workload("client").config(config).watch(false).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    servers.forEach(WireMockServer::stop);
  }

  private int received() {
    int n = 0;
    for (WireMockServer s : servers) {
      n += s.countRequestsMatching(postRequestedFor(urlEqualTo("/orders")).build()).getCount();
    }
    return n;
  }

  private int okHttpPost(RequestBody body) throws Exception {
    OkHttpClient client = MeshOkHttp.wrap(mesh, new OkHttpClient());
    try (Response r = client.newCall(new Request.Builder().url("http://orders/orders").post(body).build()).execute()) {
      return r.code();
    }
  }

  @Test
  void okHttpRetriesASmallBodyButSendsALargeOneOnce() throws Exception {
    MediaType json = MediaType.get("application/json");
    assertThat(okHttpPost(RequestBody.create(new byte[1024], json))).isEqualTo(503);
    assertThat(received()).isEqualTo(3);

    assertThat(okHttpPost(RequestBody.create(new byte[65 * 1024], json))).isEqualTo(503);
    assertThat(received()).isEqualTo(4);
  }

  @Test
  void jdkClientRetriesAKnownLengthBodyButSendsAStreamOnce() throws Exception {
    // HTTP/1.1: the JDK's default h2c upgrade attempt on a plaintext POST trips over WireMock (ClosedChannel).
    HttpClient client = MeshHttpClient.wrap(mesh, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());

    HttpResponse<String> small = client.send(HttpRequest.newBuilder(URI.create("http://orders/orders"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"item\": 1}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(small.statusCode()).isEqualTo(503);
    assertThat(received()).isEqualTo(3);

    HttpResponse<String> stream = client.send(HttpRequest.newBuilder(URI.create("http://orders/orders"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[100]))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(stream.statusCode()).isEqualTo(503);
    assertThat(received()).isEqualTo(4);
  }
}
