package io.inmesh.tls.internal;

import io.inmesh.tls.SpiffeId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Issues X.509 certificates with BouncyCastle: EC P-256 keys, ECDSA-SHA256 signatures, SPIFFE X.509-SVID profile
 * for leaves (one {@code spiffe://} URI SAN, not a CA, digitalSignature, serverAuth and clientAuth). Used by the dev
 * CA, by {@code mesh cert issue}, and by tests that need odd certificates (expired, without a SPIFFE ID).
 */
public final class Certificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

  /** A new EC P-256 key pair. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available in this JDK", e);
    }
  }

  /** A self-signed root CA certificate. */
  public static X509Certificate selfSignedCa(KeyPair keys, String commonName, Instant notBefore, Instant notAfter) {
    X500Name name = new X500Name("CN=" + commonName + ",O=InMesh");
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(notBefore),
          Date.from(notAfter), name, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return sign(b, keys.getPrivate());
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot create CA certificate", e);
    }
  }

  /**
   * A leaf certificate for {@code subjectKey}, signed by the issuer. {@code spiffeId} null gives a certificate without
   * a URI SAN (for tests of the rejection); the subject then carries {@code commonName} only.
   */
  public static X509Certificate leaf(X509Certificate issuer, PrivateKey issuerKey, PublicKey subjectKey,
      @Nullable SpiffeId spiffeId, Instant notBefore, Instant notAfter) {
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      // SPIFFE X.509-SVID: the identity is the URI SAN; the subject is informational only.
      X500Name subject = new X500Name("O=InMesh");
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore),
          Date.from(notAfter), subject, subjectKey)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
      if (spiffeId != null) {
        b.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId.toString())));
      }
      return sign(b, issuerKey);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot issue certificate for " + spiffeId, e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(key)).build(key);
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with a " + key.getAlgorithm() + " key", e);
    }
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("unsupported CA key algorithm " + key.getAlgorithm());
    };
  }

  private static BigInteger serial() {
    // 127 random bits: positive, unique in practice, and within RFC 5280's 20-octet limit.
    return new BigInteger(127, RANDOM).setBit(126);
  }
}
