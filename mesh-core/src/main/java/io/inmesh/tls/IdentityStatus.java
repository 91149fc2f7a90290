package io.inmesh.tls;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The state of a workload's identity, for health checks and the admin endpoint.
 *
 * @param provider where identities come from
 * @param identity the SPIFFE ID in force, or null when there is none (mTLS disabled)
 * @param serial the serial number (hex) of the certificate in force, or null
 * @param notAfter when the certificate in force expires, or null
 * @param updatedAt when the certificate in force was installed, or null
 * @param updates how many certificates were installed (the first one included)
 * @param lastError the last failure to load or renew, or null when the last attempt succeeded
 * @param lastErrorAt when it happened, or null
 */
public record IdentityStatus(
    String provider,
    @Nullable SpiffeId identity,
    @Nullable String serial,
    @Nullable Instant notAfter,
    @Nullable Instant updatedAt,
    long updates,
    @Nullable String lastError,
    @Nullable Instant lastErrorAt) {

  /** True when an identity is in force and the last load or renewal succeeded. */
  public boolean healthy() {
    return identity != null && lastError == null;
  }
}
