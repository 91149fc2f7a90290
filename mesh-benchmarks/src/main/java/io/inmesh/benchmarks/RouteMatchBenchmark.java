package io.inmesh.benchmarks;

import io.inmesh.Mesh;
import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.WeightedDestination;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The per-request cost of routing on one service with a 100-rule table (a mix of uri prefix, exact and regex rules,
 * header rules, and uri+method rules; 90/10 weighted destinations). The rule the request matches (uri prefix AND a
 * header) sits at index 1 ({@code near-start}, best case) or at index 98 ({@code near-end}, worst case: 98 rules
 * tried and rejected first, 20 of them regexes).
 *
 * <ul>
 *   <li>{@link #matchAndPick}: {@code service.routes().match(request)} and the weighted {@code pick}.
 *   <li>{@link #meshOutbound}: the whole {@link Mesh#outbound} with a transport that returns a completed future:
 *       state read, context, host lookup, the composed pipeline, the match and the draw.
 * </ul>
 *
 * <p>Run (from the repository root, after {@code mvn -pl mesh-core,mesh-benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar mesh-benchmarks/target/benchmarks.jar RouteMatch -f 1 -wi 5 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 *
 * Smoke run: {@code java -jar mesh-benchmarks/target/benchmarks.jar RouteMatch -f 1 -wi 1 -i 1 -w 1s -r 1s}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RouteMatchBenchmark {
  static final int RULES = 100;
  private static final CompletableFuture<MeshResponse> OK =
      CompletableFuture.completedFuture(new MeshResponse(200, MeshHeaders.empty(), "ok"));
  private static final MeshService TRANSPORT = (ctx, request) -> OK;

  /** Where the matching rule sits in the table. */
  @Param({"near-start", "near-end"})
  public String position;

  private CompiledService service;
  private MeshRequest request;
  private SplittableRandom random;
  private Path dir;
  private Mesh mesh;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    int matchingIndex = position.equals("near-start") ? 1 : RULES - 2;
    String yaml = tableYaml(matchingIndex);
    request = MeshRequest.builder()
        .method("GET")
        .authority("orders:8080")
        .target("/orders/12345/items?expand=true&page=2")
        .headers(MeshHeaders.builder()
            .add("x-tenant", "gold")
            .add("accept", "application/json")
            .add("user-agent", "okhttp/4.12.0")
            .add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .build())
        .build();
    random = new SplittableRandom(42);

    WorkloadIdentity workload = new WorkloadIdentity("frontend", "shop", "frontend", Map.of("app", "frontend"), null);
    MeshSnapshot snapshot = MeshSnapshot.compile(
        ConfigLoader.withEnvironment(n -> null).loadDocuments(List.of(new ConfigDocument("table.yaml", yaml))),
        workload, 1, "table.yaml", Instant.EPOCH);
    service = snapshot.services().resolve(request.host());
    CompiledRoute matched = service.routes().match(request);
    if (matched == null || matched.index() != matchingIndex || service.routes().routes().size() != RULES) {
      throw new IllegalStateException("request matched " + matched + ", expected rule " + matchingIndex);
    }

    dir = Files.createTempDirectory("inmesh-bench");
    Path file = dir.resolve("mesh.yaml");
    Files.writeString(file, yaml);
    mesh = Mesh.builder().workload("frontend").config(file).environment(n -> null).watch(false).build();
    MeshResponse r = mesh.outbound(request, (ctx, req) -> {
      if (ctx.route() == null || ctx.route().index() != matchingIndex || ctx.destination() == null) {
        throw new IllegalStateException("routed to " + ctx.route());
      }
      return OK;
    }).join();
    if (r.status() != 200) {
      throw new IllegalStateException("status " + r.status());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    mesh.close();
    Files.deleteIfExists(dir.resolve("mesh.yaml"));
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public WeightedDestination matchAndPick() {
    CompiledRoute route = service.routes().match(request);
    return route.pick(random.nextInt(route.totalWeight()));
  }

  @Benchmark
  public CompletableFuture<MeshResponse> meshOutbound() {
    return mesh.outbound(request, TRANSPORT);
  }

  /** One service, {@code orders}, with {@value #RULES} rules; the request's rule at {@code matchingIndex}. */
  static String tableYaml(int matchingIndex) {
    StringBuilder y = new StringBuilder(RULES * 200);
    y.append("""
        mesh: {defaultNamespace: shop}
        services:
          - name: frontend
            endpoints: [{address: 127.0.0.1, port: 8081}]
          - name: orders
            ports: [{number: 8080}]
            endpoints:
              - {address: 127.0.0.1, port: 8080, labels: {version: v1}}
              - {address: 127.0.0.1, port: 8082, labels: {version: v2}}
            subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            routes:
        """);
    for (int i = 0; i < RULES; i++) {
      y.append("      - name: rule-").append(i).append('\n');
      if (i == matchingIndex) {
        y.append("        match: [{uri: {prefix: /orders/}, headers: {x-tenant: {exact: gold}}}]\n");
      } else if (i == RULES - 1) {
        y.append("        match: [{uri: {prefix: /}}]\n"); // catch-all
      } else {
        switch (i % 5) {
          case 0 -> y.append("        match: [{uri: {prefix: /api/v").append(i).append("/}}]\n");
          case 1 -> y.append("        match: [{uri: {exact: /orders/").append(i).append("}}]\n");
          case 2 -> y.append("        match: [{uri: {regex: \"/orders/[0-9]+/r").append(i).append("\"}}]\n");
          case 3 -> y.append("        match: [{headers: {x-route: {exact: r").append(i).append("}}}]\n");
          default -> y.append("        match: [{uri: {prefix: /orders/}, method: {exact: POST}}, ")
              .append("{headers: {x-tenant: {prefix: silver-").append(i).append("}}}]\n");
        }
      }
      y.append("        route:\n")
          .append("          - {destination: {host: orders, subset: v1}, weight: 90}\n")
          .append("          - {destination: {host: orders, subset: v2}, weight: 10}\n");
    }
    return y.toString();
  }
}
