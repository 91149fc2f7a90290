package io.inmesh.tls.internal;

import io.inmesh.tls.SpiffeId;
import io.inmesh.tls.WorkloadCertificate;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The development certificate authority: a root key and certificate in a directory ({@value #CERT_FILE},
 * {@value #KEY_FILE}, the key with mode 0600). Issues workload certificates; keeps its key in memory only while
 * loaded. Not for production: anyone who can read the key can mint any identity.
 */
public final class DevCa {
  public static final String CERT_FILE = "ca.crt";
  public static final String KEY_FILE = "ca.key";
  /** The root's lifetime: long enough never to matter for development. */
  public static final Duration CA_LIFETIME = Duration.ofDays(3650);
  /** Certificates are dated back by this much so that a peer whose clock is a little behind still accepts them. */
  static final Duration BACKDATE = Duration.ofMinutes(1);

  private final Path directory;
  private final X509Certificate certificate;
  private final PrivateKey key;

  private DevCa(Path directory, X509Certificate certificate, PrivateKey key) {
    this.directory = directory;
    this.certificate = certificate;
    this.key = key;
  }

  /** Creates a new CA in {@code directory}; refuses to overwrite an existing one. */
  public static DevCa init(Path directory, Instant now) throws IOException {
    Path dir = directory.toAbsolutePath().normalize();
    for (String f : List.of(CERT_FILE, KEY_FILE)) {
      if (Files.exists(dir.resolve(f))) {
        throw new FileAlreadyExistsException(dir.resolve(f).toString(), null,
            "a CA already exists there; remove it first to create a new one");
      }
    }
    KeyPair keys = Certificates.newKeyPair();
    X509Certificate cert = Certificates.selfSignedCa(keys, "InMesh Dev CA", now.minus(BACKDATE),
        now.plus(CA_LIFETIME));
    Files.createDirectories(dir);
    Pem.writePrivateKey(dir.resolve(KEY_FILE), keys.getPrivate());
    Pem.writeCertificates(dir.resolve(CERT_FILE), List.of(cert));
    return new DevCa(dir, cert, keys.getPrivate());
  }

  /**
   * Loads the CA of {@code directory}, creating it first when the directory holds none: the development default
   * works on a fresh checkout with no set-up step. Several processes starting together create one CA: creation
   * runs under an exclusive file lock next to the directory, and whoever comes second loads the first one's CA.
   *
   * @return the CA and whether this call created it
   */
  public static Loaded loadOrInit(Path directory, Instant now) throws IOException {
    Path dir = directory.toAbsolutePath().normalize();
    if (Files.isRegularFile(dir.resolve(CERT_FILE)) && Files.isRegularFile(dir.resolve(KEY_FILE))) {
      return new Loaded(load(dir), false);
    }
    Path parent = java.util.Objects.requireNonNull(dir.getParent(), "parent of " + dir);
    Files.createDirectories(parent);
    synchronized (DevCa.class) { // a FileLock excludes other processes, not other threads of this one
      return loadOrInitLocked(dir, parent, now);
    }
  }

  private static Loaded loadOrInitLocked(Path dir, Path parent, Instant now) throws IOException {
    Path lockFile = parent.resolve("." + dir.getFileName() + ".init-lock");
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lockFile,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = channel.lock()) {
      if (Files.isRegularFile(dir.resolve(CERT_FILE)) && Files.isRegularFile(dir.resolve(KEY_FILE))) {
        return new Loaded(load(dir), false);
      }
      return new Loaded(init(dir, now), true);
    }
  }

  /** A CA and whether it was just created. */
  public record Loaded(DevCa ca, boolean created) {}

  /**
   * Loads the CA of {@code directory}; an {@link IOException} whose message says what is missing and how to create
   * it.
   */
  public static DevCa load(Path directory) throws IOException {
    Path dir = directory.toAbsolutePath().normalize();
    Path certFile = dir.resolve(CERT_FILE);
    Path keyFile = dir.resolve(KEY_FILE);
    if (!Files.isRegularFile(certFile) || !Files.isRegularFile(keyFile)) {
      throw new NoSuchFileException(dir.toString(), null, "no dev CA there (expected " + CERT_FILE + " and "
          + KEY_FILE + "); create one with: mesh ca init --dir " + dir);
    }
    X509Certificate cert = Pem.readCertificates(certFile).get(0);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    CertificateChecks.checkKeyMatches(cert, key, certFile.toString());
    if (cert.getBasicConstraints() < 0) {
      throw new IOException(certFile + ": not a CA certificate (basicConstraints CA:false)");
    }
    return new DevCa(dir, cert, key);
  }

  public Path directory() {
    return directory;
  }

  /** The root certificate: the trust bundle of everything this CA issues. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** A workload certificate for {@code id} valid from now (backdated a minute) for {@code ttl}, with a new key. */
  public WorkloadCertificate issue(SpiffeId id, Instant now, Duration ttl) {
    return issue(id, now.minus(BACKDATE), now.plus(ttl));
  }

  /** A workload certificate for {@code id} with an explicit validity (tests issue expired ones). */
  public WorkloadCertificate issue(SpiffeId id, Instant notBefore, Instant notAfter) {
    KeyPair keys = Certificates.newKeyPair();
    X509Certificate leaf = Certificates.leaf(certificate, key, keys.getPublic(), id, notBefore, notAfter);
    return new WorkloadCertificate(List.of(leaf), keys.getPrivate(), List.of(certificate));
  }

  /** A leaf without any SPIFFE ID, for tests of the rejection. */
  public KeyedCertificate issueWithoutSpiffeId(Instant notBefore, Instant notAfter) {
    KeyPair keys = Certificates.newKeyPair();
    return new KeyedCertificate(
        Certificates.leaf(certificate, key, keys.getPublic(), null, notBefore, notAfter), keys.getPrivate());
  }

  /** A certificate and its key, when it is no workload certificate. */
  public record KeyedCertificate(X509Certificate certificate, PrivateKey privateKey) {
    @Override
    public String toString() {
      return "KeyedCertificate[" + certificate.getSerialNumber().toString(16) + ", privateKey=<redacted>]";
    }
  }

  @Override
  public String toString() {
    return "DevCa[" + directory + "]";
  }
}
