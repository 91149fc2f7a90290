package io.inmesh.tls.internal;

import io.inmesh.tls.WorkloadCertificate;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The checks a certificate passes before InMesh uses it or trusts a peer presenting it. */
public final class CertificateChecks {
  private static final SecureRandom RANDOM = new SecureRandom();

  private CertificateChecks() {}

  /**
   * Checks a workload certificate at load: key matches the leaf, every certificate of the chain is valid now, and the
   * chain leads to the trust bundle. The SPIFFE ID was checked when the value was made.
   */
  public static void check(WorkloadCertificate wc, Instant now, String source) throws IOException {
    checkKeyMatches(wc.leaf(), wc.privateKey(), source);
    try {
      validatePath(wc.chain(), anchors(wc.trustBundle()), now);
    } catch (CertificateException e) {
      throw new IOException(source + ": " + e.getMessage(), e);
    }
  }

  /** Proves possession: signs random bytes with the key and verifies them with the certificate's public key. */
  public static void checkKeyMatches(X509Certificate cert, PrivateKey key, String source) throws IOException {
    String alg = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IOException(source + ": unsupported key algorithm " + key.getAlgorithm());
    };
    if (!key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm())) {
      throw new IOException(source + ": the private key (" + key.getAlgorithm()
          + ") does not match the certificate (" + cert.getPublicKey().getAlgorithm() + ")");
    }
    byte[] data = new byte[32];
    RANDOM.nextBytes(data);
    try {
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      s.initVerify(cert.getPublicKey());
      s.update(data);
      if (!s.verify(sig)) {
        throw new IOException(source + ": the private key does not match the certificate's public key");
      }
    } catch (GeneralSecurityException e) {
      throw new IOException(source + ": the private key does not match the certificate's public key ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  /** Trust anchors of a bundle. */
  public static Set<TrustAnchor> anchors(List<X509Certificate> bundle) {
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate c : bundle) {
      anchors.add(new TrustAnchor(c, null));
    }
    return anchors;
  }

  /**
   * PKIX validation of {@code chain} (leaf first; a trailing copy of the root is tolerated) against {@code anchors} at
   * {@code now}, without revocation checks (mesh certificates are short-lived instead). Messages name the failing
   * certificate and the reason (expired, unknown issuer...).
   */
  public static void validatePath(List<X509Certificate> chain, Set<TrustAnchor> anchors, Instant now)
      throws CertificateException {
    if (chain.isEmpty()) {
      throw new CertificateException("empty certificate chain");
    }
    X509Certificate leaf = chain.get(0);
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      throw new CertificateException("certificate " + describe(leaf) + " expired at " + leaf.getNotAfter().toInstant());
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      throw new CertificateException("certificate " + describe(leaf) + " is not valid before "
          + leaf.getNotBefore().toInstant());
    }
    List<X509Certificate> path = chain;
    X509Certificate last = chain.get(chain.size() - 1);
    if (chain.size() > 1 && anchors.stream().anyMatch(a -> a.getTrustedCert().equals(last))) {
      path = chain.subList(0, chain.size() - 1);
    }
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    } catch (CertPathValidatorException e) {
      throw new CertificateException("certificate " + describe(leaf) + " does not chain to the trust bundle: "
          + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("cannot validate certificate " + describe(leaf) + ": " + e.getMessage(), e);
    }
  }

  /** The SPIFFE ID, or else the subject, of a certificate, with its serial: for messages. */
  public static String describe(X509Certificate c) {
    var id = io.inmesh.tls.SpiffeId.fromCertificate(c);
    return (id != null ? id.toString() : c.getSubjectX500Principal().getName()) + " (serial "
        + c.getSerialNumber().toString(16) + ")";
  }
}
