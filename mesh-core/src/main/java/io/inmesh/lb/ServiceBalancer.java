package io.inmesh.lb;

import io.inmesh.discovery.Endpoint;
import io.inmesh.routing.CompiledService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The load-balancing state of one service: its endpoints' {@link EndpointState}s by address, and a picker for the
 * whole service and for each subset. Changes (config, endpoint set, an endpoint's availability) are serialised and
 * rebuild the pickers, which are then published with one volatile write; picks read them without locking.
 */
final class ServiceBalancer {
  private final String key;
  private final LbEnvironment env;
  private final Map<String, EndpointState> states = new LinkedHashMap<>(); // guarded by this
  private @Nullable CompiledService service; // guarded by this
  private boolean resolved; // guarded by this
  private volatile Published pickers;
  /** Completes when the service's first endpoint set is known (DNS may answer after the first request). */
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  /** The pickers of the service (subset null) and of each subset, published together. */
  private record Published(EndpointPicker all, Map<String, EndpointPicker> subsets) {}

  ServiceBalancer(String key, LbEnvironment env) {
    this.key = key;
    this.env = env;
    this.pickers = new Published(EndpointPicker.empty("", "the service is not configured", env), Map.of());
  }

  String key() {
    return key;
  }

  /** Applies the service's config of a new snapshot (policies, subsets). */
  synchronized void configure(CompiledService service) {
    this.service = service;
    rebuild();
  }

  /**
   * Replaces the endpoint set: states of remaining endpoints are kept (their endpoint record updated), new endpoints
   * get fresh states (warming up unless they belong to the first set), vanished ones are dropped.
   */
  synchronized void endpoints(List<Endpoint> endpoints) {
    long now = env.now();
    Map<String, EndpointState> previous = new HashMap<>(states);
    states.clear();
    for (Endpoint e : endpoints) {
      EndpointState s = previous.get(e.address());
      if (s == null) {
        s = new EndpointState(e, now, resolved, this::availabilityChanged);
      } else {
        s.endpoint(e);
      }
      states.put(e.address(), s);
    }
    resolved = true;
    rebuild();
    ready.complete(null);
  }

  private void availabilityChanged(EndpointState s) {
    if (s.available()) {
      s.startWarming(env.now()); // Envoy: a host that becomes healthy again also starts slowly
    }
    synchronized (this) {
      if (states.get(s.address()) == s) {
        rebuild();
      }
    }
  }

  private void rebuild() {
    CompiledService svc = service;
    if (svc == null) {
      return;
    }
    List<EndpointState> members = List.copyOf(states.values());
    String none = resolved ? "the service has no endpoints" : "the service's endpoints are not discovered yet";
    EndpointPicker all = EndpointPicker.build(svc.trafficPolicy().loadBalancer(), members, none, env);
    Map<String, EndpointPicker> subsets = new HashMap<>();
    for (CompiledService.Subset sub : svc.subsets().values()) {
      List<EndpointState> selected = new ArrayList<>();
      for (EndpointState s : members) {
        if (s.endpoint().matches(sub.labels())) {
          selected.add(s);
        }
      }
      subsets.put(sub.name(), EndpointPicker.build(sub.trafficPolicy().loadBalancer(), selected,
          members.isEmpty() ? none : "the subset's labels " + sub.labels() + " select none of the service's "
              + members.size() + " endpoints", env));
    }
    pickers = new Published(all, Map.copyOf(subsets));
  }

  /** The picker of the whole service ({@code subset} null) or of a subset (empty for an unknown subset). */
  EndpointPicker picker(@Nullable String subset) {
    Published p = pickers;
    if (subset == null) {
      return p.all();
    }
    EndpointPicker s = p.subsets().get(subset);
    return s != null ? s : EndpointPicker.empty(p.all().policy(), "the service has no subset '" + subset + "'", env);
  }

  CompletableFuture<Void> ready() {
    return ready;
  }

  synchronized List<EndpointState> states() {
    return List.copyOf(states.values());
  }

  synchronized @Nullable EndpointState state(String address) {
    return states.get(address);
  }
}
