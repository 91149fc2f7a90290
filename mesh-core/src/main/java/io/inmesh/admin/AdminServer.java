package io.inmesh.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.inmesh.config.AdminConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint on the JDK's HTTP server (no dependency): {@code /metrics}, {@code /healthz}, {@code /readyz},
 * {@code /mesh/stats}, {@code /mesh/edges}, {@code /mesh/config} and {@code /mesh/tap} (server-sent events). Bound
 * to loopback unless configured otherwise; read-only (GET and HEAD only). Its threads are daemons from a bounded
 * pool, so a flood of admin requests cannot starve the application.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  static final int MAX_THREADS = 8;
  /** Idle time after which a tap stream sends an SSE comment, to notice readers that went away. */
  static final long TAP_KEEPALIVE_MILLIS = 1000;

  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Binds and starts the server. */
  public static AdminServer start(AdminConfig config, AdminSource source) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 16);
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "inmesh-admin-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    server.setExecutor(executor);
    server.createContext("/metrics", text(source::metrics, "text/plain; version=0.0.4; charset=utf-8"));
    server.createContext("/healthz", get(ex -> send(ex, 200, "text/plain; charset=utf-8", "ok\n")));
    server.createContext("/readyz", get(ex -> {
      AdminSource.Health h = source.readiness();
      send(ex, h.ok() ? 200 : 503, "text/plain; charset=utf-8", h.detail() + "\n");
    }));
    server.createContext("/mesh/stats", text(source::stats, "application/json"));
    server.createContext("/mesh/edges", text(source::edges, "application/json"));
    server.createContext("/mesh/config", text(source::config, "application/json"));
    server.createContext("/mesh/tap", get(ex -> tap(ex, source)));
    server.createContext("/", get(ex -> send(ex, 404, "text/plain; charset=utf-8",
        "not found; try /metrics /healthz /readyz /mesh/stats /mesh/edges /mesh/config /mesh/tap\n")));
    server.start();
    log.info("mesh admin listening on http://{}:{}", config.bindAddress(), server.getAddress().getPort());
    return new AdminServer(server, executor);
  }

  /** The bound address (the real port when 0 was configured). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  @FunctionalInterface
  private interface Body {
    String get();
  }

  @FunctionalInterface
  private interface Handler {
    void handle(HttpExchange ex) throws IOException;
  }

  private static HttpHandler text(Body body, String contentType) {
    return get(ex -> send(ex, 200, contentType, body.get()));
  }

  private static HttpHandler get(Handler handler) {
    return ex -> {
      try (ex) {
        String m = ex.getRequestMethod();
        if (!m.equals("GET") && !m.equals("HEAD")) {
          ex.getResponseHeaders().set("Allow", "GET, HEAD");
          send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
          return;
        }
        handler.handle(ex);
      } catch (IOException e) {
        log.debug("admin request {} failed", ex.getRequestURI(), e);
      } catch (RuntimeException e) {
        log.warn("admin request {} failed", ex.getRequestURI(), e);
        try {
          send(ex, 500, "text/plain; charset=utf-8", "internal error: " + e + "\n");
        } catch (IOException | RuntimeException ignored) {
          // headers may already be sent
        }
      }
    };
  }

  private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length == 0 ? -1 : bytes.length);
    if (!head && bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Streams events until the reader goes away, or {@code limit} events / {@code seconds} have passed. */
  private static void tap(HttpExchange ex, AdminSource source) throws IOException {
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    long limit = parse(query.get("limit"), Long.MAX_VALUE);
    long seconds = parse(query.get("seconds"), Long.MAX_VALUE / 2_000_000_000L);
    AdminSource.TapStream stream = source.tap(query);
    if (stream == null) {
      send(ex, 503, "text/plain; charset=utf-8", "too many tap readers\n");
      return;
    }
    try (stream) {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      out.write(": tap started\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long sent = 0;
      while (sent < limit && deadline - System.nanoTime() > 0) {
        String event = stream.next(Math.min(TAP_KEEPALIVE_MILLIS,
            Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        String chunk = event != null ? "data: " + event + "\n\n" : ": dropped " + stream.dropped() + "\n\n";
        out.write(chunk.getBytes(StandardCharsets.UTF_8)); // throws when the reader went away
        out.flush();
        if (event != null) {
          sent++;
        }
      }
      out.close();
    }
  }

  private static long parse(String s, long otherwise) {
    if (s == null) {
      return otherwise;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> m = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return m;
    }
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      m.putIfAbsent(k, v);
    }
    return m;
  }
}
