package io.inmesh.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inmesh.discovery.Endpoint;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service registry in etcd. Each instance registers under {@code <prefix><namespace>/<service>/<instanceId>} with
 * a lease that it keeps alive; it deregisters by revoking the lease on close, and an instance that dies without
 * deregistering disappears when its lease expires. Clients watch a service's prefix and receive its complete
 * endpoint list on every change.
 */
public final class EtcdRegistry {
  private static final Logger log = LoggerFactory.getLogger(EtcdRegistry.class);
  /** Where registrations live unless told otherwise. */
  public static final String DEFAULT_PREFIX = "/inmesh/registry/";

  private final EtcdClient client;
  private final String prefix;

  public EtcdRegistry(EtcdClient client, String prefix) {
    this.client = Objects.requireNonNull(client);
    this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
  }

  /** The key prefix of one service's instances. */
  public String servicePrefix(String namespace, String service) {
    return prefix + namespace + "/" + service + "/";
  }

  /**
   * Registers an instance and keeps its lease alive on {@code scheduler} every {@code ttl / 3}. If the lease was lost
   * (a partition longer than the TTL), the registration is re-created under a new lease.
   */
  public Registration register(String namespace, String service, String instanceId, Endpoint endpoint,
      Duration ttl, ScheduledExecutorService scheduler) throws IOException {
    Registration r = new Registration(servicePrefix(namespace, service) + instanceId, encode(endpoint),
        Math.max(2, ttl.toSeconds()), scheduler);
    r.start();
    return r;
  }

  /** The current endpoints of a service. */
  public List<Endpoint> endpoints(String namespace, String service) throws IOException {
    List<Endpoint> out = new ArrayList<>();
    for (EtcdClient.KeyValue kv : client.range(servicePrefix(namespace, service), true).kvs()) {
      Endpoint e = decode(kv.key(), kv.value());
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Watches a service: {@code onChange} receives the complete endpoint list (sorted by instance key) first with the
   * current state, then after every change, on the watch's thread.
   */
  public EtcdClient.Watch watch(String namespace, String service, Consumer<List<Endpoint>> onChange)
      throws IOException {
    String p = servicePrefix(namespace, service);
    Map<String, Endpoint> current = new TreeMap<>();
    EtcdClient.Range initial = client.range(p, true);
    load(current, initial);
    onChange.accept(List.copyOf(current.values()));
    return client.watch("inmesh-registry-" + service, p, true, initial.revision() + 1,
        new EtcdClient.WatchListener() {
          @Override
          public void onEvents(List<EtcdClient.WatchEvent> events, long revision) {
            for (EtcdClient.WatchEvent e : events) {
              Endpoint endpoint = e.delete() ? null : decode(e.kv().key(), e.kv().value());
              if (endpoint == null) {
                current.remove(e.kv().key());
              } else {
                current.put(e.kv().key(), endpoint);
              }
            }
            onChange.accept(List.copyOf(current.values()));
          }

          @Override
          public long onCompacted(long compactRevision) throws IOException {
            EtcdClient.Range again = client.range(p, true);
            current.clear();
            load(current, again);
            onChange.accept(List.copyOf(current.values()));
            return again.revision();
          }
        });
  }

  private static void load(Map<String, Endpoint> into, EtcdClient.Range range) {
    for (EtcdClient.KeyValue kv : range.kvs()) {
      Endpoint e = decode(kv.key(), kv.value());
      if (e != null) {
        into.put(kv.key(), e);
      }
    }
  }

  static String encode(Endpoint e) {
    ObjectNode n = EtcdClient.JSON.createObjectNode().put("host", e.host()).put("port", e.port())
        .put("weight", e.weight());
    if (e.zone() != null) {
      n.put("zone", e.zone());
    }
    ObjectNode labels = n.putObject("labels");
    e.labels().forEach(labels::put);
    return n.toString();
  }

  static @Nullable Endpoint decode(String key, String json) {
    try {
      JsonNode n = EtcdClient.JSON.readTree(json);
      Map<String, String> labels = new HashMap<>();
      n.path("labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
      return new Endpoint(n.path("host").asText(), n.path("port").asInt(), labels, Math.max(1, n.path("weight")
          .asInt(1)), n.hasNonNull("zone") ? n.path("zone").asText() : null);
    } catch (IOException | RuntimeException e) {
      // One bad registration must not hide the others.
      log.warn("ignoring malformed registration {}: {}", key, e.toString());
      return null;
    }
  }

  /** One instance's registration; {@link #close()} deregisters it. */
  public final class Registration implements Closeable {
    private final String key;
    private final String value;
    private final long ttlSeconds;
    private final ScheduledExecutorService scheduler;
    private volatile long lease;
    private volatile @Nullable ScheduledFuture<?> keepAlive;
    private volatile boolean closed;

    private Registration(String key, String value, long ttlSeconds, ScheduledExecutorService scheduler) {
      this.key = key;
      this.value = value;
      this.ttlSeconds = ttlSeconds;
      this.scheduler = scheduler;
    }

    private void start() throws IOException {
      create();
      long period = Math.max(500, TimeUnit.SECONDS.toMillis(ttlSeconds) / 3);
      keepAlive = scheduler.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
    }

    private void create() throws IOException {
      long id = client.grantLease(ttlSeconds);
      client.put(key, value, id);
      lease = id;
    }

    private void refresh() {
      if (closed) {
        return;
      }
      try {
        if (client.keepAlive(lease) <= 0) {
          log.warn("etcd lease of {} expired; registering again", key);
          create();
        }
      } catch (IOException | RuntimeException e) {
        // The next tick retries; the TTL leaves room for two missed refreshes.
        log.debug("etcd keepalive of {} failed: {}", key, e.toString());
      }
    }

    /** The key this instance is registered under. */
    public String key() {
      return key;
    }

    /** The lease currently holding the registration. */
    public long lease() {
      return lease;
    }

    @Override
    public void close() {
      closed = true;
      ScheduledFuture<?> f = keepAlive;
      if (f != null) {
        f.cancel(false);
      }
      try {
        client.revokeLease(lease);
      } catch (IOException e) {
        log.warn("cannot deregister {} from etcd ({}); it disappears when its lease expires", key, e.toString());
      }
    }
  }
}
