package io.inmesh.routing;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every service of a snapshot, by every name a URL may use for it, as seen from the snapshot's workload (short names
 * already resolved in the workload's namespace). A lookup is one hash-map probe.
 */
public final class ServiceDirectory {
  private final Map<String, CompiledService> byHost;
  private final List<CompiledService> services;

  ServiceDirectory(Map<String, CompiledService> byHost, List<CompiledService> services) {
    this.byHost = new HashMap<>(byHost);
    this.services = List.copyOf(services);
  }

  /** The service a host names ({@code api-service}, {@code api-service.prod.svc.cluster.local}...), or null. */
  public @Nullable CompiledService resolve(String host) {
    CompiledService s = byHost.get(host);
    if (s == null && !host.isEmpty()) {
      String normalized = host.toLowerCase(Locale.ROOT);
      if (normalized.endsWith(".")) {
        normalized = normalized.substring(0, normalized.length() - 1);
      }
      s = byHost.get(normalized);
    }
    return s;
  }

  /** Every service, in config order. */
  public Collection<CompiledService> services() {
    return services;
  }

  public int size() {
    return services.size();
  }
}
