package io.inmesh.servlet.server;

import io.inmesh.tls.MeshTls;
import io.inmesh.tls.WorkloadCertificate;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import org.apache.tomcat.util.net.SSLContext;

/**
 * Tomcat's view of the mesh's context. Given to {@code SSLHostConfigCertificate.setSslContext}, it makes Tomcat skip
 * building its own context from key stores, so every engine Tomcat creates comes from the one mesh context whose key
 * and trust managers follow rotation.
 */
final class TomcatSslContext implements SSLContext {
  private final MeshTls tls;

  TomcatSslContext(MeshTls tls) {
    this.tls = tls;
  }

  @Override
  public void init(KeyManager[] kms, TrustManager[] tms, SecureRandom sr) {
    // Already initialised with the mesh's managers; Tomcat does not call this for a context it was given.
  }

  @Override
  public void destroy() {
    // The mesh owns the context: a stopping connector must not tear it down.
  }

  @Override
  public SSLSessionContext getServerSessionContext() {
    return tls.sslContext().getServerSessionContext();
  }

  @Override
  public SSLEngine createSSLEngine() {
    return tls.sslContext().createSSLEngine();
  }

  @Override
  public SSLServerSocketFactory getServerSocketFactory() {
    return tls.sslContext().getServerSocketFactory();
  }

  @Override
  public SSLParameters getSupportedSSLParameters() {
    return tls.sslContext().getSupportedSSLParameters();
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    WorkloadCertificate c = tls.certificate();
    return c == null ? new X509Certificate[0] : c.chain().toArray(new X509Certificate[0]);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return tls.trustManager().getAcceptedIssuers();
  }
}
