package io.inmesh.pipeline;

import org.jspecify.annotations.Nullable;

/**
 * A transport-neutral response: the status and headers the pipelines look at, and the adapter's own response object
 * (an OkHttp {@code Response}, a JDK {@code HttpResponse}) that the adapter hands back to the application. Responses
 * the mesh makes up itself (a fault abort, a 403) have no transport response.
 *
 * @param status the HTTP status
 * @param headers the response headers
 * @param transportResponse the adapter's response, or null for a response the mesh synthesised
 */
public record MeshResponse(int status, MeshHeaders headers, @Nullable Object transportResponse) {

  /** A response the mesh synthesised, with no body of the upstream's. */
  public static MeshResponse synthesized(int status) {
    return new MeshResponse(status, MeshHeaders.empty(), null);
  }

  /** A response the mesh synthesised with headers. */
  public static MeshResponse synthesized(int status, MeshHeaders headers) {
    return new MeshResponse(status, headers, null);
  }

  /** True when the mesh made this response up rather than receiving it from an upstream. */
  public boolean isSynthesized() {
    return transportResponse == null;
  }

  /**
   * Releases the connection of a response nobody will read (a retried one, a mirror's, one that came after its
   * request ended): the transport's response is closed when it can be (OkHttp's); others need nothing. Best effort.
   */
  public void discard() {
    if (transportResponse instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception ignored) {
        // the response is discarded either way
      }
    }
  }
}
