package io.inmesh.discovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A registry held in memory: the application (or a test) sets each service's endpoints and every watcher hears of
 * the change at once. Useful for tests and for applications that learn endpoints from a source of their own.
 */
public final class InMemoryDiscoveryProvider implements DiscoveryProvider {
  private final String name;
  private final Map<String, List<Endpoint>> endpoints = new HashMap<>();
  private final Map<String, List<Consumer<List<Endpoint>>>> watchers = new HashMap<>();

  /** @param name the registry name services refer to in {@code discovery.registry} */
  public InMemoryDiscoveryProvider(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  @Override
  public String name() {
    return name;
  }

  /** Replaces the endpoints of service {@code namespace/name} and tells its watchers. */
  public void set(String namespace, String service, List<Endpoint> list) {
    List<Endpoint> copy = List.copyOf(list);
    List<Consumer<List<Endpoint>>> toNotify;
    synchronized (this) {
      endpoints.put(namespace + "/" + service, copy);
      toNotify = new ArrayList<>(watchers.getOrDefault(namespace + "/" + service, List.of()));
    }
    // Outside the lock: a listener may call back into the registry.
    toNotify.forEach(l -> l.accept(copy));
  }

  /** The number of active watches of {@code namespace/name}. */
  public synchronized int watchers(String namespace, String service) {
    return watchers.getOrDefault(namespace + "/" + service, List.of()).size();
  }

  @Override
  public AutoCloseable watch(Target service, Consumer<List<Endpoint>> listener) {
    List<Endpoint> current;
    synchronized (this) {
      watchers.computeIfAbsent(service.key(), k -> new CopyOnWriteArrayList<>()).add(listener);
      current = endpoints.get(service.key());
    }
    if (current != null) {
      listener.accept(current);
    }
    return () -> {
      synchronized (this) {
        List<Consumer<List<Endpoint>>> list = watchers.get(service.key());
        if (list != null) {
          list.remove(listener);
        }
      }
    };
  }

  @Override
  public String toString() {
    return "InMemoryDiscoveryProvider[" + name + "]";
  }
}
