package io.inmesh.servlet;

import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * A servlet request as the pipeline sees it. The path is {@code getRequestURI()}: the path as the client sent it,
 * undecoded and unnormalised (with the context path), which the mesh normalises itself.
 */
final class ServletMeshRequest implements MeshRequest {
  private final HttpServletRequest request;
  private @Nullable MeshHeaders headers;

  ServletMeshRequest(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String scheme() {
    return request.getScheme();
  }

  @Override
  public String authority() {
    String host = request.getHeader("host");
    return host != null && !host.isEmpty() ? host : request.getServerName() + ":" + request.getServerPort();
  }

  @Override
  public String path() {
    return request.getRequestURI();
  }

  @Override
  public @Nullable String query() {
    return request.getQueryString();
  }

  @Override
  public MeshHeaders headers() {
    MeshHeaders h = headers;
    if (h == null) {
      h = headers = ServletHeaders.of(request);
    }
    return h;
  }
}
