package io.inmesh.etcd;

import io.inmesh.internal.Threads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small etcd v3 client over the JSON gateway ({@code /v3/kv/*}, {@code /v3/watch}, {@code /v3/lease/*}), with
 * failover across the cluster's client URLs: a call that cannot reach one member (refused, reset, timeout, 5xx) is
 * tried on the next, and the member that answered becomes the first choice for later calls.
 *
 * <p>Why not jetcd: it brings gRPC, Vert.x, two Netty lines and Guava (about 43 jars) into an application that only
 * wanted a mesh. OkHttp and Jackson are already on an InMesh user's class path.
 */
public final class EtcdClient implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(EtcdClient.class);
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> endpoints;
  private final OkHttpClient http;
  private final OkHttpClient streaming;
  private final AtomicInteger preferred = new AtomicInteger();

  /** A key-value pair as etcd stores it. */
  public record KeyValue(String key, String value, long modRevision, long lease) {}

  /** The result of a range read: the pairs and the store revision they were read at. */
  public record Range(List<KeyValue> kvs, long revision) {
    public Range {
      kvs = List.copyOf(kvs);
    }
  }

  /** One event of a watch. */
  public record WatchEvent(boolean delete, KeyValue kv) {}

  /** Receives a watch's events, on the watch's thread. */
  public interface WatchListener {
    /** Events of one revision, in order. */
    void onEvents(List<WatchEvent> events, long revision);

    /**
     * The revision to resume from was compacted away: events were lost. The listener must re-read the state
     * ({@link #range}) and return the revision it read at; the watch resumes after it.
     */
    long onCompacted(long compactRevision) throws IOException;
  }

  /**
   * A client for the given members' client URLs ({@code http://127.0.0.1:2379}).
   *
   * @param requestTimeout timeout of unary calls (watches stream without one, see {@link #watch})
   */
  public EtcdClient(List<String> endpoints, Duration requestTimeout) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no etcd endpoints");
    }
    List<String> clean = new ArrayList<>();
    for (String e : endpoints) {
      String u = e.strip();
      clean.add(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    }
    this.endpoints = List.copyOf(clean);
    this.http = new OkHttpClient.Builder()
        .connectTimeout(requestTimeout)
        .readTimeout(requestTimeout)
        .callTimeout(requestTimeout)
        .retryOnConnectionFailure(false) // failover is ours: try the next member instead
        .build();
    // A watch is a long response; a read timeout bounds how long a silent (possibly dead) member can hold it.
    this.streaming = http.newBuilder().callTimeout(Duration.ZERO).readTimeout(Duration.ofSeconds(30)).build();
  }

  /** Parses a comma-separated list of client URLs. */
  public static List<String> parseEndpoints(String commaSeparated) {
    List<String> out = new ArrayList<>();
    for (String part : commaSeparated.split(",")) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  public List<String> endpoints() {
    return endpoints;
  }

  /** Reads one key, or every key with the prefix. */
  public Range range(String key, boolean prefix) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("key", b64(key));
    if (prefix) {
      body.put("range_end", prefixEnd(key));
    }
    JsonNode r = call("/v3/kv/range", body);
    List<KeyValue> kvs = new ArrayList<>();
    for (JsonNode kv : r.path("kvs")) {
      kvs.add(keyValue(kv));
    }
    return new Range(kvs, r.path("header").path("revision").asLong());
  }

  /** Writes a key (attached to a lease when {@code lease != 0}); returns the new store revision. */
  public long put(String key, String value, long lease) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("key", b64(key)).put("value", b64(value));
    if (lease != 0) {
      body.put("lease", lease);
    }
    return call("/v3/kv/put", body).path("header").path("revision").asLong();
  }

  /** Deletes a key; returns the new store revision. */
  public long delete(String key) throws IOException {
    return call("/v3/kv/deleterange", JSON.createObjectNode().put("key", b64(key)))
        .path("header").path("revision").asLong();
  }

  /** Grants a lease of {@code ttlSeconds}; returns its id. */
  public long grantLease(long ttlSeconds) throws IOException {
    return call("/v3/lease/grant", JSON.createObjectNode().put("TTL", ttlSeconds)).path("ID").asLong();
  }

  /** Refreshes a lease; returns its remaining TTL in seconds, 0 or less when the lease no longer exists. */
  public long keepAlive(long lease) throws IOException {
    JsonNode r = call("/v3/lease/keepalive", JSON.createObjectNode().put("ID", lease));
    return r.path("result").path("TTL").asLong(0);
  }

  /** Revokes a lease, deleting the keys attached to it. */
  public void revokeLease(long lease) throws IOException {
    call("/v3/lease/revoke", JSON.createObjectNode().put("ID", lease));
  }

  /** The member id of the current leader, as seen by {@code endpoint}, and that member's own id. */
  public record MemberStatus(String endpoint, long memberId, long leaderId) {}

  /** Status of one member (for tests and {@code mesh check}). */
  public MemberStatus status(String endpoint) throws IOException {
    JsonNode r = callOne(endpoint, "/v3/maintenance/status", JSON.createObjectNode());
    return new MemberStatus(endpoint, r.path("header").path("member_id").asLong(), r.path("leader").asLong());
  }

  /** A running watch; {@link #close()} stops it and waits for its thread. */
  public final class Watch implements Closeable {
    private final Thread thread;
    private volatile boolean closed;
    private volatile okhttp3.@Nullable Call current;

    private Watch(String name, String key, boolean prefix, long fromRevision, WatchListener listener) {
      this.thread = new Thread(() -> run(key, prefix, fromRevision, listener), name);
      thread.setDaemon(true);
      thread.start();
    }

    private void run(String key, boolean prefix, long fromRevision, WatchListener listener) {
      long next = fromRevision;
      long backoffMillis = 50;
      while (!closed) {
        int index = Math.floorMod(preferred.get(), endpoints.size());
        String endpoint = endpoints.get(index);
        ObjectNode create = JSON.createObjectNode().put("key", b64(key)).put("start_revision", next);
        if (prefix) {
          create.put("range_end", prefixEnd(key));
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("create_request", create);
        Request request = new Request.Builder().url(endpoint + "/v3/watch")
            .post(RequestBody.create(body.toString(), JSON_TYPE)).build();
        okhttp3.Call call = streaming.newCall(request);
        current = call;
        if (closed) {
          call.cancel();
          return;
        }
        try (Response response = call.execute()) {
          if (!response.isSuccessful()) {
            throw new IOException("watch on " + endpoint + " answered HTTP " + response.code());
          }
          BufferedSource source = Objects.requireNonNull(response.body()).source();
          String line;
          while (!closed && (line = source.readUtf8Line()) != null) {
            if (line.isBlank()) {
              continue;
            }
            JsonNode result = JSON.readTree(line).path("result");
            long compact = result.path("compact_revision").asLong(0);
            if (compact > 0) {
              // etcd cancelled the watch: the revision we asked for is gone. Re-read, then watch after the read.
              next = listener.onCompacted(compact) + 1;
              break;
            }
            List<WatchEvent> events = new ArrayList<>();
            for (JsonNode e : result.path("events")) {
              events.add(new WatchEvent("DELETE".equals(e.path("type").asText()), keyValue(e.path("kv"))));
            }
            if (!events.isEmpty()) {
              long revision = events.get(events.size() - 1).kv().modRevision();
              listener.onEvents(events, revision);
              next = revision + 1;
            }
            backoffMillis = 50;
          }
        } catch (IOException | RuntimeException e) {
          if (closed) {
            return;
          }
          // A timeout on an idle watch is expected (it bounds how long a dead member can hold us); anything else
          // moves us to the next member. Either way we resume from `next`: nothing lost, nothing repeated.
          log.debug("etcd watch of {} on {} broke ({}); resuming from revision {}", key, endpoint, e.toString(),
              next);
          if (!(e instanceof java.net.SocketTimeoutException)) {
            preferred.compareAndSet(index, index + 1);
            try {
              TimeUnit.MILLISECONDS.sleep(backoffMillis);
            } catch (InterruptedException ie) {
              return;
            }
            backoffMillis = Math.min(backoffMillis * 2, 1000);
          }
        }
      }
    }

    @Override
    public void close() {
      closed = true;
      okhttp3.Call c = current;
      if (c != null) {
        c.cancel();
      }
      Threads.stop(thread);
    }
  }

  /**
   * Watches a key (or every key with the prefix) from {@code fromRevision} on a thread of its own named
   * {@code threadName}: reconnects to the next member when a stream breaks and resumes after the last revision seen,
   * so no event is lost or repeated; a compaction goes through {@link WatchListener#onCompacted}.
   */
  public Watch watch(String threadName, String key, boolean prefix, long fromRevision, WatchListener listener) {
    return new Watch(threadName, key, prefix, fromRevision, listener);
  }

  private JsonNode call(String path, JsonNode body) throws IOException {
    IOException last = null;
    int start = preferred.get();
    for (int i = 0; i < endpoints.size(); i++) {
      int index = Math.floorMod(start + i, endpoints.size());
      try {
        JsonNode r = callOne(endpoints.get(index), path, body);
        if (i > 0) {
          preferred.set(index); // stick to the member that answers
        }
        return r;
      } catch (EtcdErrorException e) {
        throw e; // etcd answered: another member would say the same
      } catch (IOException e) {
        last = e;
      }
    }
    throw Objects.requireNonNull(last);
  }

  private JsonNode callOne(String endpoint, String path, JsonNode body) throws IOException {
    Request request = new Request.Builder().url(endpoint + path)
        .post(RequestBody.create(body.toString(), JSON_TYPE)).build();
    try (Response response = http.newCall(request).execute()) {
      String text = response.body() == null ? "" : response.body().string();
      if (response.code() >= 500) {
        throw new IOException("etcd " + endpoint + path + " answered HTTP " + response.code() + ": " + text);
      }
      JsonNode node = JSON.readTree(text);
      if (!response.isSuccessful() || node.has("error")) {
        throw new EtcdErrorException(endpoint + path + ": " + node.path("error").asText(text));
      }
      return node;
    }
  }

  /** etcd answered with an error (not a transport failure). */
  public static final class EtcdErrorException extends IOException {
    private static final long serialVersionUID = 1L;

    EtcdErrorException(String message) {
      super(message);
    }
  }

  private static KeyValue keyValue(JsonNode kv) {
    return new KeyValue(unb64(kv.path("key").asText()), unb64(kv.path("value").asText("")),
        kv.path("mod_revision").asLong(), kv.path("lease").asLong(0));
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String unb64(@Nullable String s) {
    return s == null || s.isEmpty() ? "" : new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
  }

  /** The end of a prefix range: the prefix with its last byte incremented (etcd's convention), base64. */
  static String prefixEnd(String prefix) {
    byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] != (byte) 0xff) {
        b[i]++;
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b, i + 1));
      }
    }
    return Base64.getEncoder().encodeToString(new byte[] {0}); // every key from the prefix on
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
