package io.inmesh.tls.internal;

import io.inmesh.tls.IdentityStatus;
import io.inmesh.tls.WorkloadCertificate;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * The status an identity provider reports, and its logging: one INFO line per installed certificate, one WARN per
 * distinct failure (a failure that repeats on every retry or poll is logged once), one INFO when it recovers.
 */
final class ProviderStatus {
  private final String provider;
  private final Logger log;
  private volatile IdentityStatus status;

  ProviderStatus(String provider, Logger log) {
    this.provider = provider;
    this.log = log;
    this.status = new IdentityStatus(provider, null, null, null, null, 0, null, null);
  }

  IdentityStatus get() {
    return status;
  }

  synchronized void installed(WorkloadCertificate wc, Instant now) {
    IdentityStatus old = status;
    status = new IdentityStatus(provider, wc.spiffeId(), wc.serial(), wc.notAfter(), now, old.updates() + 1, null,
        null);
    if (old.lastError() != null) {
      log.info("workload identity from {} recovered: {} (serial {}, valid until {})", provider, wc.spiffeId(),
          wc.serial(), wc.notAfter());
    } else if (old.updates() == 0) {
      log.info("workload identity {} from {} (serial {}, valid until {})", wc.spiffeId(), provider, wc.serial(),
          wc.notAfter());
    } else {
      log.debug("workload certificate of {} renewed from {} (serial {}, valid until {})", wc.spiffeId(), provider,
          wc.serial(), wc.notAfter());
    }
  }

  synchronized void failed(String error, Instant now) {
    IdentityStatus old = status;
    status = new IdentityStatus(provider, old.identity(), old.serial(), old.notAfter(), old.updatedAt(),
        old.updates(), error, now);
    if (!error.equals(old.lastError())) {
      log.warn("cannot renew the workload identity from {}; keeping {} (valid until {}): {}", provider,
          old.serial() != null ? "serial " + old.serial() : "no identity", old.notAfter(), error);
    } else {
      log.debug("identity from {} still failing: {}", provider, error);
    }
  }
}
