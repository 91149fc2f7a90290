package io.inmesh.servlet;

import io.inmesh.Mesh;
import jakarta.servlet.Filter;

/**
 * Puts the mesh's inbound pipeline in front of a servlet application (any jakarta servlet 6 container: Tomcat 11,
 * Jetty 12, Undertow...):
 *
 * <pre>{@code
 * FilterRegistration.Dynamic f = servletContext.addFilter("mesh", MeshServlet.filter(mesh));
 * f.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
 * }</pre>
 *
 * <p>Map it first, to every path, for REQUEST dispatches. Each request goes through peer identity (the client
 * certificate the container verified), path normalisation, authorization and rate limits; a rejected request gets a
 * short plain-text response (400, 403, 429, or 504 from a deadline stage) and never reaches the application. The
 * application sees the peer's identity as {@link jakarta.servlet.http.HttpServletRequest#getUserPrincipal()} (its
 * name is the SPIFFE ID) and in the request attributes named here, which the request the filter passes down the
 * chain answers (as do forwards, includes and error dispatches of it); they are not copied into the container's own
 * attribute map.
 */
public final class MeshServlet {
  /** Request attribute: the peer's {@link io.inmesh.tls.SpiffeId}, when it presented an SVID. */
  public static final String PEER_SPIFFE_ID = "io.inmesh.peer.spiffeId";
  /** Request attribute: the peer's principal in Istio form ({@code cluster.local/ns/default/sa/x}). */
  public static final String PEER_PRINCIPAL = "io.inmesh.peer.principal";
  /** Request attribute: the normalised path that authorization judged. */
  public static final String NORMALIZED_PATH = "io.inmesh.inbound.normalizedPath";
  /** Request attribute: the {@link io.inmesh.authz.AuthorizationDecision} that let the request in. */
  public static final String AUTHORIZATION = "io.inmesh.authz.decision";

  private MeshServlet() {}

  /** A filter running {@code mesh}'s inbound pipeline; it does not close the mesh. */
  public static Filter filter(Mesh mesh) {
    return new MeshServletFilter(mesh);
  }
}
