package io.inmesh.spring;

import io.inmesh.Mesh;
import io.inmesh.servlet.MeshServlet;
import io.inmesh.spring.internal.JettyMeshTls;
import io.inmesh.spring.internal.TomcatMeshTls;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The inbound side of a servlet application: the mesh's filter in front of every request, and the embedded server
 * (Tomcat or Jetty) serving with the mesh's mTLS.
 *
 * <p>Why not Spring Boot SSL bundles: Boot's Tomcat and Jetty take a bundle's key and trust <em>stores</em> (copies
 * of the keys), not its key and trust managers, and follow a rotation by rebuilding the connector's TLS configuration
 * when the bundle is replaced. The mesh's own {@code SSLContext} needs none of that: its managers read the current
 * identity on every handshake (so a rotation applies to the next one, and a handshake that straddles it still gets a
 * matching chain and key), and its trust manager also requires the peer's SPIFFE ID, which a trust store cannot
 * express. So the connectors are given that context, through the same helpers plain Tomcat and Jetty users call.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, MeshServlet.class, FilterRegistrationBean.class})
@ConditionalOnBean(Mesh.class)
public class MeshServletAutoConfiguration {
  /** Runs first but for Boot's character-encoding filter (which must precede anything that reads the request). */
  public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 1;

  /** The mesh's inbound pipeline (peer identity, path normalisation, authorization, rate limits) on every request. */
  @Bean
  @ConditionalOnMissingBean(name = "meshFilterRegistration")
  public FilterRegistrationBean<Filter> meshFilterRegistration(Mesh mesh) {
    FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(MeshServlet.filter(mesh));
    registration.setName("meshFilter");
    registration.setOrder(FILTER_ORDER);
    registration.addUrlPatterns("/*");
    registration.setDispatcherTypes(DispatcherType.REQUEST);
    return registration;
  }

  /** Tomcat (Boot's default container) with the mesh's mTLS. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory",
      "org.apache.catalina.connector.Connector", "io.inmesh.servlet.server.MeshTomcat"})
  @ConditionalOnBooleanProperty(name = "mesh.server.mtls", matchIfMissing = true)
  static class TomcatConfiguration {
    @Bean
    @ConditionalOnMissingBean
    TomcatMeshTls meshTomcatTls(Mesh mesh) {
      return new TomcatMeshTls(mesh);
    }
  }

  /** Jetty with the mesh's mTLS (PERMISSIVE included: TLS and plaintext on one port). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.boot.jetty.servlet.JettyServletWebServerFactory",
      "org.eclipse.jetty.server.Server", "io.inmesh.servlet.server.MeshJetty"})
  @ConditionalOnBooleanProperty(name = "mesh.server.mtls", matchIfMissing = true)
  static class JettyConfiguration {
    @Bean
    @ConditionalOnMissingBean
    JettyMeshTls meshJettyTls(Mesh mesh) {
      return new JettyMeshTls(mesh);
    }
  }
}
