package io.inmesh.tls.internal;

import io.inmesh.tls.IdentityException;
import io.inmesh.tls.IdentityProvider;
import io.inmesh.tls.IdentityStatus;
import io.inmesh.tls.SpiffeId;
import io.inmesh.tls.WorkloadCertificate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues the workload its own certificate from the dev CA, keeps the key in memory, and issues a new one at two thirds
 * of the lifetime (Istio and SPIRE renew at about half to two thirds), on the mesh's scheduler. A failed renewal keeps
 * the current certificate and is retried at a tenth of the remaining lifetime.
 */
public final class DevCaIdentityProvider implements IdentityProvider {
  private static final Logger log = LoggerFactory.getLogger(DevCaIdentityProvider.class);
  private static final long MIN_RETRY_MILLIS = 100;

  private final Path directory;
  private final SpiffeId id;
  private final Duration ttl;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ProviderStatus status;
  private final boolean createIfMissing;
  private @Nullable DevCa ca;
  private @Nullable Consumer<WorkloadCertificate> updates;
  private @Nullable Future<?> next;
  private @Nullable WorkloadCertificate current;
  private boolean closed;

  public DevCaIdentityProvider(Path directory, SpiffeId id, Duration ttl, Clock clock,
      ScheduledExecutorService scheduler, boolean createIfMissing) {
    this.createIfMissing = createIfMissing;
    this.directory = directory.toAbsolutePath().normalize();
    this.id = id;
    this.ttl = ttl;
    this.clock = clock;
    this.scheduler = scheduler;
    this.status = new ProviderStatus(description(), log);
  }

  @Override
  public String description() {
    return "dev CA " + directory;
  }

  @Override
  public synchronized WorkloadCertificate start(Consumer<WorkloadCertificate> updates) {
    try {
      DevCa.Loaded loaded = createIfMissing ? DevCa.loadOrInit(directory, clock.instant())
          : new DevCa.Loaded(DevCa.load(directory), false);
      if (loaded.created()) {
        log.warn("created a development CA in {} (mesh.identity.provider DEV_CA): fine on one machine, not for"
            + " production, where PEM_FILES from cert-manager, SPIRE or Vault belong", directory);
      }
      this.ca = loaded.ca();
    } catch (IOException e) {
      throw new IdentityException("cannot " + (createIfMissing ? "load or create" : "load") + " the dev CA in "
          + directory + ": " + e.getMessage(), e);
    }
    this.updates = updates;
    WorkloadCertificate first = issue();
    status.installed(first, clock.instant());
    scheduleRenewal(first);
    return first;
  }

  private WorkloadCertificate issue() {
    Instant now = clock.instant();
    WorkloadCertificate wc = java.util.Objects.requireNonNull(ca).issue(id, now, ttl);
    current = wc;
    return wc;
  }

  private synchronized void renew() {
    if (closed) {
      return;
    }
    WorkloadCertificate wc;
    try {
      wc = issue();
    } catch (RuntimeException e) {
      status.failed(e.toString(), clock.instant());
      WorkloadCertificate old = java.util.Objects.requireNonNull(current);
      long remaining = Duration.between(clock.instant(), old.notAfter()).toMillis();
      schedule(Math.max(MIN_RETRY_MILLIS, remaining / 10));
      return;
    }
    status.installed(wc, clock.instant());
    java.util.Objects.requireNonNull(updates).accept(wc);
    scheduleRenewal(wc);
  }

  private void scheduleRenewal(WorkloadCertificate wc) {
    // Two thirds of the lifetime this certificate was issued for, counted from now (its notBefore is backdated).
    long lifetime = Duration.between(clock.instant(), wc.notAfter()).toMillis();
    schedule(Math.max(MIN_RETRY_MILLIS, lifetime * 2 / 3));
  }

  private void schedule(long delayMillis) {
    next = scheduler.schedule(this::renew, delayMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public IdentityStatus status() {
    return status.get();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (next != null) {
      next.cancel(false);
    }
  }

  @Override
  public String toString() {
    return "DevCaIdentityProvider[" + id + ", " + directory + "]";
  }
}
