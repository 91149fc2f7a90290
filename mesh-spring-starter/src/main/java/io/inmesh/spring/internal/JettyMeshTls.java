package io.inmesh.spring.internal;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.servlet.server.MeshJetty;
import io.inmesh.tls.MeshTls;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
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
          MeshJetty.secure(connector, tls, mode);
        }
      }
    });
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
