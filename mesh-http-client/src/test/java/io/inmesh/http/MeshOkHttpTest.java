package io.inmesh.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.inmesh.Mesh;
import io.inmesh.http.internal.EndpointNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link MeshOkHttp#wrap} keeps of the user's client, and how a meshed call is canceled. */
class MeshOkHttpTest {
  @TempDir Path dir;

  private static final String V1 = """
      - route: [{destination: {host: api-service, subset: v1}}]
      """;

  @Test
  void keepsTheUsersPoolDispatcherAndInterceptorsAroundTheMesh() throws Exception {
    List<String> applicationSaw = new CopyOnWriteArrayList<>();
    List<String> networkSaw = new CopyOnWriteArrayList<>();
    OkHttpClient user = new OkHttpClient.Builder()
        .addInterceptor(chain -> {
          applicationSaw.add(chain.request().url().host());
          return chain.proceed(chain.request().newBuilder().header("x-user-interceptor", "ran").build());
        })
        .addNetworkInterceptor(chain -> {
          networkSaw.add(chain.request().url().host() + " " + chain.request().header("Host"));
          return chain.proceed(chain.request());
        })
        .readTimeout(Duration.ofSeconds(7))
        .build();
    try (Upstreams upstreams = new Upstreams()) {
      Mesh mesh = upstreams.mesh(dir, upstreams.config(V1));
      OkHttpClient client = MeshOkHttp.wrap(mesh, user);

      try (Response r = client.newCall(new Request.Builder().url("http://api-service/a").build()).execute()) {
        assertThat(r.body().string()).isEqualTo("v1");
        assertThat(r.request().url().host()).isEqualTo("api-service"); // the application sees its own request
      }

      assertThat(client.connectionPool()).isSameAs(user.connectionPool());
      assertThat(client.dispatcher()).isSameAs(user.dispatcher());
      assertThat(client.readTimeoutMillis()).isEqualTo(7000);
      assertThat(MeshOkHttp.wrap(mesh, client)).isSameAs(client);
      assertThat(applicationSaw).containsExactly("api-service"); // once, with the logical URL
      assertThat(networkSaw).singleElement().asString()
          .endsWith(".api-service.default" + EndpointNames.SUFFIX + " api-service");
      assertThat(Upstreams.received(upstreams.v1a).size() + Upstreams.received(upstreams.v1b).size()).isEqualTo(1);
      assertThat(java.util.stream.Stream.concat(Upstreams.received(upstreams.v1a).stream(),
          Upstreams.received(upstreams.v1b).stream()).toList().get(0).getHeader("x-user-interceptor"))
          .isEqualTo("ran");
    }
  }

  @Test
  void cancelingAMeshedCallAbortsTheAttemptInFlight() throws Exception {
    try (Upstreams upstreams = new Upstreams()) {
      upstreams.v1a.stubFor(get(urlEqualTo("/hang")).atPriority(1).willReturn(aResponse().withFixedDelay(5000)));
      upstreams.v1b.stubFor(get(urlEqualTo("/hang")).atPriority(1).willReturn(aResponse().withFixedDelay(5000)));
      Mesh mesh = upstreams.mesh(dir, upstreams.config(V1));
      OkHttpClient client = MeshOkHttp.wrap(mesh, new OkHttpClient());
      Call call = client.newCall(new Request.Builder().url("http://api-service/hang").build());

      Thread canceler = new Thread(() -> {
        await().atMost(Duration.ofSeconds(5)).until(() ->
            Upstreams.received(upstreams.v1a).size() + Upstreams.received(upstreams.v1b).size() == 1);
        call.cancel();
      });
      canceler.start();
      long start = System.nanoTime();

      assertThatThrownBy(call::execute).isInstanceOf(IOException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      canceler.join();
    }
  }
}
