package io.inmesh.spring;

import io.inmesh.ConfigStatus;
import io.inmesh.Mesh;
import io.inmesh.tls.IdentityStatus;
import io.inmesh.tls.MeshTls;
import io.inmesh.tls.WorkloadCertificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The mesh's health ({@code /actuator/health/mesh}): UP while a configuration is in force and the workload
 * certificate (when the mesh has one) is valid and not near expiry. Near expiry means less than a sixth of its
 * lifetime left: certificates renew at two thirds of it, so by then renewal has been failing for a while
 * ({@code lastError} says why) and the instance is about to fail every mTLS handshake. A configuration change that
 * was rejected, or a start from the last good copy, leaves it UP (the mesh serves with the configuration it has) and
 * shows in the details.
 */
public class MeshHealthIndicator implements HealthIndicator {
  private final Mesh mesh;
  private final Clock clock;

  public MeshHealthIndicator(Mesh mesh) {
    this(mesh, Clock.systemUTC());
  }

  MeshHealthIndicator(Mesh mesh, Clock clock) {
    this.mesh = mesh;
    this.clock = clock;
  }

  @Override
  public Health health() {
    ConfigStatus config = mesh.configStatus();
    Health.Builder h = Health.up()
        .withDetail("configVersion", config.version())
        .withDetail("configSource", config.source())
        .withDetail("rejectedChanges", config.rejectedCount())
        .withDetail("usingLastGoodCopy", config.usingLastGoodCopy());
    MeshTls tls = mesh.feature(MeshTls.class);
    WorkloadCertificate cert = tls == null ? null : tls.certificate();
    if (tls == null || cert == null) {
      return h.withDetail("certificate", "none (mTLS disabled)").build();
    }
    IdentityStatus status = tls.status();
    Instant now = clock.instant();
    Duration left = Duration.between(now, cert.notAfter());
    // Providers backdate notBefore for clock skew; the lifetime renewals are planned on starts at installation.
    Instant start = status.updatedAt() != null && status.updatedAt().isAfter(cert.notBefore())
        ? status.updatedAt() : cert.notBefore();
    Duration lifetime = Duration.between(start, cert.notAfter());
    h.withDetail("spiffeId", cert.spiffeId().toString())
        .withDetail("certificateNotAfter", cert.notAfter().toString())
        .withDetail("certificateExpiresInSeconds", left.toSeconds());
    if (status.lastError() != null) {
      h.withDetail("lastIdentityError", status.lastError());
    }
    if (now.isBefore(cert.notBefore()) || left.isNegative() || left.isZero()) {
      return h.down().withDetail("reason", "the workload certificate is not valid now").build();
    }
    if (left.compareTo(lifetime.dividedBy(6)) < 0) {
      return h.down().withDetail("reason", "the workload certificate expires in " + left.toSeconds()
          + " s and has not been renewed").build();
    }
    return h.build();
  }
}
