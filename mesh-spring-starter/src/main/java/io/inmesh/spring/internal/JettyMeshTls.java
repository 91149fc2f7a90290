package io.inmesh.spring.internal;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.servlet.server.MeshJetty;
import io.inmesh.tls.MeshTls;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Serves Boot's Jetty connectors with the mesh's mTLS: TLS over the mesh's own {@code SSLContext} (rotation applies
 * to the next handshake, no reload) in front of Boot's HTTP connection factory, which keeps its configuration.
 * PERMISSIVE serves TLS and plaintext on the same port by detecting the TLS ClientHello, as {@link MeshJetty} does.
 */
public final class JettyMeshTls implements WebServerFactoryCustomizer<JettyServletWebServerFactory>, Ordered {
  private final Mesh mesh;

  public JettyMeshTls(Mesh mesh) {
    this.mesh = mesh;
  }

  @Override
  public void customize(JettyServletWebServerFactory factory) {
    MeshTls tls = ServerTls.tls(mesh);
    MtlsMode mode = ServerTls.mode(tls, factory.getPort(), factory.getSsl());
    if (mode == MtlsMode.DISABLE) {
      return;
    }
    factory.addServerCustomizers(server -> {
      for (Connector c : server.getConnectors()) {
        if (c instanceof ServerConnector connector) {
          secure(connector, tls, mode);
        }
      }
    });
  }

  private static void secure(ServerConnector connector, MeshTls tls, MtlsMode mode) {
    HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
    if (http == null) {
      throw new IllegalStateException("Jetty connector " + connector + " has no HTTP/1.1 connection factory");
    }
    // Mesh peers are verified by SPIFFE ID: the Host header names the service, not a name in the certificate.
    SecureRequestCustomizer secure = new SecureRequestCustomizer(false);
    secure.setSniHostCheck(false);
    http.getHttpConfiguration().addCustomizer(secure);
    SslConnectionFactory ssl = new SslConnectionFactory(MeshJetty.sslContextFactory(tls), http.getProtocol());
    if (mode == MtlsMode.PERMISSIVE) {
      DetectorConnectionFactory detector = new DetectorConnectionFactory(ssl);
      connector.addFirstConnectionFactory(detector);
      connector.setDefaultProtocol(detector.getProtocol());
    } else {
      connector.addFirstConnectionFactory(ssl);
      connector.setDefaultProtocol(ssl.getProtocol());
    }
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
