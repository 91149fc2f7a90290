package io.inmesh.benchmarks;

import io.inmesh.MeshSnapshot;
import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.LoadedConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long a config change takes to become a snapshot for a large fleet: {@value #DEFAULT_SERVICES} services, each
 * with 3 endpoints, 2 subsets and 2-3 routes (header / prefix / regex matches, weighted destinations to its subsets,
 * some retries and timeouts), spread over 10 namespaces. The YAML text is generated in {@link #setUp()}.
 *
 * <ul>
 *   <li>{@link #compile}: {@link MeshSnapshot#compile} of the already loaded and validated config (host index, policy
 *       inheritance, route tables, regexes). The figure the goal is about: under 100 ms for 10,000 services.
 *   <li>{@link #loadAndCompile}: YAML parsing, binding and validation plus the compile, for information.
 * </ul>
 *
 * <p>Run (from the repository root, after {@code mvn -pl mesh-core,mesh-benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar mesh-benchmarks/target/benchmarks.jar SnapshotCompile -f 1 -wi 5 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 *
 * Smoke run: {@code java -jar mesh-benchmarks/target/benchmarks.jar SnapshotCompile -f 1 -wi 1 -i 1 -w 1s -r 1s}.
 * Another fleet size: {@code -p services=1000}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class SnapshotCompileBenchmark {
  static final int DEFAULT_SERVICES = 10_000;
  private static final int NAMESPACES = 10;

  @Param({"10000"})
  public int services;

  private ConfigLoader loader;
  private List<ConfigDocument> documents;
  private LoadedConfig loaded;
  private WorkloadIdentity workload;

  @Setup(Level.Trial)
  public void setUp() {
    loader = ConfigLoader.withEnvironment(name -> null);
    documents = List.of(new ConfigDocument("fleet.yaml", fleetYaml(services)));
    loaded = loader.loadDocuments(documents);
    if (loaded.config().services().size() != services) {
      throw new IllegalStateException("generated " + loaded.config().services().size() + " services");
    }
    workload = new WorkloadIdentity("svc-00000", "ns-0", "svc-00000", Map.of("app", "svc-00000"), null);
    MeshSnapshot check = compile();
    if (check.services().resolve("svc-00001.ns-1.svc.cluster.local") == null) {
      throw new IllegalStateException("generated config does not resolve");
    }
  }

  @Benchmark
  public MeshSnapshot compile() {
    return MeshSnapshot.compile(loaded, workload, 2, "fleet.yaml", Instant.EPOCH);
  }

  @Benchmark
  public MeshSnapshot loadAndCompile() {
    return MeshSnapshot.compile(loader.loadDocuments(documents), workload, 2, "fleet.yaml", Instant.EPOCH);
  }

  /** A mesh of {@code n} services in the shape described on the class. */
  static String fleetYaml(int n) {
    StringBuilder y = new StringBuilder(n * 1_400);
    y.append("""
        mesh:
          trustDomain: cluster.local
          defaultNamespace: ns-0
          defaults:
            retryBudget: {retryRatio: 0.2, minRetriesPerSecond: 10, ttl: 10s}
            loadBalancer: {simple: PEAK_EWMA}
        services:
        """);
    for (int i = 0; i < n; i++) {
      String name = String.format("svc-%05d", i);
      int ns = i % NAMESPACES;
      int ip = i * 3;
      y.append("  - name: ").append(name).append('\n')
          .append("    namespace: ns-").append(ns).append('\n')
          .append("    ports: [{number: 8080}]\n")
          .append("    endpoints:\n");
      for (int e = 0; e < 3; e++) {
        int a = ip + e;
        y.append("      - {address: 10.").append((a >> 16) & 255).append('.').append((a >> 8) & 255).append('.')
            .append(a & 255).append(", port: 8080, labels: {version: ").append(e < 2 ? "v1" : "v2")
            .append("}, zone: zone-").append((char) ('a' + e)).append("}\n");
      }
      y.append("""
              subsets:
                - {name: v1, labels: {version: v1}}
                - {name: v2, labels: {version: v2}}
          """);
      if (i % 4 == 0) {
        y.append("    trafficPolicy: {outlierDetection: {consecutive5xxErrors: 3, interval: 5s}}\n");
      }
      y.append("    routes:\n")
          .append("      - name: canary\n")
          .append("        match:\n")
          .append("          - headers: {x-canary: {exact: \"true\"}}\n")
          .append("          - headers: {x-user: {regex: \"beta-[0-9]+\"}}\n")
          .append("        route: [{destination: {host: ").append(name).append(", subset: v2}}]\n");
      if (i % 2 == 0) {
        y.append("      - name: api\n")
            .append("        match: [{uri: {prefix: /api/v").append(i % 7).append("/}, method: {exact: GET}}, ")
            .append("{uri: {regex: \"/items/[0-9]+\"}}]\n")
            .append("        route:\n")
            .append("          - {destination: {host: ").append(name).append(", subset: v1}, weight: 80}\n")
            .append("          - {destination: {host: ").append(name).append(", subset: v2}, weight: 20}\n")
            .append("        timeout: 2s\n")
            .append("        retries: {attempts: 2, perTryTimeout: 500ms, retryOn: \"5xx,connect-failure\"}\n");
      }
      y.append("      - name: default\n")
          .append("        route:\n")
          .append("          - {destination: {host: ").append(name).append(", subset: v1}, weight: 90}\n")
          .append("          - {destination: {host: ").append(name).append(", subset: v2}, weight: 10}\n");
      if (i % 3 == 0) {
        y.append("        timeout: 5s\n");
      }
    }
    return y.toString();
  }
}
