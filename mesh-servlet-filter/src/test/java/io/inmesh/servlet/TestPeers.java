package io.inmesh.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Stands in for an mTLS connector in plaintext tests: a filter in front of the mesh's that puts a real X.509 SVID
 * (generated with BouncyCastle, with the SPIFFE ID as its URI SAN) into the standard
 * {@code jakarta.servlet.request.X509Certificate} attribute, for requests carrying the test-only header
 * {@code x-test-peer: spiffe://...}. Test code only: nothing in the library honours that header.
 */
final class TestPeers {
  static final String HEADER = "x-test-peer";
  private static final Map<String, X509Certificate> CERTS = new ConcurrentHashMap<>();
  private static final AtomicLong SERIAL = new AtomicLong(1);

  private TestPeers() {}

  static Filter filter() {
    return (req, res, chain) -> {
      String id = ((HttpServletRequest) req).getHeader(HEADER);
      if (id != null) {
        req.setAttribute("jakarta.servlet.request.X509Certificate", new X509Certificate[] {certificate(id)});
      }
      chain.doFilter(req, res);
    };
  }

  /** A self-signed certificate whose only URI SAN is {@code uri}. */
  static X509Certificate certificate(String uri) {
    return CERTS.computeIfAbsent(uri, u -> {
      try {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(256);
        KeyPair kp = kpg.generateKeyPair();
        X500Name name = new X500Name("O=inmesh-test");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
            BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(now.minus(1, ChronoUnit.HOURS)),
            Date.from(now.plus(1, ChronoUnit.HOURS)), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, true,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
        return new JcaX509CertificateConverter()
            .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
