package io.inmesh.discovery;

import io.inmesh.config.ServiceConfig;
import io.inmesh.config.ServiceConfig.DiscoveryType;
import io.inmesh.routing.CompiledService;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the endpoint set of every service of the config up to date from the service's discovery: the static list,
 * DNS (resolved again every {@code refreshInterval}), or a registry {@link DiscoveryProvider}. Each set is immutable
 * and replaced whole; the listener hears of every new set. A service whose discovery config did not change keeps its
 * source (and its set) across config reloads.
 *
 * <p>DNS is never resolved on the request path: the mesh scheduler only triggers a resolution, which runs on a small
 * pool of daemon threads of this object, so a slow DNS server cannot delay the mesh's other timers. A failed
 * resolution keeps the last good set.
 */
public final class ServiceDiscovery implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceDiscovery.class);

  /** Hears of every new endpoint set. */
  @FunctionalInterface
  public interface Listener {
    /** Service {@code serviceKey} ({@code namespace/name}) now has {@code endpoints} (immutable, maybe empty). */
    void onEndpoints(String serviceKey, List<Endpoint> endpoints);
  }

  private final ScheduledExecutorService scheduler;
  private final DnsResolver resolver;
  private final Listener listener;
  private final ThreadPoolExecutor dnsPool;
  private final Map<String, Source> sources = new HashMap<>(); // guarded by this
  private final Map<String, DiscoveryProvider> providers = new ConcurrentHashMap<>();
  private final Map<String, List<Endpoint>> current = new ConcurrentHashMap<>();
  private boolean closed; // guarded by this

  /**
   * @param scheduler the mesh's scheduler (triggers DNS refreshes; not shut down by this object)
   * @param resolver resolves DNS-discovered services
   * @param listener hears of every new endpoint set
   */
  public ServiceDiscovery(ScheduledExecutorService scheduler, DnsResolver resolver, Listener listener) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.dnsPool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "inmesh-dns");
      t.setDaemon(true);
      return t;
    });
    dnsPool.allowCoreThreadTimeOut(true);
  }

  /**
   * Registers a registry provider; services that name it and were waiting for it start watching it now. A provider
   * of the same name replaces the previous one for services that start watching afterwards.
   */
  public void register(DiscoveryProvider provider) {
    providers.put(provider.name(), provider);
    List<RegistrySource> waiting = new ArrayList<>();
    synchronized (this) {
      for (Source s : sources.values()) {
        if (s instanceof RegistrySource r && r.handle == null && r.spec.registry().equals(provider.name())) {
          waiting.add(r);
        }
      }
    }
    waiting.forEach(r -> r.start(provider));
  }

  /** The provider registered under {@code name}, or null. */
  public @Nullable DiscoveryProvider provider(String name) {
    return providers.get(name);
  }

  /**
   * Brings the sources in line with {@code services}: new services start discovering, changed discovery restarts,
   * removed services stop. Static sets are published before this returns; DNS and registries publish when they
   * answer.
   */
  public void update(Collection<CompiledService> services) {
    List<Source> started = new ArrayList<>();
    List<Source> stopped = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      Set<String> keys = new HashSet<>();
      for (CompiledService service : services) {
        keys.add(service.key());
        Spec spec = Spec.of(service);
        Source old = sources.get(service.key());
        if (old != null && old.spec().equals(spec)) {
          continue;
        }
        if (old != null) {
          stopped.add(old);
        }
        Source s = switch (spec.type()) {
          case STATIC -> new StaticSource(service.key(), spec);
          case DNS -> new DnsSource(service.key(), spec);
          case REGISTRY -> new RegistrySource(service, spec);
        };
        sources.put(service.key(), s);
        started.add(s);
      }
      for (var it = sources.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        if (!keys.contains(e.getKey())) {
          stopped.add(e.getValue());
          current.remove(e.getKey());
          it.remove();
        }
      }
    }
    stopped.forEach(Source::stop);
    started.forEach(Source::start);
  }

  /** The current endpoint set of {@code serviceKey}, or null before its source answered for the first time. */
  public @Nullable List<Endpoint> endpoints(String serviceKey) {
    return current.get(serviceKey);
  }

  /** Stops every source and the DNS threads; registered providers are closed too. */
  @Override
  public void close() {
    List<Source> all;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(sources.values());
      sources.clear();
    }
    all.forEach(Source::stop);
    dnsPool.shutdownNow();
    for (DiscoveryProvider p : providers.values()) {
      try {
        p.close();
      } catch (Exception e) {
        log.warn("closing discovery provider {} failed", p.name(), e);
      }
    }
  }

  /** Publishes {@code endpoints} for the source's service unless the source was replaced meanwhile. */
  private void publish(Source source, String key, List<Endpoint> endpoints) {
    synchronized (this) {
      // Also under the lock so that a replaced source cannot publish after its successor.
      if (sources.get(key) != source) {
        return;
      }
      List<Endpoint> copy = List.copyOf(endpoints);
      if (copy.equals(current.get(key))) {
        return;
      }
      current.put(key, copy);
      listener.onEndpoints(key, copy);
    }
  }

  /** What a service's discovery config says, compared to decide whether a reload restarts it. */
  record Spec(DiscoveryType type, List<Endpoint> staticEndpoints, @Nullable String hostname, int port,
      Duration refreshInterval, String registry, String namespace, String name) {

    static Spec of(CompiledService service) {
      ServiceConfig c = service.config();
      ServiceConfig.Discovery d = c.discovery();
      int defaultPort = defaultPort(c);
      List<Endpoint> statics = new ArrayList<>();
      if (d.type() == DiscoveryType.STATIC) {
        for (ServiceConfig.Endpoint e : c.endpoints()) {
          statics.add(new Endpoint(e.address(), e.port() != null ? e.port() : defaultPort, e.labels(), e.weight(),
              e.zone()));
        }
      }
      return new Spec(d.type(), List.copyOf(statics), d.hostname(), d.port() != null ? d.port() : defaultPort,
          d.refreshInterval(), d.registry() == null ? "" : d.registry(), service.namespace(), service.name());
    }
  }

  /** The first service port's target port, else its number. */
  static int defaultPort(ServiceConfig c) {
    if (c.ports().isEmpty()) {
      return 80;
    }
    ServiceConfig.Port p = c.ports().get(0);
    return p.targetPort() != null ? p.targetPort() : p.number();
  }

  /** Where one service's endpoints come from. */
  private abstract static class Source {
    final String key;
    final Spec spec;

    Source(String key, Spec spec) {
      this.key = key;
      this.spec = spec;
    }

    final Spec spec() {
      return spec;
    }

    abstract void start();

    abstract void stop();
  }

  private final class StaticSource extends Source {
    StaticSource(String key, Spec spec) {
      super(key, spec);
    }

    @Override
    void start() {
      publish(this, key, spec.staticEndpoints());
    }

    @Override
    void stop() {}
  }

  private final class DnsSource extends Source {
    private volatile boolean stopped;
    private volatile @Nullable ScheduledFuture<?> next;
    private boolean resolvedOnce; // only touched by the one resolution running at a time
    private boolean failing;

    DnsSource(String key, Spec spec) {
      super(key, spec);
    }

    @Override
    void start() {
      submit();
    }

    /** Hands one resolution to the DNS threads; the next is scheduled when it ends, so they never overlap. */
    private void submit() {
      if (stopped) {
        return;
      }
      try {
        dnsPool.execute(this::resolve);
      } catch (RejectedExecutionException e) {
        log.debug("DNS discovery of {} stopped: the mesh is closing", key);
      }
    }

    private void resolve() {
      if (stopped) {
        return;
      }
      String hostname = Objects.requireNonNull(spec.hostname());
      try {
        List<InetAddress> addresses = resolver.resolve(hostname);
        List<Endpoint> endpoints = new ArrayList<>(addresses.size());
        Set<String> seen = new HashSet<>();
        for (InetAddress a : addresses) {
          String host = a.getHostAddress();
          int scope = host.indexOf('%'); // an IPv6 scope id is not part of the address
          host = scope < 0 ? host : host.substring(0, scope);
          if (seen.add(host)) {
            endpoints.add(new Endpoint(host, spec.port(), Map.of(), 1, null));
          }
        }
        // Sorted, so that the same records in another order are the same set.
        endpoints.sort(Comparator.comparing(Endpoint::host));
        if (failing) {
          log.info("DNS discovery of {} ({}) recovered: {} endpoints", key, hostname, endpoints.size());
          failing = false;
        }
        resolvedOnce = true;
        publish(this, key, endpoints);
      } catch (Exception e) {
        if (!failing) {
          log.warn("DNS discovery of {} cannot resolve {}: {}; keeping the last good endpoints", key, hostname,
              e.toString());
          failing = true;
        } else {
          log.debug("DNS discovery of {} still cannot resolve {}", key, hostname, e);
        }
        if (!resolvedOnce) {
          // No good set yet: requests waiting for the first answer must not wait for ever.
          resolvedOnce = true;
          publish(this, key, List.of());
        }
      } finally {
        schedule();
      }
    }

    private void schedule() {
      if (stopped) {
        return;
      }
      try {
        next = scheduler.schedule(this::submit, spec.refreshInterval().toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        log.debug("DNS discovery of {} stopped: the scheduler is shut down", key);
      }
    }

    @Override
    void stop() {
      stopped = true;
      ScheduledFuture<?> f = next;
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  private final class RegistrySource extends Source {
    private final DiscoveryProvider.Target target;
    private @Nullable AutoCloseable handle; // guarded by ServiceDiscovery.this
    private boolean stopped; // guarded by ServiceDiscovery.this

    RegistrySource(CompiledService service, Spec spec) {
      super(service.key(), spec);
      this.target = new DiscoveryProvider.Target(service.namespace(), service.name(), spec.port());
    }

    @Override
    void start() {
      DiscoveryProvider provider = providers.get(spec.registry());
      if (provider == null) {
        log.warn("service {} uses registry '{}' but no discovery provider of that name is registered; it has no "
            + "endpoints until one is", key, spec.registry());
        publish(this, key, List.of());
        return;
      }
      start(provider);
    }

    void start(DiscoveryProvider provider) {
      AutoCloseable h;
      try {
        h = provider.watch(target, endpoints -> publish(this, key, endpoints));
      } catch (RuntimeException e) {
        log.warn("discovery provider '{}' cannot watch {}: {}", provider.name(), key, e.toString());
        publish(this, key, List.of());
        return;
      }
      boolean stopNow;
      synchronized (ServiceDiscovery.this) {
        stopNow = stopped;
        if (!stopNow) {
          handle = h;
        }
      }
      if (stopNow) {
        closeQuietly(h);
      } else if (endpoints(key) == null) {
        publish(this, key, List.of()); // the provider knows nothing yet: no endpoints rather than waiting
      }
    }

    @Override
    void stop() {
      AutoCloseable h;
      synchronized (ServiceDiscovery.this) {
        stopped = true;
        h = handle;
        handle = null;
      }
      if (h != null) {
        closeQuietly(h);
      }
    }

    private void closeQuietly(AutoCloseable h) {
      try {
        h.close();
      } catch (Exception e) {
        log.debug("closing the watch of {} failed", key, e);
      }
    }
  }
}
