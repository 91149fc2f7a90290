package io.inmesh.http.seeds;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.servlet.MeshServlet;
import io.inmesh.servlet.server.MeshJetty;
import io.inmesh.tls.MeshTls;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.EnumSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A meshed application: embedded Jetty whose connector serves the mTLS mode the mesh's PeerAuthentication gives it,
 * with the mesh's servlet filter in front of a servlet that answers every method with 200
 * {@code "<method> <path> by <principal>"} and records what reached it.
 */
final class MeshedServer implements AutoCloseable {
  private final Server server;
  private final Queue<String> reached = new ConcurrentLinkedQueue<>();

  private MeshedServer(Mesh mesh, ServerConnector connector, Server server) throws Exception {
    this.server = server;
    server.addConnector(connector);
    server.setStopTimeout(0); // no graceful drain: idle keep-alive connections would hold it
    ServletContextHandler context = new ServletContextHandler();
    context.addFilter(new FilterHolder(MeshServlet.filter(mesh)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Principal p = req.getUserPrincipal();
        String line = req.getMethod() + " " + req.getRequestURI() + " by " + (p == null ? "nobody" : p.getName());
        reached.add(line);
        resp.setContentType("text/plain");
        resp.getWriter().print(line);
      }
    }), "/*");
    server.setHandler(context);
    server.start();
  }

  /** A server on {@code port} in the mode the mesh's PeerAuthentication gives that port. */
  static MeshedServer start(Mesh mesh, int port) throws Exception {
    Server server = new Server();
    return new MeshedServer(mesh, MeshJetty.connector(server, mesh, port), server);
  }

  /** A server on any free port in {@code mode} (the mode the mesh gives another port, for instance). */
  static MeshedServer start(Mesh mesh, MtlsMode mode) throws Exception {
    Server server = new Server();
    return new MeshedServer(mesh, MeshJetty.connector(server, mesh.feature(MeshTls.class), mode, 0), server);
  }

  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** What reached the application, one line per request: {@code "<method> <path> by <principal>"}. */
  List<String> reached() {
    return List.copyOf(reached);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
