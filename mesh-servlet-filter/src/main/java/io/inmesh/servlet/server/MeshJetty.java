package io.inmesh.servlet.server;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.pipeline.Direction;
import io.inmesh.telemetry.MeshTelemetry;
import io.inmesh.telemetry.TcpConnection;
import io.inmesh.tls.MeshTls;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty 12 connectors with the mesh's mTLS.
 *
 * <pre>{@code
 * Server server = new Server();
 * server.addConnector(MeshJetty.connector(server, mesh, 8443)); // mode from the mesh's PeerAuthentication
 * server.setHandler(servletContextHandler);
 * server.start();
 * }</pre>
 *
 * <ul>
 *   <li>STRICT: TLS only; the client must present a certificate that chains to the trust bundle and carries a SPIFFE
 *       ID, or the handshake fails.
 *   <li>PERMISSIVE: TLS (with the same client-certificate requirement) and plaintext HTTP on the same port: Jetty's
 *       {@link DetectorConnectionFactory} looks at the first bytes of each connection for a TLS ClientHello.
 *   <li>DISABLE: plaintext only.
 * </ul>
 *
 * <p>On TLS connections the servlet request carries {@code jakarta.servlet.request.X509Certificate}
 * ({@code request.isSecure()} is true); on plaintext ones it carries none. The SNI host check of
 * {@link SecureRequestCustomizer} is off: mesh peers are verified by SPIFFE ID, and the Host header names the
 * service, not a name in the server's certificate.
 */
public final class MeshJetty {
  private static final Logger log = LoggerFactory.getLogger(MeshJetty.class);

  private MeshJetty() {}

  /** A connector on {@code port} in the mode PeerAuthentication gives this workload for that port. */
  public static ServerConnector connector(Server server, Mesh mesh, int port) {
    MeshTls tls = MeshServers.tls(mesh);
    ServerConnector connector = connector(server, tls, MeshServers.mode(tls, port, log), port);
    MeshTelemetry telemetry = mesh.feature(MeshTelemetry.class);
    if (telemetry != null) {
      connector.addBean(new ConnectionMetrics(telemetry));
    }
    return connector;
  }

  /**
   * Reports accepted connections for {@code istio_tcp_connections_opened_total} / {@code _closed_total} with their
   * security policy: a TLS connection (client certificate required by the connector) is mutual TLS, a plain HTTP
   * connection is not. Jetty calls the listener for every connection object of the chain: the TLS layer and the HTTP
   * connection above it count once (the TLS one), the PERMISSIVE detector not at all.
   */
  static final class ConnectionMetrics implements Connection.Listener {
    private final MeshTelemetry telemetry;

    ConnectionMetrics(MeshTelemetry telemetry) {
      this.telemetry = telemetry;
    }

    private static @Nullable TcpConnection describe(Connection c) {
      if (c instanceof SslConnection) {
        return new TcpConnection(Direction.INBOUND, null, null, true);
      }
      // The HTTP connection over a TLS endpoint was counted as the TLS one; the PERMISSIVE detector is no connection
      // of its own (by class name: Jetty keeps both classes internal).
      if (!(c.getEndPoint() instanceof SslConnection.SslEndPoint) && !c.getClass().getName().contains("Detector")) {
        return new TcpConnection(Direction.INBOUND, null, null, false);
      }
      return null;
    }

    @Override
    public void onOpened(Connection connection) {
      TcpConnection t = describe(connection);
      if (t != null) {
        telemetry.connectionOpened(t);
      }
    }

    @Override
    public void onClosed(Connection connection) {
      TcpConnection t = describe(connection);
      if (t != null) {
        telemetry.connectionClosed(t);
      }
    }
  }

  /** A connector on {@code port} (0: any free port) in {@code mode}. */
  public static ServerConnector connector(Server server, MeshTls tls, MtlsMode mode, int port) {
    MeshServers.requireIdentity(tls, mode);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    secure(connector, tls, mode);
    connector.setHost("0.0.0.0");
    connector.setPort(port);
    return connector;
  }

  /**
   * Puts the mesh's TLS in front of the HTTP/1.1 factory of {@code connector} (one of this class's, or one another
   * framework built, such as Spring Boot's): STRICT serves TLS only, PERMISSIVE tells TLS from plaintext by the
   * first bytes of each connection, DISABLE leaves the connector as it is.
   */
  public static void secure(ServerConnector connector, MeshTls tls, MtlsMode mode) {
    if (mode == MtlsMode.UNSET) {
      throw new IllegalArgumentException("mode UNSET: resolve it first (PeerAuthentications)");
    }
    if (mode == MtlsMode.DISABLE) {
      return;
    }
    HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
    if (http == null) {
      throw new IllegalStateException("Jetty connector " + connector + " has no HTTP/1.1 connection factory");
    }
    http.getHttpConfiguration().addCustomizer(secureCustomizer());
    SslConnectionFactory ssl = new SslConnectionFactory(sslContextFactory(tls), http.getProtocol());
    // PERMISSIVE: what is not TLS goes on to the next factory, plain HTTP.
    ConnectionFactory first = mode == MtlsMode.PERMISSIVE ? new DetectorConnectionFactory(ssl) : ssl;
    connector.addFirstConnectionFactory(first);
    connector.setDefaultProtocol(first.getProtocol());
  }

  /**
   * Jetty's TLS configuration over the mesh's context: client certificate required, TLS 1.3 and 1.2, no host-name
   * checks. The context's key and trust managers read the current identity, so rotation needs nothing from Jetty.
   */
  public static SslContextFactory.Server sslContextFactory(MeshTls tls) {
    SslContextFactory.Server f = new SslContextFactory.Server();
    f.setSslContext(tls.sslContext());
    f.setNeedClientAuth(true);
    f.setIncludeProtocols(MeshTls.PROTOCOLS.toArray(new String[0]));
    f.setEndpointIdentificationAlgorithm(null);
    f.setSniRequired(false);
    return f;
  }

  private static SecureRequestCustomizer secureCustomizer() {
    SecureRequestCustomizer c = new SecureRequestCustomizer(false);
    c.setSniHostCheck(false);
    return c;
  }
}
