package io.inmesh.tls.internal;

import io.inmesh.tls.IdentityProvider;
import io.inmesh.tls.IdentityStatus;
import io.inmesh.tls.WorkloadCertificate;
import java.time.Instant;
import java.util.function.Consumer;

/** One identity, never replaced. */
public final class FixedIdentityProvider implements IdentityProvider {
  private final WorkloadCertificate certificate;
  private final IdentityStatus status;

  public FixedIdentityProvider(WorkloadCertificate certificate) {
    this.certificate = certificate;
    this.status = new IdentityStatus(description(), certificate.spiffeId(), certificate.serial(),
        certificate.notAfter(), Instant.now(), 1, null, null);
  }

  @Override
  public String description() {
    return "fixed certificate";
  }

  @Override
  public WorkloadCertificate start(Consumer<WorkloadCertificate> updates) {
    return certificate;
  }

  @Override
  public IdentityStatus status() {
    return status;
  }

  @Override
  public void close() {}
}
