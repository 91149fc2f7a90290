package io.inmesh.tls;

import io.inmesh.tls.internal.DevCaIdentityProvider;
import io.inmesh.tls.internal.FixedIdentityProvider;
import io.inmesh.tls.internal.PemFilesIdentityProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Where a workload's certificate comes from, and who keeps it current. {@link MeshTls} starts one provider per mesh
 * (chosen by {@code mesh.identity.provider}) and reads every identity it hands over through its key and trust
 * managers, so a rotation needs no new client, server or {@link javax.net.ssl.SSLContext}.
 *
 * <p>A provider that cannot produce a first identity throws {@link IdentityException}; one that cannot produce a
 * replacement keeps the current identity, reports the error in {@link #status()} and logs it once at WARN.
 */
public interface IdentityProvider extends AutoCloseable {

  /** Where identities come from, for logs and status ("dev CA /etc/ca", "PEM files /run/tls.crt..."). */
  String description();

  /**
   * Produces the first identity, checked (key matches, valid now, chains to its bundle), and keeps it current from
   * then on: each replacement is passed to {@code updates}, on the provider's own thread.
   *
   * @throws IdentityException when no identity can be produced; the message says why and how to fix it
   */
  WorkloadCertificate start(Consumer<WorkloadCertificate> updates);

  /** The identity in force, how many times it was replaced, and the last error. */
  IdentityStatus status();

  /** Stops rotating or watching. Idempotent. */
  @Override
  void close();

  /**
   * The embedded development CA in {@code directory} (created by {@code mesh ca init}): issues {@code id} a
   * certificate valid for {@code ttl} and rotates it at two thirds of its lifetime on {@code scheduler}.
   */
  static IdentityProvider devCa(Path directory, SpiffeId id, Duration ttl, Clock clock,
      ScheduledExecutorService scheduler) {
    return new DevCaIdentityProvider(directory, id, ttl, clock, scheduler, false);
  }

  /**
   * The dev CA provider that creates the CA in {@code directory} on first use when there is none (the embedded
   * default: a fresh checkout runs with mTLS and no set-up step; several processes sharing the directory create one
   * CA).
   */
  static IdentityProvider devCaCreatingIfMissing(Path directory, SpiffeId id, Duration ttl, Clock clock,
      ScheduledExecutorService scheduler) {
    return new DevCaIdentityProvider(directory, id, ttl, clock, scheduler, true);
  }

  /** PEM files (chain leaf first, private key, trust bundle), watched and reloaded when they change. */
  static IdentityProvider pemFiles(Path certificateChain, Path privateKey, Path trustBundle, Clock clock) {
    return new PemFilesIdentityProvider(certificateChain, privateKey, trustBundle, clock);
  }

  /** One identity that never changes (tools and tests); not checked for expiry. */
  static IdentityProvider fixed(WorkloadCertificate certificate) {
    return new FixedIdentityProvider(certificate);
  }
}
