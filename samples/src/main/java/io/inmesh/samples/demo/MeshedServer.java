package io.inmesh.samples.demo;

import io.inmesh.Mesh;
import io.inmesh.servlet.MeshServlet;
import io.inmesh.servlet.server.MeshJetty;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The plain-servlet integration path: embedded Jetty 12 with the mesh's connector (STRICT mTLS from the
 * configuration's PeerAuthentication for this port) and the mesh's filter in front of every path.
 */
final class MeshedServer implements AutoCloseable {
  private final Server server;

  private MeshedServer(Server server) {
    this.server = server;
  }

  static MeshedServer start(String instance, Mesh mesh, int port, HttpServlet application) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(48, 2);
    threads.setName(instance);
    Server server = new Server(threads);
    ServerConnector connector = MeshJetty.connector(server, mesh, port);
    connector.setHost("127.0.0.1"); // the demo is for this machine only
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addFilter(new FilterHolder(MeshServlet.filter(mesh)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(application), "/*");
    server.setHandler(context);
    server.setStopTimeout(0); // no graceful wait: the demo stops its load and drains it before stopping servers
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    return new MeshedServer(server);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
