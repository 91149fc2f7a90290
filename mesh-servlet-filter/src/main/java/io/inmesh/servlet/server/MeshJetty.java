package io.inmesh.servlet.server;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.tls.MeshTls;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
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
    return connector(server, tls, MeshServers.mode(tls, port, log), port);
  }

  /** A connector on {@code port} (0: any free port) in {@code mode}. */
  public static ServerConnector connector(Server server, MeshTls tls, MtlsMode mode, int port) {
    MeshServers.requireIdentity(tls, mode);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    HttpConnectionFactory http = new HttpConnectionFactory(config);
    ServerConnector connector = switch (mode) {
      case DISABLE -> new ServerConnector(server, http);
      case STRICT -> {
        config.addCustomizer(secureCustomizer());
        yield new ServerConnector(server, new SslConnectionFactory(sslContextFactory(tls), http.getProtocol()),
            http);
      }
      case PERMISSIVE -> {
        config.addCustomizer(secureCustomizer());
        SslConnectionFactory ssl = new SslConnectionFactory(sslContextFactory(tls), http.getProtocol());
        // Not TLS: the detector hands the connection to the next factory, plain HTTP.
        yield new ServerConnector(server, new DetectorConnectionFactory(ssl), http);
      }
      case UNSET -> throw new IllegalArgumentException("mode UNSET: resolve it first (PeerAuthentications)");
    };
    connector.setHost("0.0.0.0");
    connector.setPort(port);
    return connector;
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
