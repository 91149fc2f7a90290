package io.inmesh.config;

/** Inbound mTLS modes, as Istio's PeerAuthentication. */
public enum MtlsMode {
  /**
   * Inherit from the enclosing scope (workload, then namespace, then mesh-wide); with nothing to inherit,
   * {@code mesh.defaults.mtlsMode} (InMesh: STRICT); UNSET there means PERMISSIVE, as at Istio's top level.
   */
  UNSET,
  /** A client certificate from the trust bundle is required. */
  STRICT,
  /** mTLS and plaintext are both accepted on the same port. */
  PERMISSIVE,
  /** Plaintext only. */
  DISABLE
}
