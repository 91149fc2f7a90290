package io.inmesh.etcd;

import io.inmesh.Mesh;
import io.inmesh.discovery.DiscoveryProvider;
import io.inmesh.discovery.Endpoint;
import io.inmesh.lb.LoadBalancing;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd as the registry of services whose config says {@code discovery: {type: REGISTRY, registry: etcd}}: each such
 * service's endpoints are the instances registered under {@code <prefix><namespace>/<name>/} (see
 * {@link EtcdRegistry}), pushed to the mesh on every change.
 *
 * <pre>{@code
 * EtcdClient etcd = new EtcdClient(List.of("http://etcd-0:2379", "http://etcd-1:2379"), Duration.ofSeconds(5));
 * EtcdDiscoveryProvider.attach(mesh, etcd, EtcdRegistry.DEFAULT_PREFIX);
 * }</pre>
 */
public final class EtcdDiscoveryProvider implements DiscoveryProvider {
  private static final Logger log = LoggerFactory.getLogger(EtcdDiscoveryProvider.class);
  /** The registry name services refer to. */
  public static final String NAME = "etcd";

  private final EtcdRegistry registry;

  public EtcdDiscoveryProvider(EtcdClient client, String prefix) {
    this.registry = new EtcdRegistry(Objects.requireNonNull(client), prefix);
  }

  /** Registers etcd as registry {@value #NAME} of {@code mesh}'s discovery; the mesh closes it. */
  public static EtcdDiscoveryProvider attach(Mesh mesh, EtcdClient client, String prefix) {
    LoadBalancing lb = Objects.requireNonNull(mesh.feature(LoadBalancing.class), "the mesh has no load balancing");
    EtcdDiscoveryProvider provider = new EtcdDiscoveryProvider(client, prefix);
    lb.discovery().register(provider);
    return provider;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AutoCloseable watch(Target service, Consumer<List<Endpoint>> listener) {
    try {
      return registry.watch(service.namespace(), service.name(), listener);
    } catch (IOException e) {
      // etcd unreachable now: keep trying in the background rather than failing the config; until then the service
      // has no endpoints (requests fail fast with UH, as with an empty registry).
      log.warn("cannot read {} from etcd ({}); retrying", service.key(), e.toString());
      return retryingWatch(service, listener);
    }
  }

  /** A watch that keeps trying to start while etcd is away, then behaves as a normal watch. */
  private AutoCloseable retryingWatch(Target service, Consumer<List<Endpoint>> listener) {
    Thread t = new Thread(() -> {
      long pause = 200;
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(pause);
          EtcdClient.Watch w = registry.watch(service.namespace(), service.name(), listener);
          synchronized (this) {
            pending.put(service.key(), w);
          }
          return;
        } catch (InterruptedException e) {
          return;
        } catch (IOException e) {
          pause = Math.min(pause * 2, 5000);
        }
      }
    }, "inmesh-registry-retry-" + service.name());
    t.setDaemon(true);
    t.start();
    return () -> {
      t.interrupt();
      EtcdClient.Watch w;
      synchronized (this) {
        w = pending.remove(service.key());
      }
      if (w != null) {
        w.close();
      }
    };
  }

  private final java.util.Map<String, EtcdClient.Watch> pending = new java.util.HashMap<>();
}
