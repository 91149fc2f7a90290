package io.inmesh.spring.internal;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.servlet.server.MeshTomcat;
import io.inmesh.tls.MeshTls;
import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Serves Boot's Tomcat connector with the mesh's mTLS. The TLS configuration is the one {@link MeshTomcat} builds:
 * Tomcat is handed the mesh's own {@code SSLContext} (whose key and trust managers read the current identity), so a
 * certificate rotation applies to the next handshake with no reload. PERMISSIVE is refused by {@code MeshTomcat}
 * with its reason (Tomcat decides TLS per port, not per connection).
 */
public final class TomcatMeshTls implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
  private final Mesh mesh;

  public TomcatMeshTls(Mesh mesh) {
    this.mesh = mesh;
  }

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    MeshTls tls = ServerTls.tls(mesh);
    MtlsMode mode = ServerTls.mode(tls, factory.getPort(), factory.getSsl());
    if (mode == MtlsMode.DISABLE) {
      return;
    }
    factory.addConnectorCustomizers(connector -> {
      Connector template = MeshTomcat.connector(tls, mode, connector.getPort());
      connector.setScheme(template.getScheme());
      connector.setSecure(template.getSecure());
      connector.setProperty("SSLEnabled", "true");
      for (SSLHostConfig host : template.findSslHostConfigs()) {
        connector.addSslHostConfig(host);
      }
    });
  }

  /** After Boot's own customizers, which set the port and server.ssl. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
