package io.inmesh.servlet.server;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.tls.MeshTls;
import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat 11 connectors with the mesh's mTLS.
 *
 * <pre>{@code
 * Tomcat tomcat = new Tomcat();
 * Connector connector = MeshTomcat.connector(mesh, 8443);  // mode from the mesh's PeerAuthentication
 * tomcat.setConnector(connector);
 * tomcat.getService().addConnector(connector);
 * tomcat.start();
 * }</pre>
 *
 * <p>STRICT: TLS with a required client certificate (chained to the trust bundle, with a SPIFFE ID). DISABLE:
 * plaintext. The TLS context is the mesh's own (given to Tomcat through
 * {@code SSLHostConfigCertificate.setSslContext}), so a rotation applies to the next handshake without a reload.
 *
 * <p><b>PERMISSIVE is not available on Tomcat</b> and is refused with an explanation. Tomcat decides TLS or plaintext
 * per endpoint, not per connection: a TLS-enabled NIO endpoint wraps every accepted socket in a
 * {@code SecureNioChannel}, whose SNI pre-read ({@code TLSClientHelloExtractor}) recognises a plaintext HTTP request
 * only to answer it with "400 This combination of host and port requires TLS" and close. There is no hook to hand such
 * a connection to a plaintext channel short of replacing {@code NioEndpoint}'s accept path. Use Jetty
 * ({@link MeshJetty}) for PERMISSIVE on one port, or run a STRICT and a DISABLE Tomcat connector on two ports.
 */
public final class MeshTomcat {
  private static final Logger log = LoggerFactory.getLogger(MeshTomcat.class);

  private MeshTomcat() {}

  /** A connector on {@code port} in the mode PeerAuthentication gives this workload for that port. */
  public static Connector connector(Mesh mesh, int port) {
    MeshTls tls = MeshServers.tls(mesh);
    return connector(tls, MeshServers.mode(tls, port, log), port);
  }

  /** A connector on {@code port} (0: any free port) in {@code mode}; PERMISSIVE is refused (see the class doc). */
  public static Connector connector(MeshTls tls, MtlsMode mode, int port) {
    MeshServers.requireIdentity(tls, mode);
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(port);
    connector.setXpoweredBy(false);
    switch (mode) {
      case DISABLE -> {
        return connector;
      }
      case STRICT -> {
        connector.setScheme("https");
        connector.setSecure(true);
        connector.setProperty("SSLEnabled", "true");
        SSLHostConfig host = new SSLHostConfig();
        host.setCertificateVerification("required");
        host.setProtocols(String.join(",", MeshTls.PROTOCOLS));
        SSLHostConfigCertificate certificate =
            new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
        certificate.setSslContext(new TomcatSslContext(tls));
        host.addCertificate(certificate);
        connector.addSslHostConfig(host);
        return connector;
      }
      case PERMISSIVE -> throw new UnsupportedOperationException("PERMISSIVE (TLS and plaintext on one port) is not "
          + "available on Tomcat: it decides TLS per endpoint, and answers plaintext on a TLS port with a 400. Use "
          + "MeshJetty for PERMISSIVE, or a STRICT and a DISABLE Tomcat connector on two ports.");
      default -> throw new IllegalArgumentException("mode UNSET: resolve it first (PeerAuthentications)");
    }
  }
}
