package io.inmesh.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.inmesh.tls.SpiffeId;
import io.inmesh.tls.WorkloadCertificate;
import io.inmesh.tls.internal.DevCa;
import io.inmesh.tls.internal.Pem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The end-to-end benchmark's orchestrator ({@code mesh-benchmarks/run-e2e.sh} runs it): issues the certificates, and
 * for each run and variant starts the system under test (pinned to core 1) and a {@link LoadGenerator} (core 0),
 * collects its results, and prints medians over the runs and the differences against {@code raw-mtls} measured in
 * the same run. Writes {@code target/e2e-results.json} (the issue's shape), {@code target/e2e-details.json} (every
 * run, every row, every process) and {@code target/e2e-results.md} (the tables printed).
 *
 * <pre>
 * java -cp mesh-benchmarks/target/benchmarks.jar io.inmesh.benchmarks.e2e.E2eRun [--quick|--smoke] [--runs N]
 *     [--warmup SECONDS] [--variants raw-plain,raw-mtls,inmesh,sidecar] [--jfr] [--out DIR]
 * </pre>
 */
public final class E2eRun {
  static final List<String> VARIANTS = List.of("raw-plain", "raw-mtls", "inmesh", "sidecar");
  private static final String BASELINE = "raw-mtls";
  /** The row the issue's goals and the JSON summary refer to: 1000 rps, 1 KiB. */
  private static final String PRIMARY = "1000x1024";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /**
   * Every JVM of every variant. AlwaysPreTouch makes the whole heap resident from the start: without it, a JVM's RSS
   * depends on how much of its fixed-size heap the collector has happened to touch by the time it is read (more
   * garbage, more old-generation pages), not on the memory it needs; with it, RSS differences are the non-heap
   * memory (classes, JIT code, threads), and the live heap is measured on its own after a full collection.
   */
  private static final List<String> JVM_OPTS = List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC",
      "-XX:+AlwaysPreTouch");

  private final Mode mode;
  private final Path work;
  private final Path out;
  private final boolean jfr;
  /** Native memory tracking: each JVM's summary (heap, metaspace, code, threads...) written after each row. */
  private final boolean nmt;
  private final boolean pin;
  private final List<Process> started = Collections.synchronizedList(new ArrayList<>());
  private final List<Double> loadAverages = new ArrayList<>();

  /** The plan of a run: warm-up, rows (rate x size x seconds), max-throughput seconds, runs. */
  record Mode(String name, double warmup, List<String> rows, double maxSeconds, int runs) {
    String plan() {
      return warmup + ";" + String.join(",", rows) + ";" + maxSeconds;
    }
  }

  private E2eRun(Mode mode, Path work, Path out, boolean jfr, boolean nmt, boolean pin) {
    this.mode = mode;
    this.work = work;
    this.out = out;
    this.jfr = jfr;
    this.nmt = nmt;
    this.pin = pin;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--report")) {
      report(Path.of(args[1]));
      return;
    }
    Mode mode = new Mode("full", 30, List.of("200x1024x12", "1000x1024x12", "2000x1024x12", "1000x16384x12"), 8, 3);
    List<String> variants = VARIANTS;
    Path out = Path.of("mesh-benchmarks/target");
    boolean jfr = false;
    boolean nmt = false;
    Integer runs = null;
    Double warmup = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> mode = new Mode("quick", 12, List.of("1000x1024x10"), 5, 1);
        case "--smoke" -> mode = new Mode("smoke", 1, List.of("1000x1024x2"), 1, 1);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--variants" -> variants = List.of(args[++i].split(","));
        case "--jfr" -> jfr = true;
        case "--nmt" -> nmt = true;
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (expected: --quick, --smoke, --runs N, --warmup SECONDS, --variants a,b, --jfr, --nmt, --out DIR)");
      }
    }
    if (runs != null || warmup != null) {
      mode = new Mode(mode.name(), warmup != null ? warmup : mode.warmup(), mode.rows(), mode.maxSeconds(),
          runs != null ? runs : mode.runs());
    }
    for (String v : variants) {
      if (!VARIANTS.contains(v)) {
        throw new IllegalArgumentException("variant " + v + " (expected: one of " + VARIANTS + ")");
      }
    }
    Files.createDirectories(out);
    Path work = Files.createTempDirectory("inmesh-e2e");
    // Not availableProcessors(): run-e2e.sh pins this JVM to core 0, which would make it 1.
    boolean pin = onlineCpus() >= 2 && onPath("taskset");
    E2eRun run = new E2eRun(mode, work, out, jfr, nmt, pin);
    Runtime.getRuntime().addShutdownHook(new Thread(run::stopAll));
    try {
      run.execute(variants);
    } finally {
      run.stopAll();
      deleteTree(work);
    }
  }

  private void execute(List<String> variants) throws Exception {
    Instant started = Instant.now();
    issueCertificates();
    List<Map<String, JsonNode>> runs = new ArrayList<>();
    for (int r = 0; r < mode.runs(); r++) {
      Map<String, JsonNode> results = new LinkedHashMap<>();
      // Rotate the order so that no variant always runs first (cold machine) or last (a build starting).
      List<String> order = new ArrayList<>(variants);
      Collections.rotate(order, -r);
      for (String v : order) {
        sampleLoad();
        System.err.printf("[e2e] run %d/%d: %s%n", r + 1, mode.runs(), v);
        results.put(v, runVariant(v));
        sampleLoad();
      }
      runs.add(results);
    }
    Map<String, Object> meta = meta(started);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("meta", meta);
    details.put("runs", runs);
    JSON.writeValue(out.resolve("e2e-details.json").toFile(), details);
    writeResults(out, new Report(mode, variants, runs, BASELINE, PRIMARY), meta);
    System.err.println("[e2e] wrote " + out.resolve("e2e-results.json") + ", e2e-details.json, e2e-results.md");
  }

  /** Prints the report and writes {@code e2e-results.md} and {@code e2e-results.json} (the issue's shape). */
  private static void writeResults(Path out, Report report, Map<String, Object> meta) throws IOException {
    String markdown = report.markdown(meta);
    System.out.println(markdown);
    JSON.writeValue(out.resolve("e2e-results.json").toFile(), Map.of("variants", report.summary()));
    Files.writeString(out.resolve("e2e-results.md"), markdown);
  }

  /**
   * Writes {@code e2e-results.md} and {@code e2e-results.json} again from the {@code e2e-details.json} in {@code dir}
   * (a run's raw figures), with this version's report: {@code run-e2e.sh --report DIR}.
   */
  private static void report(Path dir) throws IOException {
    JsonNode details = JSON.readTree(dir.resolve("e2e-details.json").toFile());
    List<Map<String, JsonNode>> runs = new ArrayList<>();
    for (JsonNode run : details.path("runs")) {
      Map<String, JsonNode> byVariant = new LinkedHashMap<>();
      run.fields().forEachRemaining(e -> byVariant.put(e.getKey(), e.getValue()));
      runs.add(byVariant);
    }
    List<String> variants = VARIANTS.stream().filter(runs.get(0)::containsKey).toList();
    JsonNode meta = details.path("meta");
    String[] plan = meta.path("plan").asText().split(";");
    Mode mode = new Mode(meta.path("mode").asText(), Double.parseDouble(plan[0]), List.of(plan[1].split(",")),
        Double.parseDouble(plan[2]), runs.size());
    Map<String, Object> metaMap = new LinkedHashMap<>();
    meta.fields().forEachRemaining(e -> metaMap.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText()
        : e.getValue()));
    writeResults(dir, new Report(mode, variants, runs, BASELINE, PRIMARY), metaMap);
  }

  // ------------------------------------------------------------------ certificates and configuration

  private Path certs() {
    return work.resolve("certs");
  }

  /** The dev CA (which the inmesh variant also uses) and PEM files for the raw-mtls and sidecar variants. */
  private void issueCertificates() throws IOException {
    DevCa ca = DevCa.loadOrInit(work.resolve("ca"), Instant.now()).ca();
    Files.createDirectories(certs());
    for (String[] w : new String[][] {{"server", "api-service"}, {"client", "frontend"}}) {
      WorkloadCertificate wc = ca.issue(SpiffeId.parse("spiffe://cluster.local/ns/default/sa/" + w[1]),
          Instant.now(), Duration.ofDays(1));
      Pem.writeCertificates(certs().resolve(w[0] + "-chain.pem"), wc.chain());
      Pem.writePrivateKey(certs().resolve(w[0] + "-key.pem"), wc.privateKey());
      Pem.writeCertificates(certs().resolve(w[0] + "-bundle.pem"), wc.trustBundle());
    }
  }

  /**
   * The mesh both sides read: the defaults on (PEAK_EWMA, retry budget, outlier detection, metrics, tracing at 1 %,
   * access log off, admin server on), a four-rule route table whose third rule matches, three authorization policies
   * and a rate limit far above the load. Each process gets its own admin port through INMESH_ADMIN_PORT.
   */
  private Path meshYaml(int appPort) throws IOException {
    return Files.writeString(work.resolve("mesh.yaml"), """
        mesh:
          identity: {devCa: {directory: '%s'}}
          defaults:
            mtlsMode: STRICT
            loadBalancer: {simple: PEAK_EWMA}
            retryBudget: {enabled: true, retryRatio: 0.2, minRetriesPerSecond: 10, ttl: 10s}
            outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 10}
        admin:
          enabled: true
          port: ${INMESH_ADMIN_PORT}
        telemetry:
          tracing: {enabled: true, randomSamplingPercentage: 1}
          metrics: {enabled: true}
          accessLog: {mode: "OFF"}
        services:
          - name: api-service
            labels: {app: api-service}
            endpoints: [{address: 127.0.0.1, port: %d}]
            routes:
              - name: admin-blocked
                match: [{uri: {prefix: /admin}}]
                fault: {abort: {httpStatus: 403, percentage: {value: 100}}}
              - name: canary
                match: [{headers: {x-canary: {exact: "true"}}}]
                route: [{destination: {host: api-service}}]
                timeout: 2s
              - name: payload
                match: [{uri: {prefix: /api/payload/}, method: {exact: GET}}]
                route: [{destination: {host: api-service}}]
                timeout: 5s
                retries: {attempts: 2, retryOn: [connect-failure, refused-stream, "503"]}
              - name: default
                route: [{destination: {host: api-service}}]
        inbound:
          authorization:
            - name: deny-debug
              action: DENY
              rules: [{to: [{operation: {paths: ["/debug/*", "/admin/*"]}}]}]
            - name: frontend-reads
              selector: {matchLabels: {app: api-service}}
              rules:
                - from: [{source: {principals: [cluster.local/ns/default/sa/frontend]}}]
                  to: [{operation: {methods: [GET, HEAD], paths: ["/api/*"]}}]
            - name: health-checks
              selector: {matchLabels: {app: api-service}}
              rules:
                - to: [{operation: {methods: [GET], paths: [/healthz]}}]
          rateLimits:
            - name: far-above-the-load
              selector: {matchLabels: {app: api-service}}
              tokenBucket: {maxTokens: 1000000, tokensPerFill: 1000000, fillInterval: 1s}
        """.formatted(work.resolve("ca"), appPort));
  }

  // ------------------------------------------------------------------ one variant

  /** Starts the variant's processes, runs the load generator against them, stops them. */
  private JsonNode runVariant(String variant) throws Exception {
    List<Process> mine = new ArrayList<>();
    try {
      int appPort = freePort();
      String clientArg = "";
      String url;
      List<String> roles = new ArrayList<>();
      Map<String, String> clientEnv = new LinkedHashMap<>();
      switch (variant) {
        case "raw-plain" -> {
          mine.add(startApp(variant, List.of("plain", Integer.toString(appPort)), Map.of()));
          url = "http://127.0.0.1:" + appPort;
        }
        case "raw-mtls" -> {
          mine.add(startApp(variant, List.of("mtls", Integer.toString(appPort), certs().resolve("server")
              .toString()), Map.of()));
          url = "https://127.0.0.1:" + appPort;
          clientArg = certs().resolve("client").toString();
        }
        case "inmesh" -> {
          Path yaml = meshYaml(appPort);
          mine.add(startApp(variant, List.of("inmesh", Integer.toString(appPort), yaml.toString()),
              Map.of("INMESH_ADMIN_PORT", Integer.toString(freePort()))));
          url = "http://api-service";
          clientArg = yaml.toString();
          clientEnv.put("INMESH_ADMIN_PORT", Integer.toString(freePort()));
        }
        case "sidecar" -> {
          mine.add(startApp(variant, List.of("plain", Integer.toString(appPort)), Map.of()));
          int inPort = freePort();
          int outPort = freePort();
          Path in = Sidecars.inbound(work.resolve("nginx-in"), inPort, appPort, certs().resolve("server")
              .toString());
          Path outConf = Sidecars.outbound(work.resolve("nginx-out"), outPort, inPort, certs().resolve("client")
              .toString());
          mine.add(startNginx(in, inPort));
          mine.add(startNginx(outConf, outPort));
          url = "http://127.0.0.1:" + outPort;
        }
        default -> throw new IllegalArgumentException(variant);
      }
      roles.add("app:" + mine.get(0).pid());
      if (variant.equals("sidecar")) {
        for (long pid : Procs.withChildren(mine.get(1).pid())) {
          roles.add("sidecar-in:" + pid);
        }
        for (long pid : Procs.withChildren(mine.get(2).pid())) {
          roles.add("sidecar-out:" + pid);
        }
      }
      List<String> args = new ArrayList<>(List.of(variant, url, String.join(",", roles), mode.plan()));
      if (!clientArg.isEmpty()) {
        args.add(clientArg);
      }
      return runClient(variant, args, clientEnv);
    } finally {
      for (Process p : mine) {
        stop(p);
      }
    }
  }

  private Process startApp(String variant, List<String> args, Map<String, String> env) throws Exception {
    Process p = startJava("1", variant, "app", E2eApp.class, args, env);
    String line = readLineMatching(p, "READY", Duration.ofSeconds(90), work.resolve(variant + "-app.log"));
    if (line == null) {
      throw new IllegalStateException(variant + ": the application did not start; see its log above");
    }
    return p;
  }

  private JsonNode runClient(String variant, List<String> args, Map<String, String> env) throws Exception {
    Process p = startJava("0", variant, "client", LoadGenerator.class, args, env);
    String line = readLineMatching(p, "RESULT ", Duration.ofMinutes(20), work.resolve(variant + "-client.log"));
    if (line == null) {
      throw new IllegalStateException(variant + ": the load generator gave no result; see its log above");
    }
    p.waitFor(30, TimeUnit.SECONDS);
    return new ObjectMapper().readTree(line.substring("RESULT ".length()));
  }

  private Process startJava(String core, String variant, String role, Class<?> main, List<String> args,
      Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>(pinned(core));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTS);
    if (jfr && (variant.equals("inmesh") || variant.equals(BASELINE))) {
      // Deep enough for a meshed call: the first attempt's I/O runs inside the pipeline's frames.
      cmd.add("-XX:FlightRecorderOptions:stackdepth=256");
      cmd.add("-XX:StartFlightRecording=settings=" + jfrSettings() + ",filename="
          + out.toAbsolutePath().resolve("e2e-" + variant + "-" + role + ".jfr"));
    }
    if (nmt) {
      cmd.add("-XX:NativeMemoryTracking=summary");
      cmd.add("-D" + LoadGenerator.NMT_DIR + "=" + out.toAbsolutePath());
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectError(work.resolve(variant + "-" + role + ".log").toFile());
    pb.environment().putAll(env);
    return track(pb.start());
  }

  /**
   * JFR's "profile" settings with Java method sampling every 1 ms instead of 10 ms: at 10 ms a 40 s run of a
   * mostly-waiting client gives a few hundred samples, too few to tell a 2 % stage from noise.
   */
  private String jfrSettings() throws IOException {
    Path file = work.resolve("profile-1ms.jfc");
    if (!Files.exists(file)) {
      String profile = Files.readString(Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc"));
      Files.writeString(file, profile.replaceFirst(
          "(<setting name=\"period\" control=\"method-sampling-java-interval\">)[^<]*(</setting>)", "$11 ms$2"));
    }
    return file.toString();
  }

  private Process startNginx(Path conf, int port) throws Exception {
    List<String> cmd = new ArrayList<>(pinned("1"));
    cmd.addAll(List.of("nginx", "-p", conf.getParent().toString(), "-c", conf.toString()));
    Process p = track(new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(conf.getParent().resolve("logs/stdout.log").toFile()).start());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("nginx exited (" + p.exitValue() + "): "
            + Files.readString(conf.getParent().resolve("logs/stdout.log")) + readIfExists(conf.getParent()
            .resolve("logs/error.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        // The master forks its worker after binding: wait for it, so its pid is known.
        if (p.children().findAny().isPresent()) {
          return p;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50); // polling a port of another process: there is no event to wait on
    }
    throw new IllegalStateException("nginx did not listen on " + port + " within 20 s");
  }

  private List<String> pinned(String core) {
    return pin ? List.of("taskset", "-c", core) : List.of();
  }

  private Process track(Process p) {
    started.add(p);
    return p;
  }

  /** Reads stdout lines until one starts with {@code prefix}; null (after printing the log) when none comes. */
  private static @Nullable String readLineMatching(Process p, String prefix, Duration timeout, Path log)
      throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<@Nullable String> line = CompletableFuture.supplyAsync(() -> {
      try {
        for (String l; (l = r.readLine()) != null; ) {
          if (l.startsWith(prefix)) {
            return l;
          }
        }
      } catch (IOException e) {
        return null;
      }
      return null;
    });
    String found;
    try {
      found = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      found = null;
    }
    if (found == null) {
      System.err.println("---- " + log + "\n" + readIfExists(log));
    }
    return found;
  }

  private static void stop(Process p) throws InterruptedException {
    try {
      p.getOutputStream().close(); // E2eApp stops when its stdin closes
    } catch (IOException ignored) {
      // already gone
    }
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroy(); // nginx: SIGTERM is a fast shutdown
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private void stopAll() {
    synchronized (started) {
      for (Process p : started) {
        if (p.isAlive()) {
          p.descendants().forEach(ProcessHandle::destroy);
          p.destroy();
        }
      }
    }
  }

  // ------------------------------------------------------------------ machine

  private void sampleLoad() {
    try {
      loadAverages.add(Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]));
    } catch (IOException | RuntimeException e) {
      // not Linux: no load average to report
    }
  }

  private Map<String, Object> meta(Instant started) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode.name());
    m.put("runs", mode.runs());
    m.put("plan", mode.plan());
    m.put("started", started.atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
    m.put("minutes", Math.round(Duration.between(started, Instant.now()).toSeconds() / 6.0) / 10.0);
    m.put("cpus", onlineCpus());
    m.put("cpuModel", firstLine("/proc/cpuinfo", "model name"));
    m.put("memory", firstLine("/proc/meminfo", "MemTotal"));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("jvmOptions", String.join(" ", JVM_OPTS));
    m.put("nginx", command("nginx", "-v"));
    m.put("pinned", pin ? "load generator (client JVM) on core 0; application JVM and nginx processes on core 1"
        : "not pinned (taskset missing or fewer than 2 cores)");
    m.put("loadAverage1mMin", loadAverages.stream().mapToDouble(d -> d).min().orElse(Double.NaN));
    m.put("loadAverage1mMax", loadAverages.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
    m.put("loadAverage1mMedian", Report.median(loadAverages));
    return m;
  }

  private static String firstLine(String file, String key) {
    try {
      for (String l : Files.readAllLines(Path.of(file))) {
        if (l.startsWith(key)) {
          return l.substring(l.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }

  private static String command(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return s;
    } catch (IOException e) {
      return "not installed";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static int onlineCpus() {
    try {
      return Integer.parseInt(command("getconf", "_NPROCESSORS_ONLN"));
    } catch (NumberFormatException e) {
      return Runtime.getRuntime().availableProcessors();
    }
  }

  private static boolean onPath(String tool) {
    return !command("sh", "-c", "command -v " + tool).isEmpty();
  }

  private static String readIfExists(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
