package io.inmesh.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A workload's X.509 SVID: its certificate chain (leaf first), the leaf's private key, and the trust bundle that
 * peers' certificates are verified against. The private key stays in memory; {@link #toString()} never shows it.
 */
public final class WorkloadCertificate {
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;
  private final List<X509Certificate> trustBundle;
  private final SpiffeId spiffeId;

  /**
   * @throws IllegalArgumentException when the chain or the bundle is empty, or the leaf has no (or more than one)
   *     SPIFFE ID
   */
  public WorkloadCertificate(List<X509Certificate> chain, PrivateKey privateKey, List<X509Certificate> trustBundle) {
    this.chain = List.copyOf(chain);
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.trustBundle = List.copyOf(trustBundle);
    if (this.chain.isEmpty()) {
      throw new IllegalArgumentException("empty certificate chain");
    }
    if (this.trustBundle.isEmpty()) {
      throw new IllegalArgumentException("empty trust bundle");
    }
    SpiffeId id = SpiffeId.fromCertificate(this.chain.get(0));
    if (id == null) {
      throw new IllegalArgumentException("certificate " + this.chain.get(0).getSubjectX500Principal()
          + " has no SPIFFE ID (expected: exactly one URI SAN spiffe://<trust-domain>/<path>)");
    }
    this.spiffeId = id;
  }

  /** The certificate chain, leaf first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The leaf certificate. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The leaf's private key. Never log it. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The CA certificates that peers' certificates must chain to. */
  public List<X509Certificate> trustBundle() {
    return trustBundle;
  }

  /** The identity the leaf certifies. */
  public SpiffeId spiffeId() {
    return spiffeId;
  }

  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** The leaf's serial number in hex, for logs. */
  public String serial() {
    return leaf().getSerialNumber().toString(16);
  }

  @Override
  public String toString() {
    return "WorkloadCertificate[" + spiffeId + ", serial=" + serial() + ", notAfter=" + notAfter() + ", chain="
        + chain.size() + ", bundle=" + trustBundle.size() + ", privateKey=<redacted>]";
  }
}
