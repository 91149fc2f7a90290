package io.inmesh.tls.internal;

import io.inmesh.tls.WorkloadCertificate;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The identity a mesh's key and trust managers read: one volatile reference, replaced whole on rotation (grpc-java's
 * AdvancedTlsX509KeyManager pattern). Each installed certificate gets a new alias; the last few stay resolvable so that
 * a handshake that chose an alias just before a rotation still gets the chain and key that belong together.
 */
public final class CurrentIdentity {
  private static final int KEPT = 4;

  /** One installed certificate under its alias. */
  record Entry(String alias, WorkloadCertificate certificate) {}

  /** Everything a handshake reads, consistent with itself. */
  record State(@Nullable Entry current, Entry[] recent, Set<TrustAnchor> anchors, X509Certificate[] issuers,
      String unavailableReason) {}

  private final Object lock = new Object();
  private volatile State state;
  private long generation;

  public CurrentIdentity(String unavailableReason) {
    this.state = new State(null, new Entry[0], Set.of(), new X509Certificate[0], unavailableReason);
  }

  /** Installs {@code certificate} for every handshake that starts from now on. */
  public void set(WorkloadCertificate certificate) {
    synchronized (lock) {
      State old = state;
      Entry e = new Entry("inmesh-" + (++generation), certificate);
      Entry[] recent = new Entry[Math.min(KEPT, old.recent().length + 1)];
      recent[0] = e;
      System.arraycopy(old.recent(), 0, recent, 1, recent.length - 1);
      state = new State(e, recent, CertificateChecks.anchors(certificate.trustBundle()),
          certificate.trustBundle().toArray(new X509Certificate[0]), "");
    }
  }

  /** Removes the identity: handshakes fail with {@code reason}. */
  public void clear(String reason) {
    synchronized (lock) {
      state = new State(null, new Entry[0], Set.of(), new X509Certificate[0], reason);
    }
  }

  State state() {
    return state;
  }

  /** The certificate in force, or null. */
  public @Nullable WorkloadCertificate certificate() {
    Entry e = state.current();
    return e != null ? e.certificate() : null;
  }

  @Nullable WorkloadCertificate byAlias(String alias) {
    for (Entry e : state.recent()) {
      if (e.alias().equals(alias)) {
        return e.certificate();
      }
    }
    return null;
  }
}
