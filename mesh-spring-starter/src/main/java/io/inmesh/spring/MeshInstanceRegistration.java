package io.inmesh.spring;

/**
 * This instance's entry in a service registry (for example an {@code EtcdRegistry.Registration}), removed at the
 * start of shutdown: before the embedded server stops accepting requests and drains those in flight, so callers stop
 * choosing this instance first. Declare one as a bean:
 *
 * <pre>{@code
 * @Bean MeshInstanceRegistration registration(EtcdRegistry registry, ...) {
 *   EtcdRegistry.Registration r = registry.register(...);
 *   return r::close;
 * }
 * }</pre>
 */
@FunctionalInterface
public interface MeshInstanceRegistration {
  /** Removes this instance from the registry; called once, at shutdown. */
  void deregister() throws Exception;
}
