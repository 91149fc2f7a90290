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
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The per-attempt cost of the LOAD_BALANCER stage for each policy over 10 or 100 equal endpoints (one service, one
 * catch-all route, locality off, no warmup).
 *
 * <ul>
 *   <li>{@link #pick}: the stage's filter alone, called with a reused context whose destination is already chosen:
 *       the pick, the in-flight count and the latency sample of an attempt whose transport future is already
 *       complete. For {@code RING_HASH} the request carries the hashed header ({@code x-user}).
 *   <li>{@link #meshOutbound}: the whole {@link Mesh#outbound} (context, routing, every built-in stage, the pick)
 *       with a transport that returns a completed future.
 * </ul>
 *
 * <p>Run (from the repository root, after {@code mvn -pl mesh-core,mesh-benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar mesh-benchmarks/target/benchmarks.jar Balancer -f 1 -wi 3 -i 3 -w 1s -r 1s -prof gc
 * </pre>
 *
 * One policy: {@code java -jar mesh-benchmarks/target/benchmarks.jar 'BalancerBenchmark.pick' -p policy=PEAK_EWMA}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class BalancerBenchmark {
  private static final CompletableFuture<MeshResponse> OK =
      CompletableFuture.completedFuture(MeshResponse.synthesized(200));
  private static final MeshService TRANSPORT = (ctx, request) -> OK;

  @Param({"ROUND_ROBIN", "RANDOM", "LEAST_REQUEST", "PEAK_EWMA", "RING_HASH"})
  public String policy;

  @Param({"10", "100"})
  public int endpoints;

  private Path dir;
  private Mesh mesh;
  private MeshRequest request;
  private MeshContext ctx;
  private MeshFilter stage;

  @Setup
  public void setUp() throws IOException {
    StringBuilder yaml = new StringBuilder("""
        services:
          - name: api
            ports: [{number: 8080}]
            trafficPolicy:
              loadBalancer: %s
            endpoints:
        """.formatted(policy.equals("RING_HASH") ? "{consistentHash: {httpHeaderName: x-user}}"
        : "{simple: " + policy + "}"));
    for (int i = 0; i < endpoints; i++) {
      yaml.append("      - {address: 10.0.").append(i / 250).append('.').append(i % 250 + 1).append("}\n");
    }
    dir = Files.createTempDirectory("balancer-bench");
    Path file = Files.writeString(dir.resolve("mesh.yaml"), yaml);
    mesh = Mesh.builder().workload("bench").config(file).watch(false).loadStageProviders(false).build();
    request = MeshRequest.builder().authority("api").target("/users/42")
        .headers(MeshHeaders.of(Map.of("x-user", "user-4711", "accept", "application/json"))).build();

    MeshSnapshot snapshot = mesh.snapshot();
    CompiledService service = Objects.requireNonNull(snapshot.services().resolve("api"));
    CompiledRoute route = Objects.requireNonNull(service.routes().match(request));
    ctx = new MeshContext(Direction.OUTBOUND, snapshot, TRANSPORT, 0).service(service).route(route)
        .destination(route.pick(0));
    LoadBalancing lb = Objects.requireNonNull(mesh.feature(LoadBalancing.class));
    stage = Objects.requireNonNull(lb.stages().get(0).factory().create(snapshot));

    // Check the set-up: the stage picks one of the endpoints, and the mesh reaches the transport.
    if (pick().join().status() != 200 || ctx.endpoint() == null || meshOutbound().join().status() != 200) {
      throw new IllegalStateException("benchmark set-up does not reach the transport");
    }
  }

  @TearDown
  public void tearDown() {
    mesh.close();
    try {
      Files.deleteIfExists(dir.resolve("mesh.yaml"));
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Benchmark
  public CompletableFuture<MeshResponse> pick() {
    ctx.endpoint(null); // a first attempt each time: no retry bookkeeping
    return stage.filter(ctx, request, TRANSPORT);
  }

  @Benchmark
  public CompletableFuture<MeshResponse> meshOutbound() {
    return mesh.outbound(request, TRANSPORT);
  }
}
