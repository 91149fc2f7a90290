package io.inmesh.servlet.server;

import io.inmesh.Mesh;
import io.inmesh.config.MtlsMode;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.MtlsDecision;
import org.slf4j.Logger;

/** What both container helpers share: finding the mesh's TLS and the port's mode. */
final class MeshServers {
  private MeshServers() {}

  static MeshTls tls(Mesh mesh) {
    MeshTls tls = mesh.feature(MeshTls.class);
    if (tls == null) {
      throw new IllegalStateException("this mesh has no MeshTls feature");
    }
    return tls;
  }

  /** The port's mode from PeerAuthentication, logged once at start-up with the policy that decided it. */
  static MtlsMode mode(MeshTls tls, int port, Logger log) {
    MtlsDecision d = tls.inboundMode(port);
    log.info("inbound port {}: mTLS {} (decided by {})", port, d.mode(),
        d.policy() != null ? "PeerAuthentication " + d.policy() : "mesh.defaults.mtlsMode");
    return d.mode();
  }

  static void requireIdentity(MeshTls tls, MtlsMode mode) {
    if (mode != MtlsMode.DISABLE && tls.certificate() == null) {
      throw new IllegalStateException("inbound mode " + mode + " needs a workload identity, and there is none: "
          + tls.status().lastError());
    }
  }
}
