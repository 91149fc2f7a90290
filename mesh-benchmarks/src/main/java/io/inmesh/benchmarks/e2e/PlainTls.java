package io.inmesh.benchmarks.e2e;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The {@code raw-mtls} baseline's TLS: a plain JSSE {@link SSLContext} from the PEM files the dev CA issued (the same
 * CA, key type and certificates InMesh uses), with the JDK's own key and trust managers. Nothing of InMesh is used
 * here, so the baseline pays for the same crypto and nothing else.
 */
final class PlainTls {
  /** A context and its trust manager (OkHttp needs both). */
  record Context(SSLContext sslContext, X509TrustManager trustManager) {}

  private PlainTls() {}

  /** {@code prefix}-chain.pem, {@code prefix}-key.pem (PKCS#8) and {@code prefix}-bundle.pem. */
  static Context fromPem(String prefix) throws IOException, GeneralSecurityException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    Certificate[] chain = cf.generateCertificates(new ByteArrayInputStream(
        Files.readAllBytes(Path.of(prefix + "-chain.pem")))).toArray(new Certificate[0]);
    PrivateKey key = KeyFactory.getInstance(chain[0].getPublicKey().getAlgorithm())
        .generatePrivate(new PKCS8EncodedKeySpec(pemBlock(Path.of(prefix + "-key.pem"), "PRIVATE KEY")));
    char[] password = "benchmark".toCharArray(); // an in-memory key store only
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("workload", key, password, chain);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(
        Files.readAllBytes(Path.of(prefix + "-bundle.pem"))))) {
      trust.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return new Context(ctx, (X509TrustManager) tmf.getTrustManagers()[0]);
  }

  private static byte[] pemBlock(Path file, String type) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN " + type + "-----";
    int start = text.indexOf(begin);
    int end = text.indexOf("-----END " + type + "-----");
    if (start < 0 || end < 0) {
      throw new IOException(file + ": no " + type + " block");
    }
    return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
  }
}
