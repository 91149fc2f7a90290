package io.inmesh.config;

import io.inmesh.internal.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration from any URL serving the mesh YAML: a plain web server, a Spring Cloud Config Server's raw-file
 * endpoint, an object store.
 *
 * <p>Polls with {@code If-None-Match} / {@code If-Modified-Since} so an unchanged file costs a 304. With
 * {@link Builder#longPoll(Duration)}, each request also asks the server to hold it until the content changes
 * ({@code Prefer: wait=N}, RFC 7240); a server that ignores the header simply answers at once and the source polls.
 * Failures back off exponentially with full jitter. The text goes through the same validation and last-good rules as
 * every source: the mesh, not the source, decides what is applied.
 */
public final class HttpConfigSource implements ConfigSource {
  private static final Logger log = LoggerFactory.getLogger(HttpConfigSource.class);

  private final URI url;
  private final HttpClient client;
  private final Duration pollInterval;
  private final Duration longPoll;
  private final Duration requestTimeout;
  private final Duration backoffBase;
  private final Duration backoffMax;
  private final @Nullable String authHeaderName;
  private final @Nullable Supplier<@Nullable String> authHeaderValue;
  private final long maxBytes;
  private final Object lock = new Object();
  private @Nullable String etag;
  private @Nullable String lastModified;
  private @Nullable Thread thread;
  private volatile boolean closed;

  private HttpConfigSource(Builder b) {
    this.url = b.url;
    HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(b.requestTimeout)
        .followRedirects(HttpClient.Redirect.NORMAL);
    if (b.sslContext != null) {
      hb.sslContext(b.sslContext);
    }
    this.client = hb.build();
    this.pollInterval = b.pollInterval;
    this.longPoll = b.longPoll;
    this.requestTimeout = b.requestTimeout;
    this.backoffBase = b.backoffBase;
    this.backoffMax = b.backoffMax;
    this.authHeaderName = b.authHeaderName;
    this.authHeaderValue = b.authHeaderValue;
    this.maxBytes = b.maxBytes;
  }

  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /** Options of an {@link HttpConfigSource}. */
  public static final class Builder {
    private final URI url;
    private Duration pollInterval = Duration.ofSeconds(10);
    private Duration longPoll = Duration.ZERO;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration backoffBase = Duration.ofSeconds(1);
    private Duration backoffMax = Duration.ofSeconds(60);
    private @Nullable SSLContext sslContext;
    private @Nullable String authHeaderName;
    private @Nullable Supplier<@Nullable String> authHeaderValue;
    private long maxBytes = ConfigLoader.DEFAULT_MAX_FILE_BYTES;

    private Builder(URI url) {
      String scheme = Objects.requireNonNull(url, "url").getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("config URL must be http or https: " + url);
      }
      this.url = url;
    }

    /** How often to ask for changes when the server does not hold requests (default 10 s). */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = requirePositive(pollInterval, "pollInterval");
      return this;
    }

    /** Ask the server to hold each request up to this long until the content changes (default: off). */
    public Builder longPoll(Duration longPoll) {
      this.longPoll = Objects.requireNonNull(longPoll);
      return this;
    }

    /** Connect and response timeout of one request, on top of the long-poll wait (default 10 s). */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requirePositive(requestTimeout, "requestTimeout");
      return this;
    }

    /** First and largest delay after failures (default 1 s and 60 s; full jitter). */
    public Builder backoff(Duration base, Duration max) {
      this.backoffBase = requirePositive(base, "base");
      this.backoffMax = requirePositive(max, "max");
      return this;
    }

    /** TLS trust for an https URL: the mesh's trust bundle, or a given CA (default: the JDK's trust store). */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext);
      return this;
    }

    /**
     * Sends {@code header} with the value of environment variable {@code envVar} (read at each request, so a
     * rotated token is picked up; never logged). A missing variable sends no header.
     */
    public Builder authHeaderFromEnvironment(String header, String envVar) {
      Objects.requireNonNull(envVar);
      return authHeader(header, () -> System.getenv(envVar));
    }

    /** Sends {@code header} with the supplier's value at each request (null: no header). */
    public Builder authHeader(String header, Supplier<@Nullable String> value) {
      this.authHeaderName = Objects.requireNonNull(header);
      this.authHeaderValue = Objects.requireNonNull(value);
      return this;
    }

    /** The largest response accepted (default 16 MiB, as files). */
    public Builder maxBytes(long maxBytes) {
      this.maxBytes = maxBytes;
      return this;
    }

    public HttpConfigSource build() {
      return new HttpConfigSource(this);
    }

    private static Duration requirePositive(Duration d, String name) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }

  @Override
  public String description() {
    return url.toString();
  }

  @Override
  public List<ConfigDocument> read() throws IOException {
    List<ConfigDocument> docs = fetch(false);
    if (docs == null) {
      throw new IOException("config server " + url + " answered 304 to an unconditional request");
    }
    return docs;
  }

  /** One request; null when the content has not changed (304). */
  private @Nullable List<ConfigDocument> fetch(boolean conditional) throws IOException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(url).GET()
        .header("Accept", "application/yaml, application/x-yaml, text/yaml, text/plain, */*")
        .timeout(longPoll.isZero() || !conditional ? requestTimeout : requestTimeout.plus(longPoll));
    String tag;
    String modified;
    synchronized (lock) {
      tag = etag;
      modified = lastModified;
    }
    if (conditional && tag != null) {
      rb.header("If-None-Match", tag);
    }
    if (conditional && modified != null) {
      rb.header("If-Modified-Since", modified);
    }
    if (conditional && !longPoll.isZero()) {
      rb.header("Prefer", "wait=" + Math.max(1, longPoll.toSeconds()));
    }
    if (authHeaderName != null && authHeaderValue != null) {
      String value = authHeaderValue.get();
      if (value != null && !value.isEmpty()) {
        rb.header(authHeaderName, value);
      }
    }
    HttpResponse<InputStream> response;
    try {
      response = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status == 304) {
        return null;
      }
      if (status != 200) {
        throw new IOException("config server " + url + " answered HTTP " + status);
      }
      byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (bytes.length > maxBytes) {
        throw new ConfigException(List.of(new ConfigProblem(url.toString(), 0, 0, "",
            "response over the limit of " + maxBytes + " bytes", "a smaller document",
            ConfigProblem.Severity.ERROR)));
      }
      synchronized (lock) {
        etag = response.headers().firstValue("ETag").orElse(null);
        lastModified = response.headers().firstValue("Last-Modified").orElse(null);
      }
      return List.of(new ConfigDocument(url.toString(), new String(bytes, StandardCharsets.UTF_8)));
    }
  }

  @Override
  public void watch(Listener listener) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (thread != null) {
        throw new IllegalStateException("already watching");
      }
      Thread t = new Thread(() -> loop(listener), "inmesh-config-http");
      t.setDaemon(true);
      thread = t;
      t.start();
    }
  }

  private void loop(Listener listener) {
    int failures = 0;
    while (!closed) {
      try {
        long waitNanos = failures == 0 ? (longPoll.isZero() ? pollInterval.toNanos() : 0) : backoffNanos(failures);
        if (waitNanos > 0) {
          TimeUnit.NANOSECONDS.sleep(waitNanos);
        }
        if (closed) {
          return;
        }
        List<ConfigDocument> docs = fetch(true);
        if (failures > 0) {
          log.info("config server {} reachable again after {} failures", url, failures);
        }
        failures = 0;
        if (docs != null) {
          listener.onChange(docs);
        } else {
          listener.onUnchanged();
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        failures++;
        if (failures == 1) {
          log.warn("config server {} unreachable, keeping the current config: {}", url, e.toString());
        } else {
          log.debug("config server {} still unreachable ({} failures): {}", url, failures, e.toString());
        }
        listener.onError(e);
      }
    }
  }

  /**
   * Exponential backoff with jitter: uniform in [cap/10, cap] with cap = min(max, base * 2^(failures-1)), so a fleet
   * that lost its config server together does not come back in lockstep (and never spins with a zero wait).
   */
  private long backoffNanos(int failures) {
    long cap = backoffMax.toNanos();
    long exp = backoffBase.toNanos() << Math.min(failures - 1, 30);
    long bound = exp <= 0 || exp > cap ? cap : exp;
    return ThreadLocalRandom.current().nextLong(bound / 10, bound + 1);
  }

  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      t = thread;
    }
    Threads.stop(t);
  }

  @Override
  public String toString() {
    return description();
  }
}
