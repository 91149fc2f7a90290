package io.inmesh.tls.internal;

import io.inmesh.tls.IdentityException;
import io.inmesh.tls.IdentityProvider;
import io.inmesh.tls.IdentityStatus;
import io.inmesh.tls.WorkloadCertificate;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload certificate from PEM files (what cert-manager, SPIRE's helper or a Vault agent write), reloaded when
 * they change. Each load is checked (key matches the leaf, valid now, SPIFFE ID, chains to the bundle); a load that
 * fails keeps the identity in force and is reported in the status and, once per distinct error, at WARN. A writer that
 * replaces the files one by one may be seen half-way (new certificate, old key): that is such a failure, and the next
 * change event, when the last file lands, loads the complete set.
 */
public final class PemFilesIdentityProvider implements IdentityProvider {
  private static final Logger log = LoggerFactory.getLogger(PemFilesIdentityProvider.class);
  static final Duration QUIET_PERIOD = Duration.ofMillis(100);
  static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

  private final Path chainFile;
  private final Path keyFile;
  private final Path bundleFile;
  private final Clock clock;
  private final ProviderStatus status;
  private @Nullable FileWatcher watcher;
  private @Nullable Consumer<WorkloadCertificate> updates;
  private @Nullable WorkloadCertificate current;

  public PemFilesIdentityProvider(Path chainFile, Path keyFile, Path bundleFile, Clock clock) {
    this.chainFile = chainFile.toAbsolutePath().normalize();
    this.keyFile = keyFile.toAbsolutePath().normalize();
    this.bundleFile = bundleFile.toAbsolutePath().normalize();
    this.clock = clock;
    this.status = new ProviderStatus(description(), log);
  }

  @Override
  public String description() {
    return "PEM files " + chainFile + ", " + keyFile + ", " + bundleFile;
  }

  @Override
  public synchronized WorkloadCertificate start(Consumer<WorkloadCertificate> updates) {
    WorkloadCertificate first;
    try {
      first = load();
    } catch (IOException e) {
      throw new IdentityException("cannot load the workload identity from PEM files: " + e.getMessage(), e);
    }
    this.updates = updates;
    this.current = first;
    status.installed(first, clock.instant());
    watcher = new FileWatcher(List.of(chainFile, keyFile, bundleFile), QUIET_PERIOD, POLL_INTERVAL, this::reload,
        "inmesh-identity-watch");
    return first;
  }

  /** Reads and checks the three files. */
  WorkloadCertificate load() throws IOException {
    List<X509Certificate> chain = Pem.readCertificates(chainFile);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    List<X509Certificate> bundle = Pem.readCertificates(bundleFile);
    WorkloadCertificate wc;
    try {
      wc = new WorkloadCertificate(chain, key, bundle);
    } catch (IllegalArgumentException e) {
      throw new IOException(chainFile + ": " + e.getMessage(), e);
    }
    CertificateChecks.check(wc, clock.instant(), chainFile.toString());
    return wc;
  }

  private synchronized void reload() {
    if (updates == null) {
      return;
    }
    WorkloadCertificate wc;
    try {
      wc = load();
    } catch (IOException | RuntimeException e) {
      status.failed(e.getMessage() != null ? e.getMessage() : e.toString(), clock.instant());
      return;
    }
    WorkloadCertificate old = current;
    if (old != null && old.leaf().equals(wc.leaf()) && old.trustBundle().equals(wc.trustBundle())
        && status.get().lastError() == null) {
      return; // touched, not changed
    }
    current = wc;
    status.installed(wc, clock.instant());
    updates.accept(wc);
  }

  @Override
  public IdentityStatus status() {
    return status.get();
  }

  @Override
  public void close() {
    FileWatcher w;
    synchronized (this) {
      updates = null;
      w = watcher;
      watcher = null;
    }
    // Outside the lock: the watcher thread may be waiting for it in reload().
    if (w != null) {
      w.close();
    }
  }
}
