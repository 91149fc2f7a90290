package io.inmesh.benchmarks.e2e;

import io.inmesh.Mesh;
import io.inmesh.servlet.MeshServlet;
import io.inmesh.servlet.server.MeshJetty;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;

/**
 * The system under test's application process: one servlet ({@code GET /api/payload/SIZE} answers SIZE bytes) on
 * embedded Jetty 12, in one of three shapes:
 *
 * <ul>
 *   <li>{@code plain PORT}: a plaintext connector, no mesh ({@code raw-plain}, and the app behind the sidecars);
 *   <li>{@code mtls PORT PEM_PREFIX}: a TLS 1.3 connector requiring a client certificate, from the dev CA's PEM files
 *       with plain JSSE ({@code raw-mtls});
 *   <li>{@code inmesh PORT MESH_YAML}: workload {@code api-service}: {@link MeshJetty#connector} (STRICT mTLS from
 *       the configuration) and {@link MeshServlet#filter} in front of the same servlet ({@code inmesh}).
 * </ul>
 *
 * <p>Prints {@code READY} when it accepts connections and stops when its standard input closes. Run by
 * {@link E2eRun}, never by hand.
 */
public final class E2eApp {
  private E2eApp() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    Server server = new Server();
    Mesh mesh = null;
    ServletContextHandler context = new ServletContextHandler();
    switch (mode) {
      case "plain" -> server.addConnector(plainConnector(server, port));
      case "mtls" -> server.addConnector(mtlsConnector(server, port, PlainTls.fromPem(args[2])));
      case "inmesh" -> {
        mesh = Mesh.builder().workload("api-service").label("app", "api-service").config(Path.of(args[2]))
            .watch(false).build();
        server.addConnector(MeshJetty.connector(server, mesh, port));
        context.addFilter(new FilterHolder(MeshServlet.filter(mesh)), "/*", EnumSet.of(DispatcherType.REQUEST));
      }
      default -> throw new IllegalArgumentException("mode: " + mode + " (expected: plain, mtls or inmesh)");
    }
    // Jetty closes connections idle for 30 s by default. The client's pool keeps the connections it opened in the
    // closed-loop warm-up; at 200 rps some sit idle that long, are closed, and their replacements' TLS handshakes
    // (resumption code never run before) set off class loading, deoptimisation and a JIT burst in both JVMs in
    // the middle of a measured row, in any variant. Connections stay open for the whole run, as the nginx pair's do.
    for (Connector c : server.getConnectors()) {
      if (c instanceof AbstractConnector connector) {
        connector.setIdleTimeout(TimeUnit.MINUTES.toMillis(10));
      }
    }
    context.addServlet(new ServletHolder(new PayloadServlet()), "/*");
    server.setHandler(context);
    server.start();
    System.out.println("READY");
    System.out.flush();
    // The orchestrator closes our stdin (or dies): stop.
    while (System.in.read() >= 0) {
      // nothing is sent on stdin; wait for its end
    }
    server.stop();
    if (mesh != null) {
      mesh.close();
    }
  }

  private static ServerConnector plainConnector(Server server, int port) {
    ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(httpConfig(false)));
    c.setHost("127.0.0.1");
    c.setPort(port);
    return c;
  }

  /** The same TLS settings as {@link MeshJetty}'s STRICT connector, over the JDK's own key and trust managers. */
  private static ServerConnector mtlsConnector(Server server, int port, PlainTls.Context tls) {
    SslContextFactory.Server f = new SslContextFactory.Server();
    f.setSslContext(tls.sslContext());
    f.setNeedClientAuth(true);
    f.setIncludeProtocols("TLSv1.3");
    f.setEndpointIdentificationAlgorithm(null);
    f.setSniRequired(false);
    HttpConnectionFactory http = new HttpConnectionFactory(httpConfig(true));
    ServerConnector c = new ServerConnector(server, new SslConnectionFactory(f, http.getProtocol()), http);
    c.setHost("127.0.0.1");
    c.setPort(port);
    return c;
  }

  private static HttpConfiguration httpConfig(boolean secure) {
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    if (secure) {
      SecureRequestCustomizer src = new SecureRequestCustomizer(false);
      src.setSniHostCheck(false); // the certificate carries a SPIFFE ID, no DNS name
      config.addCustomizer(src);
    }
    return config;
  }

  /** {@code GET /api/payload/SIZE}: SIZE bytes (at most 1 MiB) from a cached array; anything else 404. */
  static final class PayloadServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient ConcurrentHashMap<Integer, byte[]> bodies = new ConcurrentHashMap<>();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] body = body(req.getRequestURI());
      if (body == null) {
        resp.sendError(404);
        return;
      }
      resp.setContentType("application/octet-stream");
      resp.setContentLength(body.length);
      resp.getOutputStream().write(body);
    }

    private byte @Nullable [] body(String uri) {
      String prefix = "/api/payload/";
      if (!uri.startsWith(prefix)) {
        return null;
      }
      int size;
      try {
        size = Integer.parseInt(uri.substring(prefix.length()));
      } catch (NumberFormatException e) {
        return null;
      }
      if (size < 0 || size > (1 << 20)) {
        return null;
      }
      return bodies.computeIfAbsent(size, n -> {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'x');
        return b;
      });
    }
  }
}
