package io.inmesh.etcd;

import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mesh configuration stored in etcd: the YAML under one key, or one document per key under a prefix (read in key
 * order), watched from the last revision seen. A compaction that removed the revision to resume from leads to a
 * fresh read and a new watch; a member that goes away (leader change, crash) is replaced by the next client URL.
 *
 * <p>Document origins carry the revision they were read at ({@code etcd:/inmesh/config/mesh.yaml@42}), so problems
 * and the admin page name the exact revision applied.
 */
public final class EtcdConfigSource implements ConfigSource {
  private static final Logger log = LoggerFactory.getLogger(EtcdConfigSource.class);
  /** The key {@code mesh config push} writes by default. */
  public static final String DEFAULT_KEY = "/inmesh/config/mesh.yaml";

  private final EtcdClient client;
  private final String key;
  private final boolean prefix;
  private final boolean ownsClient;
  private final Object lock = new Object();
  private EtcdClient.@Nullable Watch watch;
  private volatile boolean closed;
  private volatile long lastRevision;

  private EtcdConfigSource(EtcdClient client, String key, boolean prefix, boolean ownsClient) {
    this.client = client;
    this.key = key;
    this.prefix = prefix;
    this.ownsClient = ownsClient;
  }

  /** The document under {@code key}, read through the given client URLs. */
  public static EtcdConfigSource ofKey(List<String> endpoints, String key) {
    return new EtcdConfigSource(new EtcdClient(endpoints, Duration.ofSeconds(5)), key, false, true);
  }

  /** Every document under {@code prefix}, in key order. */
  public static EtcdConfigSource ofPrefix(List<String> endpoints, String prefix) {
    return new EtcdConfigSource(new EtcdClient(endpoints, Duration.ofSeconds(5)), prefix, true, true);
  }

  /** A source on an existing client (not closed by this source). */
  public static EtcdConfigSource of(EtcdClient client, String keyOrPrefix, boolean prefix) {
    return new EtcdConfigSource(Objects.requireNonNull(client), keyOrPrefix, prefix, false);
  }

  @Override
  public String description() {
    return "etcd:" + String.join(",", client.endpoints()) + (prefix ? " prefix " : " key ") + key;
  }

  /** The etcd revision of the content last read. */
  public long lastRevision() {
    return lastRevision;
  }

  @Override
  public List<ConfigDocument> read() throws IOException {
    return documents(client.range(key, prefix));
  }

  private List<ConfigDocument> documents(EtcdClient.Range range) throws IOException {
    lastRevision = range.revision();
    if (range.kvs().isEmpty()) {
      throw new IOException("no mesh configuration in etcd under " + (prefix ? "prefix " : "key ") + key);
    }
    List<ConfigDocument> docs = new ArrayList<>();
    for (EtcdClient.KeyValue kv : range.kvs()) { // etcd returns ranges sorted by key
      docs.add(new ConfigDocument("etcd:" + kv.key() + "@" + kv.modRevision(), kv.value()));
    }
    return docs;
  }

  @Override
  public void watch(Listener listener) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (watch != null) {
        throw new IllegalStateException("already watching");
      }
      watch = client.watch("inmesh-config-etcd", key, prefix, lastRevision + 1, new EtcdClient.WatchListener() {
        @Override
        public void onEvents(List<EtcdClient.WatchEvent> events, long revision) {
          reread(listener);
        }

        @Override
        public long onCompacted(long compactRevision) {
          log.info("etcd compacted past the revision to resume from; re-reading {}", key);
          reread(listener);
          return lastRevision;
        }
      });
    }
  }

  /**
   * Reads the whole document set again: with a prefix, one event says only that something changed, and a consistent
   * read at one revision is the only way to hand the mesh a complete configuration.
   */
  private void reread(Listener listener) {
    try {
      listener.onChange(read());
    } catch (IOException e) {
      listener.onError(e);
    }
  }

  @Override
  public void close() {
    EtcdClient.Watch w;
    synchronized (lock) {
      closed = true;
      w = watch;
    }
    if (w != null) {
      w.close();
    }
    if (ownsClient) {
      client.close();
    }
  }
}
