package io.inmesh.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.inmesh.Mesh;
import io.inmesh.UnknownServiceException;
import io.inmesh.http.ClientMode.Reply;
import io.inmesh.http.internal.JdkMeshClient;
import io.inmesh.traffic.TrafficFeature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The outbound behaviour every adapter must show, on real sockets: the same tests for OkHttp {@code execute} and
 * {@code enqueue} and JDK {@code send} and {@code sendAsync}. (The 10,000-request distributions are in
 * {@link TrafficDistributionIT}.)
 */
class MeshClientBehaviourTest extends UpstreamsSuite {
  private static final String SPLIT = """
      - name: canary
        match: [{headers: {x-canary: {exact: "true"}}}]
        route: [{destination: {host: api-service, subset: v2}}]
      - name: split
        route:
          - {destination: {host: api-service, subset: v1}, weight: 90}
          - {destination: {host: api-service, subset: v2}, weight: 10}
      """;

  private static Reply call(ClientMode.Client client, String url, Map<String, String> headers) {
    return client.get(url, headers).orTimeout(20, TimeUnit.SECONDS).join();
  }

  private static Reply call(ClientMode.Client client, String url) {
    return call(client, url, Map.of());
  }

  /** The header the server finds the logical authority in, for {@code mode}. */
  private static String authorityHeader(ClientMode mode) {
    return mode.isJdk() ? JdkMeshClient.AUTHORITY_HEADER : "Host";
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void sendsEachRequestToAnEndpointWithTheLogicalAuthorityKept(ClientMode mode) {
    Mesh mesh = upstreams.mesh(dir, upstreams.config(SPLIT));
    try (ClientMode.Client client = mode.open(mesh)) {
      Reply reply = call(client, "http://api-service/api/users/42?expand=true", Map.of("x-canary", "true"));

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("v2");
      LoggedRequest received = Upstreams.received(upstreams.v2).get(0);
      assertThat(received.getUrl()).isEqualTo("/api/users/42?expand=true");
      assertThat(received.getHeader(authorityHeader(mode))).isEqualTo("api-service");
      assertThat(received.getHeader("x-canary")).isEqualTo("true");
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void sendsEveryCanaryRequestToV2(ClientMode mode) throws Exception {
    Mesh mesh = upstreams.mesh(dir, upstreams.config(SPLIT));
    try (ClientMode.Client client = mode.open(mesh)) {
      List<Reply> replies = Upstreams.run(300, 8,
          i -> call(client, "http://api-service/items/" + i, Map.of("x-canary", "true")));

      assertThat(replies).allSatisfy(r -> assertThat(r.body()).isEqualTo("v2"));
      assertThat(Upstreams.received(upstreams.v2)).hasSize(300);
      assertThat(Upstreams.received(upstreams.v1a)).isEmpty();
      assertThat(Upstreams.received(upstreams.v1b)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void mirrorsEveryRequestWhileASlowMirrorNeverDelaysTheCaller(ClientMode mode) {
    StubMapping slow = upstreams.mirror.stubFor(any(anyUrl()).atPriority(1)
        .willReturn(aResponse().withStatus(200).withBody("late").withFixedDelay(1000)));
    Mesh mesh = upstreams.mesh(dir, upstreams.config("""
        - route: [{destination: {host: api-service, subset: v1}}]
          mirror: {host: reports}
        """));
    try (ClientMode.Client client = mode.open(mesh)) {
      call(client, "http://api-service/warm-up"); // connections and classes: not what is measured
      long start = System.nanoTime();
      List<Reply> replies = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        replies.add(call(client, "http://api-service/orders/" + i));
      }
      long wall = System.nanoTime() - start;

      assertThat(replies).allSatisfy(r -> {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("v1");
        assertThat(Duration.ofNanos(r.nanos())).isLessThan(Duration.ofMillis(250));
      });
      // 20 sequential calls, each mirrored to a server that takes 1 s to answer, finish well within that 1 s.
      assertThat(Duration.ofNanos(wall)).isLessThan(Duration.ofMillis(800));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(Upstreams.received(upstreams.mirror)).hasSize(21));
      assertThat(Upstreams.received(upstreams.mirror)).allSatisfy(r -> {
        assertThat(r.getHeader(authorityHeader(mode))).isEqualTo("api-service-shadow");
        assertThat(r.getUrl()).startsWith("/");
      });
      assertThat(Upstreams.received(upstreams.mirror).stream().map(LoggedRequest::getUrl))
          .contains("/orders/0", "/orders/19");
    } finally {
      upstreams.mirror.removeStub(slow);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void succeedsWhenTheMirrorIsDownAndCountsTheFailedCopies(ClientMode mode) {
    Mesh mesh = upstreams.mesh(dir, upstreams.config("""
        - route: [{destination: {host: api-service, subset: v1}}]
          mirror: {host: dead-mirror}
        """));
    try (ClientMode.Client client = mode.open(mesh)) {
      for (int i = 0; i < 20; i++) {
        assertThat(call(client, "http://api-service/orders/" + i).status()).isEqualTo(200);
      }
      TrafficFeature traffic = mesh.feature(TrafficFeature.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> traffic.mirrorStats().failed() == 20);
      assertThat(traffic.mirrorStats().dropped()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void answersAFaultAbortWithAnEmptyResponseWithoutCallingTheService(ClientMode mode) {
    Mesh mesh = upstreams.mesh(dir, upstreams.config("""
        - match: [{uri: {prefix: /broken}}]
          fault: {abort: {httpStatus: 503}}
        - route: [{destination: {host: api-service, subset: v2}}]
        """));
    try (ClientMode.Client client = mode.open(mesh)) {
      Reply aborted = call(client, "http://api-service/broken/1");
      Reply fine = call(client, "http://api-service/fine");

      assertThat(aborted.status()).isEqualTo(503);
      assertThat(aborted.body()).isEmpty();
      assertThat(fine.status()).isEqualTo(200);
      assertThat(Upstreams.received(upstreams.v2)).extracting(LoggedRequest::getUrl).containsExactly("/fine");
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void delaysTheRequestsOfADelayFault(ClientMode mode) {
    Mesh mesh = upstreams.mesh(dir, upstreams.config("""
        - fault: {delay: {fixedDelay: 300ms}}
          route: [{destination: {host: api-service, subset: v2}}]
        """));
    try (ClientMode.Client client = mode.open(mesh)) {
      Reply reply = call(client, "http://api-service/slow");

      assertThat(reply.status()).isEqualTo(200);
      assertThat(Duration.ofNanos(reply.nanos())).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void appliesRewritesAndHeaderOperationsOnTheWireAndToTheResponse(ClientMode mode) {
    Mesh mesh = upstreams.mesh(dir, upstreams.config("""
        - match: [{uri: {prefix: /api/v1/}}]
          rewrite: {uri: /v2/, authority: api.internal.example}
          headers:
            request: {set: {x-mesh-route: legacy}, remove: [x-debug]}
            response: {remove: [server], add: {x-mesh: "rewritten"}}
          route: [{destination: {host: api-service, subset: v2}}]
        """));
    try (ClientMode.Client client = mode.open(mesh)) {
      Reply reply = call(client, "http://api-service/api/v1/users?id=7", Map.of("x-debug", "on", "x-keep", "1"));

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.header("server")).isNull();
      assertThat(reply.header("x-mesh")).isEqualTo("rewritten");
      LoggedRequest received = Upstreams.received(upstreams.v2).get(0);
      assertThat(received.getUrl()).isEqualTo("/v2/users?id=7");
      assertThat(received.getHeader(authorityHeader(mode))).isEqualTo("api.internal.example");
      assertThat(received.getHeader("x-mesh-route")).isEqualTo("legacy");
      assertThat(received.containsHeader("x-debug")).isFalse();
      assertThat(received.getHeader("x-keep")).isEqualTo("1");
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void appliesAWeightChangeToNewRequestsWithoutFailingRequestsInFlight(ClientMode mode) throws Exception {
    StubMapping slowA = upstreams.v1a.stubFor(get(urlEqualTo("/slow")).atPriority(1)
        .willReturn(aResponse().withStatus(200).withBody("v1").withFixedDelay(700)));
    StubMapping slowB = upstreams.v1b.stubFor(get(urlEqualTo("/slow")).atPriority(1)
        .willReturn(aResponse().withStatus(200).withBody("v1").withFixedDelay(700)));
    String allV1 = """
        - route:
            - {destination: {host: api-service, subset: v1}, weight: 100}
            - {destination: {host: api-service, subset: v2}, weight: 0}
        """;
    Mesh mesh = upstreams.mesh(dir, upstreams.config(allV1));
    try (ClientMode.Client client = mode.open(mesh)) {
      List<CompletableFuture<Reply>> inFlight = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        inFlight.add(CompletableFuture.supplyAsync(() -> call(client, "http://api-service/slow")));
      }
      await().atMost(Duration.ofSeconds(10)).until(() ->
          Upstreams.received(upstreams.v1a).size() + Upstreams.received(upstreams.v1b).size() == 12);

      boolean applied = mesh.apply(Upstreams.document(upstreams.config(allV1
          .replace("weight: 100", "weight: 0").replace("subset: v2}, weight: 0", "subset: v2}, weight: 100"))));
      List<Reply> after = Upstreams.run(50, 8, i -> call(client, "http://api-service/new/" + i));

      assertThat(applied).isTrue();
      assertThat(inFlight).allSatisfy(f -> {
        Reply r = f.join();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("v1");
      });
      assertThat(after).allSatisfy(r -> assertThat(r.body()).isEqualTo("v2"));
    } finally {
      upstreams.v1a.removeStub(slowA);
      upstreams.v1b.removeStub(slowB);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void passesHostsOutsideTheMeshThroughUntouched(ClientMode mode) {
    Mesh mesh = upstreams.mesh(dir, upstreams.config(SPLIT));
    try (ClientMode.Client client = mode.open(mesh)) {
      Reply reply = call(client, "http://localhost:" + upstreams.v2.port() + "/direct");

      assertThat(reply.body()).isEqualTo("v2");
      LoggedRequest received = Upstreams.received(upstreams.v2).get(0);
      assertThat(received.getHeader("Host")).isEqualTo("localhost:" + upstreams.v2.port());
      assertThat(received.containsHeader("x-forwarded-host")).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void failsHostsOutsideTheMeshUnderRegistryOnly(ClientMode mode) {
    Mesh mesh = upstreams.mesh(dir, upstreams.config(SPLIT, "REGISTRY_ONLY"));
    try (ClientMode.Client client = mode.open(mesh)) {
      CompletableFuture<Reply> f = client.get("http://localhost:" + upstreams.v2.port() + "/direct", Map.of());

      assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause().isInstanceOf(UnknownServiceException.class);
      assertThat(Upstreams.received(upstreams.v2)).isEmpty();
      assertThat(call(client, "http://api-service/still-fine").status()).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientMode.class)
  void failsWithAnIoExceptionWhenTheDestinationHasNoEndpoint(ClientMode mode) {
    Mesh mesh = upstreams.mesh(dir, upstreams.config("""
        - route: [{destination: {host: api-service, subset: v3}}]
        """).replace("{name: v2, labels: {version: v2}}]", "{name: v2, labels: {version: v2}}, {name: v3, labels: {version: v3}}]"));
    try (ClientMode.Client client = mode.open(mesh)) {
      CompletableFuture<Reply> f = client.get("http://api-service/x", Map.of());

      assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause().isInstanceOf(java.io.IOException.class).withMessageContaining("api-service");
    }
  }
}
