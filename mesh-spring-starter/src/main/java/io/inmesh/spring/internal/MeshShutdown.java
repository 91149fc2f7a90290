package io.inmesh.spring.internal;

import io.inmesh.spring.MeshInstanceRegistration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The first step of shutdown: removes this instance from its registries, so that callers stop choosing it, before
 * Boot's graceful shutdown drains the requests in flight (that lifecycle's phase is lower, so it stops later); the
 * mesh itself is closed last, with the other beans.
 */
public final class MeshShutdown implements SmartLifecycle {
  /** Just above Boot's WebServerGracefulShutdownLifecycle ({@code DEFAULT_PHASE - 1024}): stopped before it. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;
  private static final Logger log = LoggerFactory.getLogger(MeshShutdown.class);

  private final List<MeshInstanceRegistration> registrations;
  private volatile boolean running;

  public MeshShutdown(List<MeshInstanceRegistration> registrations) {
    this.registrations = List.copyOf(registrations);
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    for (MeshInstanceRegistration r : registrations) {
      try {
        r.deregister();
      } catch (Exception e) {
        // The registry's lease runs out anyway; shutting down must go on.
        log.warn("deregistering {} failed: {}", r, e.toString());
      }
    }
    if (!registrations.isEmpty()) {
      log.info("deregistered {} registration(s); draining in-flight requests", registrations.size());
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
