package io.inmesh.benchmarks;

import io.inmesh.Mesh;
import io.inmesh.MeshState;
import io.inmesh.WorkloadIdentity;
import io.inmesh.authz.AuthorizationDecision;
import io.inmesh.authz.AuthorizationPolicies;
import io.inmesh.authz.AuthorizationRequest;
import io.inmesh.authz.ExternalAuthorizer;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.inbound.InboundAttributes;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
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
 * The per-request cost of authorization with {@value #POLICIES} policies that all apply to the workload (a third of
 * them DENY; rules on principals, namespaces, exact / prefix / template paths, methods, headers, and notX twins),
 * and of the whole inbound pipeline around it. Policies are evaluated as Istio does: every DENY policy in
 * configuration order, then every ALLOW policy. {@code position} says which policy decides:
 *
 * <ul>
 *   <li>{@code near-start}: the first DENY policy matches (best case: one policy tried, DENY);
 *   <li>{@code near-end}: the last ALLOW policy matches (every other policy tried and rejected first, ALLOW);
 *   <li>{@code no-match}: no policy matches, so the default applies (every policy tried, DENY "no ALLOW policy
 *       matched").
 * </ul>
 *
 * <p>Benchmarks:
 *
 * <ul>
 *   <li>{@link #evaluate}: {@link AuthorizationPolicies#evaluate} of an {@link AuthorizationRequest} built once
 *       (principal, source IP, headers, port): the evaluation alone.
 *   <li>{@link #meshInbound}: the whole inbound pipeline, as the servlet adapter runs it: the state read, a new
 *       context with the peer's principal and address, the path normalisation, authorization (building the
 *       request's attributes, then the evaluation), and the application, which returns a completed future. This is
 *       {@link Mesh#inbound} plus the peer facts an adapter sets ({@code Mesh.inbound} takes no principal).
 *   <li>{@link #meshInboundNoPolicies}: the same pipeline on a mesh without policies, the baseline: the difference
 *       with {@link #meshInbound} is what the 100 policies cost.
 * </ul>
 *
 * <p>Telemetry and the admin server are off in both meshes (their cost is {@link TelemetryBenchmark}'s subject), and
 * mTLS is off: the benchmark sets the principal an mTLS adapter would have read from the peer's certificate.
 *
 * <p>Run (from the repository root, after {@code mvn -pl mesh-core,mesh-benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar mesh-benchmarks/target/benchmarks.jar Authorization -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 *
 * One case: {@code java -jar mesh-benchmarks/target/benchmarks.jar 'AuthorizationBenchmark.evaluate' -p
 * position=no-match}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AuthorizationBenchmark {
  static final int POLICIES = 100;
  static final String FRONTEND = "cluster.local/ns/shop/sa/frontend";
  private static final WorkloadIdentity CATALOG =
      new WorkloadIdentity("catalog", "shop", "catalog", Map.of("app", "catalog"), null);
  private static final Function<String, @Nullable ExternalAuthorizer> NO_AUTHORIZERS = name -> null;
  private static final CompletableFuture<MeshResponse> OK =
      CompletableFuture.completedFuture(new MeshResponse(200, MeshHeaders.empty(), "ok"));
  private static final MeshService APPLICATION = (ctx, request) -> OK;
  private static final MeshHeaders HEADERS = MeshHeaders.builder()
      .add("x-tenant", "gold")
      .add("accept", "application/json")
      .add("user-agent", "okhttp/5.5.1")
      .add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
      .add("x-request-id", "7f1c2b9e-5d3a-4e8b-9a61-0c2f4d6e8a10")
      .build();
  private static final MeshRequest REQUEST = MeshRequest.builder()
      .method("GET")
      .authority("catalog.shop:8080")
      .target("/api/v1/orders/12345/items?expand=true")
      .headers(HEADERS)
      .build();
  private static final String SOURCE_IP = "10.1.2.3";

  /** The mesh with the 100 policies, and the request's attributes as the AUTHORIZATION stage builds them. */
  @State(Scope.Benchmark)
  public static class Policies {
    /** Which policy decides: see the class. */
    @Param({"near-start", "near-end", "no-match"})
    public String position;

    AuthorizationPolicies policies;
    AuthorizationRequest attributes;
    Mesh mesh;
    private Path dir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      String yaml = meshYaml(policiesYaml(position));
      policies = AuthorizationPolicies.compile(
          ConfigLoader.withEnvironment(n -> null).loadDocuments(List.of(new ConfigDocument("authz.yaml", yaml)))
              .config().inbound(),
          CATALOG);
      attributes = new AuthorizationRequest(REQUEST.method(), REQUEST.authority(), REQUEST.path(),
          REQUEST.headers(), 8080, FRONTEND, SOURCE_IP, AuthorizationRequest.remoteIp(REQUEST.headers(), SOURCE_IP),
          "10.0.0.5", null);
      if (policies.policyIds().size() != POLICIES) {
        throw new IllegalStateException(policies.policyIds().size() + " policies apply, expected " + POLICIES);
      }
      String expected = expectedDecision(position);
      check("evaluate", expected, policies.evaluate(attributes, NO_AUTHORIZERS));

      dir = Files.createTempDirectory("authz-bench");
      mesh = mesh(dir, yaml);
      MeshContext ctx = newContext(mesh.state());
      MeshResponse r = mesh.state().execute(ctx, REQUEST).join();
      check("meshInbound", expected, Objects.requireNonNull(ctx.attribute(InboundAttributes.AUTHORIZATION)));
      int status = position.equals("near-end") ? 200 : 403;
      if (r.status() != status) {
        throw new IllegalStateException("meshInbound answered " + r.status() + ", expected " + status);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      close(mesh, dir);
    }
  }

  /** The same mesh without policies: the pipeline's own cost. */
  @State(Scope.Benchmark)
  public static class NoPolicies {
    Mesh mesh;
    private Path dir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = Files.createTempDirectory("authz-bench");
      mesh = mesh(dir, meshYaml("    []\n"));
      MeshContext ctx = newContext(mesh.state());
      MeshResponse r = mesh.state().execute(ctx, REQUEST).join();
      AuthorizationDecision d = ctx.attribute(InboundAttributes.AUTHORIZATION);
      if (r.status() != 200 || d == null || !d.allowed()) {
        throw new IllegalStateException("meshInboundNoPolicies answered " + r.status() + ": " + d);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      close(mesh, dir);
    }
  }

  @Benchmark
  public AuthorizationDecision evaluate(Policies p) {
    return p.policies.evaluate(p.attributes, NO_AUTHORIZERS);
  }

  @Benchmark
  public CompletableFuture<MeshResponse> meshInbound(Policies p) {
    MeshState state = p.mesh.state();
    return state.execute(newContext(state), REQUEST);
  }

  @Benchmark
  public CompletableFuture<MeshResponse> meshInboundNoPolicies(NoPolicies p) {
    MeshState state = p.mesh.state();
    return state.execute(newContext(state), REQUEST);
  }

  /** What the servlet adapter does before running the pipeline: the transport's facts in a new context. */
  static MeshContext newContext(MeshState state) {
    MeshContext ctx = state.newContext(Direction.INBOUND, APPLICATION).peerPrincipal(FRONTEND)
        .remoteAddress(SOURCE_IP);
    ctx.attribute(InboundAttributes.LOCAL_PORT, 8080);
    return ctx;
  }

  /** The decision each position must give, rendered as {@link #render} does. */
  static String expectedDecision(String position) {
    return switch (position) {
      case "near-start" -> "DENY shop/deny-gold-orders 0";
      case "near-end" -> "ALLOW shop/allow-frontend-items 0";
      case "no-match" -> "DENY null null (no ALLOW policy matched)";
      default -> throw new IllegalArgumentException("position " + position);
    };
  }

  private static void check(String what, String expected, AuthorizationDecision d) {
    String actual = render(d);
    if (!actual.equals(expected)) {
      throw new IllegalStateException(what + " decided " + actual + ", expected " + expected);
    }
  }

  private static String render(AuthorizationDecision d) {
    return d.verdict() + " " + d.policy() + " " + d.rule() + (d.policy() == null ? " (" + d.reason() + ")" : "");
  }

  private static Mesh mesh(Path dir, String yaml) throws IOException {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), yaml);
    return Mesh.builder().workload("catalog").config(file).environment(n -> null).watch(false)
        .loadStageProviders(false).build();
  }

  private static void close(Mesh mesh, Path dir) throws IOException {
    mesh.close();
    Files.deleteIfExists(dir.resolve("mesh.yaml"));
    Files.deleteIfExists(dir);
  }

  /** Workload {@code catalog} in {@code shop}, plaintext, telemetry and admin off, with {@code policies}. */
  static String meshYaml(String policies) {
    return """
        mesh: {defaultNamespace: shop, defaults: {mtlsMode: DISABLE}}
        telemetry: {tracing: {enabled: false}, metrics: {enabled: false}}
        admin: {enabled: false}
        inbound:
          authorization:
        """ + policies;
  }

  /**
   * {@value #POLICIES} policies, all applying to {@code catalog} (namespace {@code shop}; every third one also with a
   * selector), one line each. Apart from the deciding policy, each is a near miss for the benchmark's request
   * ({@code GET /api/v1/orders/12345/items} from {@code frontend} in {@code shop}, {@code x-tenant: gold}), by
   * {@code i % 8}:
   *
   * <ol start="0">
   *   <li>DENY from namespaces {@code sandbox-i, test-*}, or from anything not in {@code shop, billing};
   *   <li>ALLOW another principal to GET {@code /api/v1/reports/*};
   *   <li>ALLOW {@code frontend} to POST / PUT / PATCH {@code /api/v1/orders/*} (the method misses);
   *   <li>DENY DELETE on {@code /api/v1/orders/*}, or anything under the template {@code /internal/i/{**}};
   *   <li>ALLOW namespace {@code shop} to GET two templates that miss ({@code /api/v1/orders/{*}/items-i},
   *       {@code /api/v1/carts/{**}});
   *   <li>ALLOW principals {@code cluster.local/ns/shop/*} except {@code frontend} (notPrincipals);
   *   <li>ALLOW GET on two exact paths for tenant {@code tenant-i} (the path misses);
   *   <li>DENY tenants {@code blocked-i} or {@code suspended-*}, or requests not from {@code frontend} to
   *       {@code /api/v1/orders/*} (notPrincipals).
   * </ol>
   */
  static String policiesYaml(String position) {
    StringBuilder y = new StringBuilder(POLICIES * 240);
    for (int i = 0; i < POLICIES; i++) {
      String selector = i % 3 == 0 ? ", selector: {matchLabels: {app: catalog}}" : "";
      y.append("    - {namespace: shop").append(selector).append(", ");
      if (i == 0 && position.equals("near-start")) {
        y.append("name: deny-gold-orders, action: DENY, rules: [{from: [{source: {namespaces: [shop]}}], "
            + "to: [{operation: {methods: [GET], paths: ['/api/v1/orders/*']}}], "
            + "when: [{key: 'request.headers[x-tenant]', values: [gold]}]}]");
      } else if (i == POLICIES - 1 && !position.equals("near-start")) {
        // The last ALLOW policy: it matches in near-end; in no-match its template misses by the last segment.
        String last = position.equals("near-end") ? "items" : "invoices";
        y.append("name: allow-frontend-items, action: ALLOW, rules: [{from: [{source: {principals: [")
            .append(FRONTEND).append("]}}], to: [{operation: {methods: [GET, HEAD], paths: ['/api/v1/orders/{*}/")
            .append(last).append("']}}], when: [{key: 'request.headers[x-tenant]', values: [gold, silver]}]}]");
      } else {
        y.append(nearMiss(i));
      }
      y.append("}\n");
    }
    return y.toString();
  }

  private static String nearMiss(int i) {
    return switch (i % 8) {
      case 0 -> "name: deny-foreign-" + i + ", action: DENY, rules: [{from: [{source: {namespaces: [sandbox-" + i
          + ", 'test-*']}}]}, {from: [{source: {notNamespaces: [shop, billing]}}]}]";
      case 1 -> "name: allow-reports-" + i + ", rules: [{from: [{source: {principals: ["
          + "cluster.local/ns/reporting/sa/job-" + i + "]}}], to: [{operation: {methods: [GET], "
          + "paths: ['/api/v1/reports/*']}}]}]";
      case 2 -> "name: allow-order-writes-" + i + ", rules: [{from: [{source: {principals: [" + FRONTEND
          + "]}}], to: [{operation: {methods: [POST, PUT, PATCH], paths: ['/api/v1/orders/*']}}]}]";
      case 3 -> "name: deny-delete-" + i + ", action: DENY, rules: [{to: [{operation: {methods: [DELETE], "
          + "paths: ['/api/v1/orders/*']}}]}, {to: [{operation: {paths: ['/internal/" + i + "/{**}']}}]}]";
      case 4 -> "name: allow-items-" + i + ", rules: [{from: [{source: {namespaces: [shop]}}], to: [{operation: "
          + "{methods: [GET, HEAD], paths: ['/api/v1/orders/{*}/items-" + i + "', '/api/v1/carts/{**}']}}]}]";
      case 5 -> "name: allow-shop-" + i + ", rules: [{from: [{source: {principals: ['cluster.local/ns/shop/*'], "
          + "notPrincipals: [" + FRONTEND + "]}}]}]";
      case 6 -> "name: allow-tenant-" + i + ", rules: [{to: [{operation: {methods: [GET], paths: [/api/v1/orders/"
          + i + ", /api/v1/orders/" + i + "/items]}}], when: [{key: 'request.headers[x-tenant]', values: [tenant-"
          + i + "]}]}]";
      default -> "name: deny-tenant-" + i + ", action: DENY, rules: [{when: [{key: 'request.headers[x-tenant]', "
          + "values: [blocked-" + i + ", 'suspended-*']}]}, {from: [{source: {notPrincipals: [" + FRONTEND
          + "]}}], to: [{operation: {paths: ['/api/v1/orders/*']}}]}]";
    };
  }
}
