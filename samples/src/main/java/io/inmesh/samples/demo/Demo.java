package io.inmesh.samples.demo;

import io.inmesh.Mesh;
import io.inmesh.http.MeshOkHttp;
import io.inmesh.resilience.Resilience;
import jakarta.servlet.http.HttpServlet;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ConfigurableApplicationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running demo: every instance, the load, the intruders. {@link #start} brings the fleet up (servers before their
 * callers), {@link #run} drives it until the duration ends or {@link #stop} is called, {@link #close} takes it down.
 */
final class Demo implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);
  static final double FLAKY_FAILURE_RATE = 0.2;
  static final String SPRING_INSTANCE = "api-service-v2";
  private static final Duration REFRESH = Duration.ofSeconds(2);
  private static final int WARM_UP_REQUESTS = 40;
  /** A call's own timeout (10 s) plus time to leave the dispatcher's queue on a starved machine. */
  private static final Duration DRAIN = Duration.ofSeconds(15);
  /** Requests of the load generator in flight at most: on a starved machine, requests wait instead of piling up. */
  private static final int LOAD_CONCURRENCY = 64;

  private final DemoOptions options;
  private final DemoPorts ports;
  private final Workloads workloads;
  private final List<Instance> instances = new ArrayList<>();
  private final List<OkHttpClient> clients = new ArrayList<>();
  private final List<AutoCloseable> others = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private @Nullable LoadGenerator load;
  private @Nullable Intruders intruders;

  private Demo(DemoOptions options, DemoPorts ports) {
    this.options = options;
    this.ports = ports;
    this.workloads = new Workloads(options.config(), ports, options.stateDir());
  }

  /** Thrown for a problem the user can fix (a port in use, a broken configuration): its message says how. */
  static final class DemoException extends Exception {
    DemoException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  static Demo start(DemoOptions options) throws DemoException {
    DemoPorts ports = DemoPorts.of(options.basePort());
    List<String> taken = ports.taken();
    if (!taken.isEmpty()) {
      throw new DemoException("ports in use: " + String.join(", ", taken) + " (another demo running? or pass"
          + " --base-port N to use N to N+" + (DemoPorts.RANGE - 1) + ")", null);
    }
    Demo demo = new Demo(options, ports);
    try {
      demo.startFleet();
      return demo;
    } catch (Exception e) {
      demo.close();
      throw new DemoException("the demo did not start: " + e.getMessage(), e);
    }
  }

  private void startFleet() throws Exception {
    Files.createDirectories(options.stateDir());
    // Callees first, so no caller ever meets a port nobody listens on.
    server("payments", "payments-a", Map.of(), m -> DemoServlets.payments("payments-a", 0));
    server("payments", "payments-b", Map.of(), m -> DemoServlets.payments("payments-b", FLAKY_FAILURE_RATE));
    for (String instance : List.of("api-service-v1-a", "api-service-v1-b")) {
      server("api-service", instance, Map.of("version", "v1"), m -> DemoServlets.api(meshed(m, 64), instance, "v1"));
    }
    // The canary is the Spring Boot rewrite: the starter meshes it from properties.
    ConfigurableApplicationContext v2 = SpringApiService.start(SPRING_INSTANCE, "v2", ports.server(SPRING_INSTANCE),
        ports.admin(SPRING_INSTANCE), workloads, ports, options);
    instances.add(new Instance(SPRING_INSTANCE, "api-service", SpringApiService.mesh(v2), v2));
    server("frontend", "frontend", Map.of(), m -> DemoServlets.frontend(meshed(m, 64)));

    Mesh loadgen = client("loadgen");
    load = new LoadGenerator(meshed(loadgen, LOAD_CONCURRENCY), options.rps());
    Mesh intruder = client("intruder");
    Mesh rogue = workloads.rogue();
    others.add(rogue);
    intruders = new Intruders(rogue, loadgen, ports.server("api-service-v1-a"), meshed(intruder, 8));
    load.warmUp(WARM_UP_REQUESTS);
    load.start();
    intruders.start();
  }

  /** Builds a server instance: its mesh, then its application behind the mesh's connector and filter. */
  private void server(String workload, String instance, Map<String, String> labels,
      Function<Mesh, HttpServlet> application) throws Exception {
    Mesh mesh = workloads.mesh(workload, instance, labels);
    try {
      MeshedServer server = MeshedServer.start(instance, mesh, ports.server(instance), application.apply(mesh));
      instances.add(new Instance(instance, workload, mesh, server));
    } catch (Exception e) {
      mesh.close();
      throw e;
    }
  }

  /** A client-only workload (one instance, named as the workload). */
  private Mesh client(String workload) {
    Mesh mesh = workloads.mesh(workload, workload, Map.of());
    instances.add(new Instance(workload, workload, mesh, null));
    return mesh;
  }

  /** A meshed OkHttp client; {@code concurrency} bounds its asynchronous calls. */
  private OkHttpClient meshed(Mesh mesh, int concurrency) {
    Dispatcher d = new Dispatcher();
    d.setMaxRequests(concurrency);
    d.setMaxRequestsPerHost(concurrency);
    OkHttpClient base = new OkHttpClient.Builder()
        .dispatcher(d)
        .connectTimeout(Duration.ofSeconds(2))
        .readTimeout(Duration.ofSeconds(5))
        .callTimeout(Duration.ofSeconds(10))
        .build();
    clients.add(base);
    return MeshOkHttp.wrap(mesh, base);
  }

  DemoPorts ports() {
    return ports;
  }

  List<Instance> instances() {
    return List.copyOf(instances);
  }

  /**
   * Runs until the duration ends or {@link #stop} is called, printing the table to {@code table} every 2 s (null:
   * no table), then stops the load, waits for it to drain and returns the summary.
   */
  DemoSummary run(@Nullable PrintStream table, boolean clearScreen) throws InterruptedException {
    LoadGenerator l = require(load);
    Intruders in = require(intruders);
    StatsBoard board = table == null ? null : new StatsBoard(instances, ports, l.counts, in, options.rps(),
        options.config().toString());
    long start = System.nanoTime();
    // The table refreshes on its own thread: a slow refresh (a starved machine) never stretches the duration.
    ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-table");
      t.setDaemon(true);
      return t;
    });
    if (board != null) {
      refresher.scheduleWithFixedDelay(() -> {
        try {
          board.print(table, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), clearScreen);
        } catch (RuntimeException e) {
          log.warn("table refresh failed", e); // the next refresh tries again
        }
      }, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }
    try {
      if (options.duration() == null) {
        stopped.await();
      } else {
        stopped.await(options.duration().toNanos(), TimeUnit.NANOSECONDS);
      }
    } finally {
      refresher.shutdownNow();
      refresher.awaitTermination(5, TimeUnit.SECONDS);
    }
    long elapsed = System.nanoTime() - start;
    l.stop(DRAIN);
    if (!l.counts.failures.isEmpty()) {
      log.info("failed user requests by cause: {}", l.counts.failures);
    }
    in.close();
    return summary(Math.round(elapsed / 1e9), l.counts, in);
  }

  /** Ends {@link #run} early (Ctrl-C). */
  void stop() {
    stopped.countDown();
  }

  private DemoSummary summary(long seconds, LoadGenerator.Counts c, Intruders in) {
    long retries = 0;
    double ejections = 0;
    double served = 0;
    double servedMtls = 0;
    for (Instance i : instances) {
      Resilience r = i.mesh().feature(Resilience.class);
      retries += r == null ? 0 : r.stats().retries();
      String metrics = i.scrape();
      ejections += Metrics.sum(metrics, "inmesh_outlier_ejections_total");
      if (i.server() != null) {
        served += Metrics.sum(metrics, "istio_requests_total", List.of("reporter=\"destination\""));
        servedMtls += Metrics.sum(metrics, "istio_requests_total",
            List.of("reporter=\"destination\"", "connection_security_policy=\"mutual_tls\""));
      }
    }
    return new DemoSummary(seconds, c.sent.sum(), c.succeeded.sum(), c.v1.sum(), c.v2.sum(), retries,
        (long) ejections, in.untrusted.sum(), in.forbidden.sum(), served == 0 ? 0 : servedMtls / served, ports.all());
  }

  private static <T> T require(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("the demo is not started");
    }
    return value;
  }

  @Override
  public void close() {
    closeQuietly(load);
    closeQuietly(intruders);
    // Clients first: their idle keep-alive connections closed, the servers have nothing left to wait for.
    for (OkHttpClient c : clients) {
      c.dispatcher().executorService().shutdownNow();
      c.connectionPool().evictAll();
    }
    // In parallel: each server waits a little for its connections to close, and the waits need not add up.
    List<Thread> stopping = new ArrayList<>();
    for (Instance i : instances) {
      if (i.server() != null) {
        Thread t = new Thread(() -> closeQuietly(i.server()), "stop-" + i.name());
        t.start();
        stopping.add(t);
      }
    }
    for (Thread t : stopping) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (int i = instances.size() - 1; i >= 0; i--) {
      closeQuietly(instances.get(i).mesh());
    }
    others.forEach(Demo::closeQuietly);
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception | Error e) {
      log.warn("closing {}: {}", c, e.toString());
    }
  }
}
