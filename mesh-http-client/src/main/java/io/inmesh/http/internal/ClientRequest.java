package io.inmesh.http.internal;

import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import java.net.URI;
import java.net.http.HttpRequest;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/**
 * A client's request as the pipelines see it: its parts read once, its headers a view (no copy).
 *
 * @param method the method
 * @param scheme http or https
 * @param authority host, and port when not the scheme's default
 * @param host the host
 * @param path the raw path ({@code /} when empty)
 * @param query the raw query, or null
 * @param headers a view of the client's headers
 */
record ClientRequest(String method, String scheme, String authority, String host, String path,
    @Nullable String query, MeshHeaders headers) implements MeshRequest {

  static ClientRequest of(Request request) {
    HttpUrl url = request.url();
    return new ClientRequest(request.method(), url.scheme(), Transports.authority(url.scheme(), url.host(),
        url.port()), url.host(), url.encodedPath(), url.encodedQuery(), new OkHttpMeshHeaders(request.headers()));
  }

  static ClientRequest of(HttpRequest request) {
    URI uri = request.uri();
    String path = uri.getRawPath();
    return new ClientRequest(request.method(), uri.getScheme(), Transports.authority(uri.getScheme(), uri.getHost(),
        uri.getPort()), uri.getHost(), path == null || path.isEmpty() ? "/" : path, uri.getRawQuery(),
        new JdkMeshHeaders(request.headers()));
  }
}
