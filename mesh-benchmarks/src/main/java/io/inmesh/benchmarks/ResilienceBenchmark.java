package io.inmesh.benchmarks;

import io.inmesh.Mesh;
import io.inmesh.MeshSnapshot;
import io.inmesh.lb.LoadBalancing;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.Pipeline;
import io.inmesh.pipeline.StagePosition;
import io.inmesh.resilience.Resilience;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The added cost of the resilience stages per successful request (no retry happens): the outbound pipeline with
 * routing and the load balancer ({@link #baseline}) against the same pipeline with every resilience stage of {@link
 * Resilience} composed in ({@link #resilient}). Telemetry, traffic and the other features are left out of both, so
 * the difference is the resilience stages alone.
 *
 * <ul>
 *   <li>{@code config=defaults}: the mesh's default route (retries on connect-failure, refused-stream, 503 with the
 *       retry budget), no timeout, the default outlier detection: the stages present are deadline-inherit, retry,
 *       outlier-detection and attempt-timeout.
 *   <li>{@code config=all}: route {@code timeout} and {@code perTryTimeout}, retries with budget, connection-pool
 *       limits and a per-endpoint circuit breaker: every stage is active, and each request arms (and cancels) a
 *       per-try timer on the mesh scheduler when its transport answers asynchronously.
 *   <li>{@code transport=sync}: the transport returns a completed future; {@code async}: it returns a pending future
 *       that the benchmark completes later, as a real client's callback would (completion callbacks, the timer).
 *   <li>{@code inFlight} (async only): how many requests are outstanding; each operation starts one and completes the
 *       oldest. With 1, every per-try timer is the only one in the scheduler's queue, so scheduling it wakes the
 *       scheduler thread each time (the worst case); with 64 the new timer queues behind earlier ones, as under
 *       real concurrent load.
 * </ul>
 *
 * <p>Run (from the repository root, after {@code mvn -pl mesh-core,mesh-benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar mesh-benchmarks/target/benchmarks.jar Resilience -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc \
 *     -p transport=sync -p inFlight=1
 * java -jar mesh-benchmarks/target/benchmarks.jar Resilience -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc -p transport=async
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ResilienceBenchmark {
  private static final MeshResponse OK = new MeshResponse(200, MeshHeaders.empty(), "upstream");
  private static final CompletableFuture<MeshResponse> DONE = CompletableFuture.completedFuture(OK);

  @Param({"defaults", "all"})
  public String config;

  @Param({"sync", "async"})
  public String transport;

  @Param({"1", "64"})
  public int inFlight;

  private Path dir;
  private Mesh mesh;
  private MeshSnapshot snapshot;
  private MeshRequest request;
  private MeshService baseline;
  private MeshService resilient;
  private MeshService terminal;
  private CompletableFuture<MeshResponse> pending;
  private final java.util.ArrayDeque<CompletableFuture<MeshResponse>> outstanding = new java.util.ArrayDeque<>();

  @Setup
  public void setUp() throws IOException {
    String route = config.equals("all") ? """
            routes:
              - timeout: 5s
                retries: {attempts: 2, perTryTimeout: 1s, retryOn: [5xx]}
            trafficPolicy:
              connectionPool: {http: {http2MaxRequests: 1000}}
              circuitBreaker: {slidingWindowSize: 100}
        """ : "";
    String yaml = """
        mesh: {defaults: {mtlsMode: DISABLE}}
        admin: {enabled: false}
        services:
          - name: api
            ports: [{number: 8080}]
            endpoints: [{address: 10.0.0.1}, {address: 10.0.0.2}, {address: 10.0.0.3}]
        """ + route;
    dir = Files.createTempDirectory("resilience-bench");
    Path file = Files.writeString(dir.resolve("mesh.yaml"), yaml);
    mesh = Mesh.builder().workload("bench").config(file).watch(false).loadStageProviders(false).build();
    snapshot = mesh.snapshot();
    request = MeshRequest.builder().authority("api").target("/users/42")
        .headers(MeshHeaders.of(Map.of("accept", "application/json"))).build();
    terminal = transport.equals("sync") ? (ctx, r) -> DONE : (ctx, r) -> pending = new CompletableFuture<>();

    // The same routing in both pipelines: the resolution RoutingStage does, by public API.
    MeshFilter routing = (ctx, r, next) -> {
      CompiledService service = Objects.requireNonNull(ctx.snapshot().services().resolve(r.host()));
      CompiledRoute matched = Objects.requireNonNull(service.routes().match(r));
      ctx.service(service).route(matched).destination(matched.pick(0));
      return next.execute(ctx, r);
    };
    List<MeshStage> base = new ArrayList<>();
    base.add(MeshStage.of("bench-routing", StagePosition.at(OutboundRole.ROUTING), routing));
    base.addAll(Objects.requireNonNull(mesh.feature(LoadBalancing.class)).stages());
    List<MeshStage> withResilience = new ArrayList<>(base);
    withResilience.addAll(Objects.requireNonNull(mesh.feature(Resilience.class)).stages());
    MeshService toTerminal = (ctx, r) -> ctx.terminal().execute(ctx, r);
    Pipeline p1 = Pipeline.compose(Direction.OUTBOUND, base, snapshot, toTerminal);
    Pipeline p2 = Pipeline.compose(Direction.OUTBOUND, withResilience, snapshot, toTerminal);
    baseline = p1.service();
    resilient = p2.service();

    CompletableFuture<MeshResponse> b = baseline();
    CompletableFuture<MeshResponse> r = resilient();
    outstanding.forEach(f -> f.complete(OK));
    outstanding.clear();
    if (b.join().status() != 200 || r.join().status() != 200) {
      throw new IllegalStateException("benchmark set-up does not reach the transport");
    }
    // Outlier detection is on by default (mesh.defaults.outlierDetection), so its stage is in both configs.
    List<String> expected = config.equals("all")
        ? List.of("deadline-inherit", "bench-routing", "deadline", "retry", "overload", "load-balancer",
            "circuit-breaker", "outlier-detection", "attempt-timeout")
        : List.of("deadline-inherit", "bench-routing", "retry", "load-balancer", "outlier-detection",
            "attempt-timeout");
    if (!p2.stageNames().equals(expected)) {
      throw new IllegalStateException("unexpected resilience stages: " + p2.stageNames() + ", expected " + expected);
    }
  }

  @TearDown
  public void tearDown() {
    outstanding.forEach(f -> f.complete(OK));
    mesh.close();
    try {
      Files.deleteIfExists(dir.resolve("mesh.yaml"));
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CompletableFuture<MeshResponse> run(MeshService pipeline) {
    MeshContext ctx = new MeshContext(Direction.OUTBOUND, snapshot, terminal, System.nanoTime());
    CompletableFuture<MeshResponse> result = pipeline.execute(ctx, request);
    if (pending != null) {
      outstanding.add(pending);
      pending = null;
      if (outstanding.size() >= inFlight) {
        outstanding.poll().complete(OK); // the transport's callback for the oldest request
      }
    }
    return result;
  }

  @Benchmark
  public CompletableFuture<MeshResponse> baseline() {
    return run(baseline);
  }

  @Benchmark
  public CompletableFuture<MeshResponse> resilient() {
    return run(resilient);
  }
}
