package io.inmesh.http;

import io.inmesh.Mesh;
import io.inmesh.http.internal.JdkMeshClient;
import java.net.http.HttpClient;

/**
 * Meshes a {@code java.net.http} {@link HttpClient}.
 *
 * <pre>{@code
 * HttpClient client = MeshHttpClient.wrap(mesh, HttpClient.newHttpClient());
 * client.send(HttpRequest.newBuilder(URI.create("http://api-service/api/users/42")).build(), BodyHandlers.ofString());
 * }</pre>
 *
 * <p>The returned client delegates to {@code client} (its executor, connection pool, timeouts, proxy, SSL context,
 * cookie handler, authenticator are used as they are). A request whose host is a mesh service is routed by the mesh:
 * each attempt goes to the chosen endpoint's address, and the logical authority travels in {@code Host} when the JVM
 * runs with {@code -Djdk.httpclient.allowRestrictedHeaders=host}, otherwise in {@code x-forwarded-host} (the JDK
 * forbids setting {@code Host} and has no pluggable DNS). Any other host passes through untouched, unless
 * {@code outboundTrafficPolicy} is {@code REGISTRY_ONLY}. {@code sendAsync} never blocks a thread; {@code send} waits
 * on the caller's thread only. WebSockets and push promises are not meshed.
 */
public final class MeshHttpClient {
  private MeshHttpClient() {}

  /** A client that sends requests for mesh services through {@code mesh}. */
  public static HttpClient wrap(Mesh mesh, HttpClient client) {
    return client instanceof JdkMeshClient ? client : new JdkMeshClient(mesh, client);
  }
}
