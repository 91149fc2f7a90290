package io.inmesh.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.inmesh.Mesh;
import io.inmesh.http.internal.EndpointNames;
import io.inmesh.resilience.Resilience;
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
          .matches("e[0-9a-z]+" + java.util.regex.Pattern.quote(EndpointNames.SUFFIX) + " api-service");
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

  @Test
  void perTryTimeoutsEndAttemptsSentInlineAndQueuedAlike() throws Exception {
    try (Upstreams upstreams = new Upstreams()) {
      upstreams.v1a.stubFor(get(urlEqualTo("/slow")).atPriority(1).willReturn(aResponse().withFixedDelay(5000)));
      upstreams.v1b.stubFor(get(urlEqualTo("/slow")).atPriority(1).willReturn(aResponse().withFixedDelay(5000)));
      Mesh mesh = upstreams.mesh(dir, upstreams.config("""
          - route: [{destination: {host: api-service, subset: v1}}]
            timeout: 4s
            retries: {attempts: 1, perTryTimeout: 300ms, retryOn: [5xx]}
          """));
      OkHttpClient client = MeshOkHttp.wrap(mesh, new OkHttpClient());
      long start = System.nanoTime();

      // The first attempt runs on the caller's thread (the call's timeout bounds it), the retry after a backoff is
      // queued to that thread (the stage's timer bounds it): both end at 300 ms, and the stage counts both.
      assertThatThrownBy(() -> client.newCall(new Request.Builder().url("http://api-service/slow").build()).execute())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("attempt 2 timed out");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThat(mesh.feature(Resilience.class).stats().attemptTimeouts()).isEqualTo(2);
      assertThat(Upstreams.received(upstreams.v1a).size() + Upstreams.received(upstreams.v1b).size()).isEqualTo(2);
    }
  }

  @Test
  void theAttemptDeadlineDoesNotCutAStreamedBodyTheApplicationIsReading() throws Exception {
    try (Upstreams upstreams = new Upstreams()) {
      String body = "x".repeat(200 * 1024); // above the 64 KiB the adapter buffers: streamed to the application
      for (var upstream : List.of(upstreams.v1a, upstreams.v1b)) {
        upstream.stubFor(get(urlEqualTo("/stream")).atPriority(1)
            .willReturn(aResponse().withBody(body).withChunkedDribbleDelay(20, 1200)));
      }
      Mesh mesh = upstreams.mesh(dir, upstreams.config("""
          - route: [{destination: {host: api-service, subset: v1}}]
            retries: {attempts: 1, perTryTimeout: 300ms, retryOn: [5xx]}
          """));
      OkHttpClient client = MeshOkHttp.wrap(mesh, new OkHttpClient());

      // The head arrives at once; the body takes 1.2 s, four times the per-try timeout, which bounds the attempt
      // (up to the response's head), not the application's reading.
      try (Response r = client.newCall(new Request.Builder().url("http://api-service/stream").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).isEqualTo(body);
      }
      assertThat(mesh.feature(Resilience.class).stats().attemptTimeouts()).isZero();
    }
  }
}
