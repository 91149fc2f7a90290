package io.inmesh.benchmarks.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inmesh.Mesh;
import io.inmesh.http.MeshOkHttp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * The load generator and client application of one variant, in a JVM of its own (pinned by {@link E2eRun} to
 * another core than the system under test).
 *
 * <p><b>Open loop</b>: {@value #CONNECTIONS} threads, one connection each (HTTP/1.1, keep-alive), share a fixed rate:
 * thread {@code i} sends request {@code k} at {@code start + (k * CONNECTIONS + i) / rate}, so requests are evenly
 * spaced whatever the responses do. Latency is measured from that <em>intended</em> send time (wrk2's correction of
 * coordinated omission): a stall delays every request scheduled behind it, and they all count it. The send lag
 * (actual minus intended send time) is recorded apart, to show the generator's own timer error.
 *
 * <p><b>Closed loop</b>: the same threads send back to back for a while; completed requests per second is the
 * maximum throughput.
 *
 * <p>CPU ticks of every process of the variant (this JVM included: it is the client application, where InMesh's
 * client side runs) are read from /proc around each row, resident memory after it. The result is one line
 * {@code RESULT <json>} on standard output. Arguments: {@code VARIANT URL PROCS PLAN [TLS_PREFIX|MESH_YAML]}, where
 * PROCS is {@code role:pid,...} and PLAN is {@code warmupSeconds;rate x size x seconds,...;maxSeconds}.
 */
public final class LoadGenerator {
  static final int CONNECTIONS = 16;
  private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(120);

  private final OkHttpClient client;
  private final String baseUrl;
  private final Map<String, List<Long>> processes;
  private final String variant;

  private LoadGenerator(String variant, OkHttpClient client, String baseUrl, Map<String, List<Long>> processes) {
    this.variant = variant;
    this.client = client;
    this.baseUrl = baseUrl;
    this.processes = processes;
  }

  public static void main(String[] args) throws Exception {
    String variant = args[0];
    Map<String, List<Long>> processes = new LinkedHashMap<>();
    processes.put("client", List.of(ProcessHandle.current().pid()));
    for (String p : args[2].split(",")) {
      String[] rp = p.split(":");
      processes.computeIfAbsent(rp[0], k -> new ArrayList<>()).add(Long.parseLong(rp[1]));
    }
    String[] plan = args[3].split(";");
    OkHttpClient base = new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(4 * CONNECTIONS, 5, TimeUnit.MINUTES))
        .protocols(List.of(Protocol.HTTP_1_1))
        .build();
    Mesh mesh = null;
    OkHttpClient client = switch (variant) {
      case "raw-plain", "sidecar" -> base;
      case "raw-mtls" -> {
        PlainTls.Context tls = PlainTls.fromPem(args[4]);
        // Trust is the CA; the certificate names a SPIFFE ID, no host: the name check is left out (it runs once
        // per connection, so it would not change the figures).
        yield base.newBuilder().sslSocketFactory(tls.sslContext().getSocketFactory(), tls.trustManager())
            .hostnameVerifier((host, session) -> true).build();
      }
      case "inmesh" -> {
        mesh = Mesh.builder().workload("frontend").config(Path.of(args[4])).watch(false).build();
        yield MeshOkHttp.wrap(mesh, base);
      }
      default -> throw new IllegalArgumentException("variant: " + variant);
    };
    LoadGenerator gen = new LoadGenerator(variant, client, args[1], processes);
    Map<String, Object> result = gen.run(Double.parseDouble(plan[0]), plan[1], Double.parseDouble(plan[2]));
    result.put("variant", variant);
    System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
    System.out.flush();
    client.connectionPool().evictAll();
    client.dispatcher().executorService().shutdown();
    if (mesh != null) {
      mesh.close();
    }
    System.exit(0);
  }

  private Map<String, Object> run(double warmupSeconds, String rows, double maxSeconds) throws InterruptedException {
    List<int[]> plan = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    for (String row : rows.split(",")) {
      String[] f = row.split("x");
      plan.add(new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])});
      seconds.add(Double.parseDouble(f[2]));
    }
    // Warm-up: a closed-loop burst first (the most requests per second of warm-up: the JIT compiles the hot path
    // before the measurement, rather than during it, when its CPU would be counted), then every payload size of the
    // plan at 1000 rps (pools, connections, TLS sessions at the measured pace).
    if (warmupSeconds > 0) {
      closedLoop(1024, warmupSeconds);
      for (int size : plan.stream().mapToInt(r -> r[1]).distinct().toArray()) {
        openLoop(1000, size, Math.min(10, Math.max(1, warmupSeconds / 2)));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    List<Object> measured = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      measured.add(openLoop(plan.get(i)[0], plan.get(i)[1], seconds.get(i)));
    }
    out.put("rows", measured);
    out.put("max", maxSeconds > 0 ? closedLoop(1024, maxSeconds) : Map.of());
    out.put("liveHeapMiB", liveHeap());
    return out;
  }

  /** One open-loop row: latency percentiles from the intended send time, CPU per process, RSS after. */
  private Map<String, Object> openLoop(int rate, int size, double seconds) throws InterruptedException {
    Request request = new Request.Builder().url(baseUrl + "/api/payload/" + size).build();
    long periodNanos = Math.round(1e9 * CONNECTIONS / rate);
    long perThread = Math.max(1, Math.round(rate * seconds / CONNECTIONS));
    Histogram[] latency = new Histogram[CONNECTIONS];
    Histogram[] lag = new Histogram[CONNECTIONS];
    AtomicLong errors = new AtomicLong();
    AtomicLong missed = new AtomicLong();
    String[] firstError = new String[1];
    CountDownLatch done = new CountDownLatch(CONNECTIONS);
    Map<String, Long> cpuBefore = cpu();
    Map<String, Map<String, Long>> threadsBefore = threads();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long hardStop = start + (long) (seconds * 1e9) + TimeUnit.SECONDS.toNanos(15);
    for (int t = 0; t < CONNECTIONS; t++) {
      int thread = t;
      latency[t] = new Histogram(HIGHEST_MICROS, 3);
      lag[t] = new Histogram(HIGHEST_MICROS, 3);
      Thread th = new Thread(() -> {
        try {
          long intended = start + Math.round(1e9 * thread / rate);
          for (long k = 0; k < perThread; k++, intended += periodNanos) {
            long now;
            while ((now = System.nanoTime()) < intended) {
              LockSupport.parkNanos(intended - now);
            }
            if (now > hardStop) {
              missed.addAndGet(perThread - k);
              return;
            }
            lag[thread].recordValue(Math.min(HIGHEST_MICROS, (now - intended) / 1000));
            String error = call(request, size);
            if (error != null) {
              errors.incrementAndGet();
              firstError[0] = error;
            }
            latency[thread].recordValue(Math.min(HIGHEST_MICROS, (System.nanoTime() - intended) / 1000));
          }
        } finally {
          done.countDown();
        }
      }, "open-loop-" + t);
      th.start();
    }
    done.await();
    long elapsed = System.nanoTime() - start;
    Map<String, Long> cpuAfter = cpu();
    Map<String, Map<String, Long>> threadsAfter = threads();
    Histogram all = new Histogram(HIGHEST_MICROS, 3);
    Histogram lags = new Histogram(HIGHEST_MICROS, 3);
    for (int t = 0; t < CONNECTIONS; t++) {
      all.add(latency[t]);
      lags.add(lag[t]);
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("rate", rate);
    row.put("size", size);
    row.put("seconds", elapsed / 1e9);
    row.put("requests", all.getTotalCount());
    row.put("errors", errors.get());
    row.put("missed", missed.get());
    if (firstError[0] != null) {
      row.put("firstError", firstError[0]);
    }
    row.put("p50Ms", all.getValueAtPercentile(50) / 1000.0);
    row.put("p90Ms", all.getValueAtPercentile(90) / 1000.0);
    row.put("p99Ms", all.getValueAtPercentile(99) / 1000.0);
    row.put("p999Ms", all.getValueAtPercentile(99.9) / 1000.0);
    row.put("maxMs", all.getMaxValue() / 1000.0);
    row.put("sendLagP50Ms", lags.getValueAtPercentile(50) / 1000.0);
    row.put("sendLagP99Ms", lags.getValueAtPercentile(99) / 1000.0);
    Map<String, Double> cpuSeconds = new LinkedHashMap<>();
    cpuAfter.forEach((role, ticks) -> cpuSeconds.put(role, (ticks - cpuBefore.getOrDefault(role, 0L))
        / Procs.TICKS_PER_SECOND));
    row.put("cpuSeconds", cpuSeconds);
    row.put("rssMiB", rss());
    row.put("rssFileMiB", rssFile());
    // Where each JVM's CPU went, per thread name (ticks), and its context switches: the first thing to look at when
    // a variant costs more than another.
    Map<String, Map<String, Long>> threadDelta = new LinkedHashMap<>();
    threadsAfter.forEach((role, after) -> {
      Map<String, Long> before = threadsBefore.getOrDefault(role, Map.of());
      Map<String, Long> d = new LinkedHashMap<>();
      after.forEach((name, v) -> {
        long delta = v - before.getOrDefault(name, 0L);
        if (delta > 0) {
          d.put(name, delta);
        }
      });
      threadDelta.put(role, d);
    });
    row.put("threadTicksAndSwitches", threadDelta);
    return row;
  }

  /** Closed loop: every thread sends back to back for {@code seconds}; completed requests per second. */
  private Map<String, Object> closedLoop(int size, double seconds) throws InterruptedException {
    Request request = new Request.Builder().url(baseUrl + "/api/payload/" + size).build();
    AtomicLong completed = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(CONNECTIONS);
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    Map<String, Long> cpuBefore = cpu();
    for (int t = 0; t < CONNECTIONS; t++) {
      Thread th = new Thread(() -> {
        try {
          while (System.nanoTime() < end) {
            if (call(request, size) == null) {
              completed.incrementAndGet();
            } else {
              errors.incrementAndGet();
            }
          }
        } finally {
          done.countDown();
        }
      }, "closed-loop-" + t);
      th.start();
    }
    done.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    Map<String, Long> cpuAfter = cpu();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rps", completed.get() / elapsed);
    out.put("requests", completed.get());
    out.put("errors", errors.get());
    Map<String, Double> cpuSeconds = new LinkedHashMap<>();
    cpuAfter.forEach((role, ticks) -> cpuSeconds.put(role, (ticks - cpuBefore.getOrDefault(role, 0L))
        / Procs.TICKS_PER_SECOND));
    out.put("cpuSeconds", cpuSeconds);
    return out;
  }

  /** Null when the response is a 200 with the whole body; else what went wrong. */
  private @Nullable String call(Request request, int size) {
    try (Response r = client.newCall(request).execute()) {
      ResponseBody body = r.body();
      long n = body.source().readAll(okio.Okio.blackhole());
      if (r.code() != 200 || n != size) {
        return "HTTP " + r.code() + ", " + n + " bytes";
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }

  private Map<String, Long> cpu() {
    Map<String, Long> m = new LinkedHashMap<>();
    processes.forEach((role, pids) -> m.put(role, Procs.cpuTicks(pids)));
    return m;
  }

  private static final Pattern USED = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K");

  /**
   * The heap each JVM still uses after a full collection (its live data: what it needs, whatever its heap size),
   * from {@code jcmd PID GC.run} and {@code GC.heap_info}, in MiB. After the last row: the collection pauses it.
   */
  private Map<String, Double> liveHeap() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String role : List.of("client", "app")) {
      List<Long> pids = processes.get(role);
      if (pids == null) {
        continue;
      }
      String pid = Long.toString(pids.get(0));
      jcmd(pid, "GC.run");
      String nmtDir = System.getProperty(NMT_DIR);
      if (nmtDir != null) { // with --nmt, what the live heap holds, by class
        try {
          java.nio.file.Files.writeString(Path.of(nmtDir, "histogram-" + variant + "-" + role + ".txt"),
              jcmd(pid, "GC.class_histogram"));
        } catch (IOException e) {
          System.err.println("[e2e] histogram not written: " + e);
        }
      }
      Matcher used = USED.matcher(jcmd(pid, "GC.heap_info"));
      long kib = 0;
      while (used.find()) {
        kib += Long.parseLong(used.group(1));
      }
      m.put(role, kib / 1024.0);
    }
    return m;
  }

  /** What {@code jcmd PID COMMAND...} prints (empty when it cannot run). */
  private static String jcmd(String pid, String... command) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        pid));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** {@code jcmd PID VM.native_memory summary} into {@code file} (the last row's wins). */
  private static void nativeMemorySummary(long pid, Path file) {
    try {
      java.nio.file.Files.writeString(file, jcmd(Long.toString(pid), "VM.native_memory", "summary"));
    } catch (IOException e) {
      System.err.println("[e2e] native memory summary not written: " + e);
    }
  }

  /** Per-thread ticks and context switches of the JVMs (the client and the application). */
  private Map<String, Map<String, Long>> threads() {
    Map<String, Map<String, Long>> m = new LinkedHashMap<>();
    for (String role : List.of("client", "app")) {
      List<Long> pids = processes.get(role);
      if (pids != null) {
        m.put(role, Procs.threads(pids.get(0)));
      }
    }
    return m;
  }

  /** System property: where {@code --nmt} runs write each JVM's native-memory summary. */
  static final String NMT_DIR = "e2e.nmtDir";

  private Map<String, Double> rssFile() {
    Map<String, Double> m = new LinkedHashMap<>();
    processes.forEach((role, pids) -> m.put(role, pids.stream().mapToLong(Procs::rssFileKib).sum() / 1024.0));
    return m;
  }

  private Map<String, Double> rss() {
    String nmtDir = System.getProperty(NMT_DIR);
    if (nmtDir != null) {
      for (String role : List.of("client", "app")) {
        List<Long> pids = processes.get(role);
        if (pids != null) {
          nativeMemorySummary(pids.get(0), Path.of(nmtDir, "nmt-" + variant + "-" + role + ".txt"));
        }
      }
    }
    Map<String, Double> m = new LinkedHashMap<>();
    processes.forEach((role, pids) -> m.put(role, pids.stream().mapToLong(Procs::rssKib).sum() / 1024.0));
    return m;
  }
}
