package io.inmesh.lb;

import io.inmesh.MeshEnvironment;
import io.inmesh.MeshFeature;
import io.inmesh.MeshSnapshot;
import io.inmesh.discovery.DiscoveryProvider;
import io.inmesh.discovery.DnsResolver;
import io.inmesh.discovery.Endpoint;
import io.inmesh.discovery.ServiceDiscovery;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import io.inmesh.routing.CompiledService;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in load-balancing feature: discovers every service's endpoints ({@link ServiceDiscovery}: static, DNS,
 * registries), keeps per-endpoint state across reloads, and contributes the LOAD_BALANCER stage, which picks an
 * endpoint of the request's destination (service and subset) for each attempt and sets {@link MeshContext#endpoint}.
 *
 * <p>Per attempt the stage:
 * <ul>
 *   <li>fails with {@link NoHealthyEndpointException} (response flag {@code UH}) when the destination has no endpoint
 *       to send to;
 *   <li>on a later attempt of the same request (the context already holds an endpoint), adds that endpoint to
 *       {@link #TRIED_ENDPOINTS} and prefers endpoints not in it;
 *   <li>counts the attempt in flight and records its latency when its future completes (LEAST_REQUEST, PEAK_EWMA).
 * </ul>
 *
 * <p>Outlier detection and health checking take endpoints out through {@link #endpointState}.
 */
public final class LoadBalancing implements MeshFeature {
  private static final Logger log = LoggerFactory.getLogger(LoadBalancing.class);

  /**
   * The endpoints earlier attempts of this request were sent to, oldest first (absent on the first attempt). The
   * stage appends to it; a retry stage may read it. Owned by the request.
   */
  public static final MeshContext.Key<List<Endpoint>> TRIED_ENDPOINTS = MeshContext.Key.of("inmesh.lb.tried");

  private final ConcurrentHashMap<String, ServiceBalancer> balancers = new ConcurrentHashMap<>();
  private final ServiceDiscovery discovery;
  private final LbEnvironment env;
  private final ScheduledExecutorService scheduler;

  /** The factory listed in the mesh's built-in features: DNS through the JVM's resolver. */
  public static LoadBalancing create(MeshEnvironment environment) {
    return new LoadBalancing(environment, DnsResolver.system());
  }

  LoadBalancing(MeshEnvironment environment, DnsResolver resolver) {
    MeshSnapshot first = environment.initialSnapshot();
    this.env = new LbEnvironment(environment.random(), environment.nanoTime(), environment.workload().zone(),
        environment.workload().spiffeId(first.config().mesh().trustDomain()).principal());
    this.scheduler = environment.scheduler();
    this.discovery = new ServiceDiscovery(environment.scheduler(), resolver, this::onEndpoints);
    try {
      for (DiscoveryProvider.Factory f : ServiceLoader.load(DiscoveryProvider.Factory.class,
          LoadBalancing.class.getClassLoader())) {
        DiscoveryProvider p = f.create(environment);
        log.debug("discovery provider '{}' loaded ({})", p.name(), p.getClass().getName());
        discovery.register(p);
      }
    } catch (RuntimeException e) {
      discovery.close();
      throw e;
    }
  }

  /** The endpoint discovery: register a {@link DiscoveryProvider} here, or read a service's current endpoints. */
  public ServiceDiscovery discovery() {
    return discovery;
  }

  /** The states of service {@code serviceKey}'s ({@code namespace/name}) current endpoints; empty if unknown. */
  public List<EndpointState> endpointStates(String serviceKey) {
    ServiceBalancer b = balancers.get(serviceKey);
    return b == null ? List.of() : b.states();
  }

  /** The state of endpoint {@code address} ({@code host:port}) of service {@code serviceKey}, or null. */
  public @Nullable EndpointState endpointState(String serviceKey, String address) {
    ServiceBalancer b = balancers.get(serviceKey);
    return b == null ? null : b.state(address);
  }

  @Override
  public List<MeshStage> stages() {
    return List.of(new MeshStage("load-balancer", StagePosition.at(OutboundRole.LOAD_BALANCER), snapshot -> {
      // Runs after onSnapshot(snapshot): every service of the snapshot has its balancer.
      Map<CompiledService, ServiceBalancer> bySnapshotService = new IdentityHashMap<>();
      for (CompiledService service : snapshot.services().services()) {
        ServiceBalancer b = balancers.get(service.key());
        if (b != null) {
          bySnapshotService.put(service, b);
        }
      }
      return new LoadBalancerStage(this, bySnapshotService, env, scheduler);
    }));
  }

  @Override
  public void onSnapshot(MeshSnapshot snapshot) {
    Collection<CompiledService> services = snapshot.services().services();
    Set<String> keys = new HashSet<>();
    for (CompiledService service : services) {
      keys.add(service.key());
      ServiceBalancer b = balancers.computeIfAbsent(service.key(), k -> {
        ServiceBalancer created = new ServiceBalancer(k, env);
        List<Endpoint> known = discovery.endpoints(k);
        if (known != null) {
          created.endpoints(known);
        }
        return created;
      });
      b.configure(service);
    }
    // Requests still running on the previous snapshot may find a removed service gone: they fail with UH.
    balancers.keySet().retainAll(keys);
    discovery.update(services);
  }

  private void onEndpoints(String serviceKey, List<Endpoint> endpoints) {
    ServiceBalancer b = balancers.get(serviceKey);
    if (b != null) {
      b.endpoints(endpoints);
      log.debug("service {} now has {} endpoints", serviceKey, endpoints.size());
    }
  }

  @Nullable ServiceBalancer balancer(String serviceKey) {
    return balancers.get(serviceKey);
  }

  @Override
  public void close() {
    discovery.close();
  }
}
