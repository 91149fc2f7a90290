package io.inmesh.discovery;

import io.inmesh.MeshEnvironment;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A service registry that pushes the endpoints of services whose config says {@code discovery: {type: REGISTRY,
 * registry: NAME}}, where NAME is this provider's {@link #name()}. Providers are found through {@link
 * java.util.ServiceLoader} ({@code META-INF/services/io.inmesh.discovery.DiscoveryProvider$Factory}) when the mesh
 * starts, or registered at run time with {@link ServiceDiscovery#register}.
 */
public interface DiscoveryProvider extends AutoCloseable {

  /** The registry name services refer to ({@code etcd}). */
  String name();

  /**
   * Starts watching one service. The provider calls {@code listener} with the complete endpoint list of the service
   * whenever it changes, from any thread, and should call it once before returning when it already knows the list
   * (until the first call the service has no endpoints). An empty list means the service has none.
   *
   * @return a handle whose {@code close()} stops the watch; called when the service leaves the config or changes
   *     its discovery
   */
  AutoCloseable watch(Target service, Consumer<List<Endpoint>> listener);

  /** Releases the provider's connections and threads; called when the mesh closes. */
  @Override
  default void close() {}

  /**
   * A service to watch.
   *
   * @param namespace the service's namespace
   * @param name the service's name
   * @param defaultPort the port of endpoints whose registration carries none (the first service port's target)
   */
  record Target(String namespace, String name, int defaultPort) {
    public Target {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
    }

    /** {@code namespace/name}. */
    public String key() {
      return namespace + "/" + name;
    }
  }

  /** Creates a provider for one mesh; listed for {@link java.util.ServiceLoader}. */
  @FunctionalInterface
  interface Factory {
    DiscoveryProvider create(MeshEnvironment environment);
  }
}
