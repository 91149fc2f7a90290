package io.inmesh.tls.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads and writes PEM: certificates, and private keys in every form cert-manager, SPIRE, Vault and openssl write
 * (PKCS#8 {@code PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}). Key files are written
 * with mode 0600 from their first byte: a temporary file created with that mode, then renamed over the target.
 */
public final class Pem {
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private Pem() {}

  /** Every certificate in {@code text}, in order. */
  public static List<X509Certificate> parseCertificates(String text) throws CertificateException {
    List<X509Certificate> out = new ArrayList<>();
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    for (var c : cf.generateCertificates(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  /** Every certificate in the file; an {@link IOException} naming the file when there is none. */
  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    try {
      List<X509Certificate> certs = parseCertificates(Files.readString(file, StandardCharsets.US_ASCII));
      if (certs.isEmpty()) {
        throw new IOException(file + ": no PEM certificate in the file");
      }
      return certs;
    } catch (CertificateException e) {
      throw new IOException(file + ": not a PEM certificate file (" + e.getMessage() + ")", e);
    }
  }

  /** The first private key in the file. The exception never quotes the file's content. */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    try (Reader reader = new StringReader(Files.readString(file, StandardCharsets.US_ASCII));
        PEMParser parser = new PEMParser(reader)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    } catch (IOException | RuntimeException e) {
      // BouncyCastle messages may describe the content; name the file only.
      throw new IOException(file + ": not a readable PEM private key (" + e.getClass().getSimpleName() + ")");
    }
    throw new IOException(file + ": no PEM private key in the file (expected: PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
  }

  /** PEM text of certificates. */
  public static String certificates(List<X509Certificate> certificates) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : certificates) {
      try {
        block(sb, "CERTIFICATE", c.getEncoded());
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalArgumentException("cannot encode certificate " + c.getSubjectX500Principal(), e);
      }
    }
    return sb.toString();
  }

  /** Writes certificates (mode as the umask gives: they are public). */
  public static void writeCertificates(Path file, List<X509Certificate> certificates) throws IOException {
    writeAtomically(file, certificates(certificates).getBytes(StandardCharsets.US_ASCII), false);
  }

  /** Writes a PKCS#8 private key with mode 0600. */
  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    StringBuilder sb = new StringBuilder();
    block(sb, "PRIVATE KEY", key.getEncoded());
    writeAtomically(file, sb.toString().getBytes(StandardCharsets.US_ASCII), true);
  }

  private static void block(StringBuilder sb, String type, byte[] der) {
    sb.append("-----BEGIN ").append(type).append("-----\n");
    sb.append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der));
    sb.append("\n-----END ").append(type).append("-----\n");
  }

  private static void writeAtomically(Path file, byte[] content, boolean secret) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = POSIX && secret
        ? Files.createTempFile(dir, ".inmesh-", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(dir, ".inmesh-", ".tmp");
    try {
      Files.write(tmp, content);
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
