package io.inmesh.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.inmesh.Mesh;
import io.inmesh.http.internal.JdkMeshClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the JDK client's requests carry the logical authority. Surefire runs this class twice: in the default JVM
 * ({@code Host} is restricted: the authority travels in {@code x-forwarded-host}) and in a JVM started with
 * {@code -Djdk.httpclient.allowRestrictedHeaders=host} and {@code -Dinmesh.test.hostHeaderAllowed=true} (the
 * authority is the {@code Host}).
 */
class JdkHostHeaderTest {
  private static final boolean EXPECT_HOST = Boolean.getBoolean("inmesh.test.hostHeaderAllowed");
  @TempDir Path dir;

  @Test
  void carriesTheLogicalAuthorityInHostWhenTheJvmAllowsItElseInXForwardedHost() throws Exception {
    try (Upstreams upstreams = new Upstreams()) {
      Mesh mesh = upstreams.mesh(dir, upstreams.config("""
          - route: [{destination: {host: api-service, subset: v2}}]
          """));
      HttpClient client = MeshHttpClient.wrap(mesh, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .build());

      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(URI.create("http://api-service/who")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.body()).isEqualTo("v2");
      assertThat(JdkMeshClient.HOST_HEADER_ALLOWED).isEqualTo(EXPECT_HOST);
      LoggedRequest received = Upstreams.received(upstreams.v2).get(0);
      if (EXPECT_HOST) {
        assertThat(received.getHeader("Host")).isEqualTo("api-service");
        assertThat(received.containsHeader("x-forwarded-host")).isFalse();
      } else {
        assertThat(received.getHeader("Host")).isEqualTo("127.0.0.1:" + upstreams.v2.port());
        assertThat(received.getHeader("x-forwarded-host")).isEqualTo("api-service");
      }
    }
  }
}
