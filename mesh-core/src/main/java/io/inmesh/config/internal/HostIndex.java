package io.inmesh.config.internal;

import io.inmesh.config.ServiceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Resolves the host of a URL or a route destination to a service, with Kubernetes naming: {@code name},
 * {@code name.namespace}, {@code name.namespace.svc}, {@code name.namespace.svc.cluster.local}, plus each service's
 * extra {@code hosts}. A short name resolves in the caller's namespace first, then to the only service of that name
 * in any namespace; a short name shared by services of several other namespaces is ambiguous.
 */
public final class HostIndex {
  /** The Kubernetes cluster domain of qualified service names. */
  public static final String CLUSTER_DOMAIN = "cluster.local";

  private final String defaultNamespace;
  private final Map<String, ServiceConfig> qualified = new HashMap<>();
  private final Map<String, List<ServiceConfig>> shortNames = new HashMap<>();

  public HostIndex(List<ServiceConfig> services, String defaultNamespace) {
    this.defaultNamespace = defaultNamespace;
    for (ServiceConfig s : services) {
      String ns = namespaceOf(s);
      String name = s.name().toLowerCase(Locale.ROOT);
      qualified.putIfAbsent(name + "." + ns, s);
      qualified.putIfAbsent(name + "." + ns + ".svc", s);
      qualified.putIfAbsent(name + "." + ns + ".svc." + CLUSTER_DOMAIN, s);
      for (String h : s.hosts()) {
        qualified.putIfAbsent(normalize(h), s);
      }
      shortNames.computeIfAbsent(name, k -> new ArrayList<>(1)).add(s);
    }
  }

  /** The namespace of a service: its own or the mesh default. */
  public String namespaceOf(ServiceConfig s) {
    return s.namespace() != null ? s.namespace() : defaultNamespace;
  }

  /** The service {@code host} names, seen from {@code callerNamespace}; null when unknown or ambiguous. */
  public @Nullable ServiceConfig resolve(String host, String callerNamespace) {
    String h = normalize(host);
    List<ServiceConfig> candidates = shortNames.get(h);
    if (candidates != null) {
      ServiceConfig only = null;
      for (ServiceConfig s : candidates) {
        if (namespaceOf(s).equals(callerNamespace)) {
          return s;
        }
        only = s;
      }
      if (candidates.size() == 1) {
        return only;
      }
    }
    return qualified.get(h);
  }

  /** The namespaces of the services a short name could mean, when it is ambiguous from {@code callerNamespace}. */
  public List<String> ambiguity(String host, String callerNamespace) {
    List<ServiceConfig> candidates = shortNames.get(normalize(host));
    if (candidates == null || candidates.size() < 2 || resolve(host, callerNamespace) != null) {
      return List.of();
    }
    return candidates.stream().map(this::namespaceOf).sorted().toList();
  }

  /** Every name this index knows, qualified and short (for building per-snapshot lookup tables). */
  public Map<String, List<ServiceConfig>> shortNames() {
    return shortNames;
  }

  public Map<String, ServiceConfig> qualifiedNames() {
    return qualified;
  }

  static String normalize(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }
}
