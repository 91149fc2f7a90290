package io.inmesh.servlet;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/** The application: answers 200 to everything and records what it saw of each request. */
final class RecordingServlet extends HttpServlet {
  /**
   * What the application saw.
   *
   * @param path context path + servlet path + path info (what a servlet framework routes on)
   * @param judged the normalised path authorization judged (the request attribute)
   * @param principal getUserPrincipal().getName(), or null
   * @param spiffeAttribute the peer SPIFFE ID attribute, as a string, or null
   */
  record Seen(String path, @Nullable String judged, @Nullable String principal, @Nullable String spiffeAttribute,
      @Nullable String authType) {}

  final Queue<Seen> seen = new ConcurrentLinkedQueue<>();

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
    if ("/boom".equals(req.getPathInfo())) {
      throw new IllegalStateException("application failure");
    }
    if (req.getPathInfo() != null && req.getPathInfo().startsWith("/forward/")) {
      req.getRequestDispatcher("/forwarded/" + req.getPathInfo().substring("/forward/".length())).forward(req, resp);
      return;
    }
    Principal p = req.getUserPrincipal();
    Object spiffe = req.getAttribute(MeshServlet.PEER_SPIFFE_ID);
    String path = req.getContextPath() + req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    seen.add(new Seen(path, (String) req.getAttribute(MeshServlet.NORMALIZED_PATH), p == null ? null : p.getName(),
        spiffe == null ? null : spiffe.toString(), req.getAuthType()));
    resp.setContentType("text/plain");
    resp.getWriter().print("served " + path);
  }
}
