package io.inmesh.spring.internal;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.MtlsDecision;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.Ssl;

/** What the Tomcat and Jetty customizers share: the mesh's TLS, the port's mode, and the server.ssl conflict. */
final class ServerTls {
  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  private ServerTls() {}

  static MeshTls tls(Mesh mesh) {
    MeshTls tls = mesh.feature(MeshTls.class);
    if (tls == null) {
      throw new IllegalStateException("this mesh has no MeshTls feature; set mesh.server.mtls=false");
    }
    return tls;
  }

  /**
   * The mode PeerAuthentication gives this workload on {@code port} (0: a random port, no port-level policy); fails
   * when it needs TLS and there is no identity, or when {@code server.ssl} configures TLS as well.
   */
  static MtlsMode mode(MeshTls tls, int port, @Nullable Ssl ssl) {
    MtlsDecision d = tls.inboundMode(port);
    if (d.mode() != MtlsMode.DISABLE && ssl != null && ssl.isEnabled()) {
      throw new IllegalStateException("both server.ssl.* and the mesh (mTLS " + d.mode() + ") configure the "
          + "embedded server's TLS; remove server.ssl.*, or set mesh.server.mtls=false to keep it");
    }
    if (d.mode() != MtlsMode.DISABLE && tls.certificate() == null) {
      throw new IllegalStateException("inbound mode " + d.mode() + " needs a workload identity, and there is none: "
          + tls.status().lastError());
    }
    log.info("embedded server port {}: mesh mTLS {} (decided by {})", port, d.mode(),
        d.policy() != null ? "PeerAuthentication " + d.policy() : "mesh.defaults.mtlsMode");
    return d.mode();
  }
}
