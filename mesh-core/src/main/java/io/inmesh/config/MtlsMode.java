package io.inmesh.config;

/** Inbound mTLS modes, as Istio's PeerAuthentication. */
public enum MtlsMode {
  /** Inherit from the enclosing scope; at the top level this is PERMISSIVE (Istio). */
  UNSET,
  /** A client certificate from the trust bundle is required. */
  STRICT,
  /** mTLS and plaintext are both accepted on the same port. */
  PERMISSIVE,
  /** Plaintext only. */
  DISABLE
}
