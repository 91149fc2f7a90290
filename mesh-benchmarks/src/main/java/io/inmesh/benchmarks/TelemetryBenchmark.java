package io.inmesh.benchmarks;

import io.inmesh.Mesh;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
 * The cost of telemetry on the outbound pipeline: {@link Mesh#outbound} to a service with one route and one static
 * endpoint (routing, load balancing and the other built-in stages run) with a transport that returns a completed
 * future, with telemetry {@code off} (no metrics, no tracing, no access log, no admin: the telemetry stages are
 * absent) or {@code on} (Istio metrics, stats window, tracing through the mesh's own SDK at 1 % parent-based
 * sampling, admin server up). The difference is what telemetry adds per request.
 *
 * <p>Run (from the repository root, after {@code mvn -pl mesh-core,mesh-benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar mesh-benchmarks/target/benchmarks.jar Telemetry -f 1 -wi 5 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class TelemetryBenchmark {
  private static final CompletableFuture<MeshResponse> OK = CompletableFuture.completedFuture(
      new MeshResponse(200, MeshHeaders.of(Map.of("content-length", "512")), "ok"));
  private static final MeshService TRANSPORT = (ctx, request) -> OK;

  @Param({"off", "on"})
  public String telemetry;

  private Path dir;
  private Mesh mesh;
  private MeshRequest request;

  @Setup
  public void setUp() throws IOException {
    String t = telemetry.equals("on")
        ? "telemetry: {tracing: {randomSamplingPercentage: 1}, metrics: {enabled: true}}\nadmin: {port: 0}\n"
        : "telemetry: {tracing: {enabled: false}, metrics: {enabled: false}}\nadmin: {enabled: false}\n";
    dir = Files.createTempDirectory("telemetry-bench");
    Path file = Files.writeString(dir.resolve("mesh.yaml"), """
        services:
          - name: backend
            endpoints: [{address: 127.0.0.1, port: 9090}]
            routes:
              - name: api
                match: [{uri: {prefix: /api}}]
                route: [{destination: {host: backend}}]
        """ + t);
    mesh = Mesh.builder().workload("frontend").config(file).watch(false).loadStageProviders(false).build();
    request = MeshRequest.builder().method("GET").authority("backend").target("/api/items/42").build();
  }

  @TearDown
  public void tearDown() throws IOException {
    mesh.close();
    Files.deleteIfExists(dir.resolve("mesh.yaml"));
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public MeshResponse outbound() {
    return mesh.outbound(request, TRANSPORT).join();
  }
}
