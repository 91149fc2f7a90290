package io.inmesh.routing;

import static io.inmesh.routing.RoutingFixtures.FRONTEND;
import static io.inmesh.routing.RoutingFixtures.compile;
import static io.inmesh.routing.RoutingFixtures.get;
import static io.inmesh.routing.RoutingFixtures.headers;
import static io.inmesh.routing.RoutingFixtures.request;
import static io.inmesh.routing.RoutingFixtures.service;
import static io.inmesh.routing.RoutingFixtures.workload;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.MeshConfig.RetryBudget;
import io.inmesh.config.RouteConfig.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** How rules compile: order, source conditions decided per workload, the implicit rule, timeouts and retries. */
class RouteCompilationTest {

  private static final String ORDERED = """
      mesh: {defaultNamespace: demo}
      services:
        - name: api
          endpoints: [{address: 127.0.0.1, port: 8080}]
          routes:
            - name: admin
              match: [{uri: {prefix: /admin}}]
            - name: api-exact
              match: [{uri: {exact: /api/users}}]
            - name: api
              match: [{uri: {prefix: /api}}]
            - name: catch-all
      """;

  record FirstMatch(String target, String expectedRule) {
    @Override
    public String toString() {
      return target + " goes to " + expectedRule;
    }
  }

  static Stream<FirstMatch> firstMatchRows() {
    return Stream.of(
        new FirstMatch("/admin/users", "admin"),
        new FirstMatch("/api/users", "api-exact"),
        new FirstMatch("/api/users/1", "api"),
        new FirstMatch("/api", "api"),
        new FirstMatch("/", "catch-all"),
        new FirstMatch("/other?uri=/admin", "catch-all"));
  }

  @ParameterizedTest(name = "first matching rule wins: {0}")
  @MethodSource("firstMatchRows")
  void firstMatchingRuleWins(FirstMatch row) {
    RouteTable table = service(compile(ORDERED), "api").routes();

    assertThat(table.match(get(row.target())).name()).isEqualTo(row.expectedRule());
  }

  @Test
  void earlierBroadRuleShadowsLaterNarrowRule() {
    RouteTable table = service(compile("""
        services:
          - name: api
            routes:
              - name: broad
                match: [{uri: {prefix: /}}]
              - name: narrow
                match: [{uri: {exact: /narrow}}]
        """), "api").routes();

    assertThat(table.match(get("/narrow")).name()).isEqualTo("broad");
  }

  @Test
  void routeIdsAreServiceSlashIndexInConfigOrder() {
    RouteTable table = service(compile(ORDERED), "api").routes();

    assertThat(table.routes()).extracting(CompiledRoute::id)
        .containsExactly("api/0", "api/1", "api/2", "api/3");
    assertThat(table.routes()).extracting(CompiledRoute::index).containsExactly(0, 1, 2, 3);
  }

  // ------------------------------------------------------------------ source conditions

  private static final String SOURCES = """
      mesh: {defaultNamespace: demo}
      services:
        - name: api
          routes:
            - name: from-v2-callers
              match: [{sourceLabels: {version: v2}}]
            - name: from-prod
              match: [{sourceNamespace: prod, uri: {prefix: /}}]
            - name: from-frontend-or-prod
              match:
                - {sourceLabels: {app: frontend}, headers: {x-canary: {}}}
                - {sourceNamespace: prod}
            - name: from-demo-frontend-v1
              match: [{sourceNamespace: demo, sourceLabels: {app: frontend, version: v1}, uri: {prefix: /v1}}]
            - name: fallback
      """;

  @Test
  void ruleWhoseEveryMatchIsForAnotherSourceIsLeftOutOfTheTable() {
    RouteTable table = service(compile(SOURCES), "api").routes(); // frontend, demo, version v1

    assertThat(table.routes()).extracting(CompiledRoute::name)
        .containsExactly("from-frontend-or-prod", "from-demo-frontend-v1", "fallback");
    assertThat(table.match(get("/anything")).name()).isEqualTo("fallback");
  }

  @Test
  void ruleKeepsItsIndexWhenEarlierRulesAreLeftOut() {
    RouteTable table = service(compile(SOURCES), "api").routes();

    assertThat(table.routes()).extracting(CompiledRoute::id).containsExactly("api/2", "api/3", "api/4");
  }

  @Test
  void sourceLabelsAreDecidedAgainstTheWorkloadAtCompileTime() {
    WorkloadIdentity v2 = workload("frontend", "demo", Map.of("app", "frontend", "version", "v2"));
    RouteTable table = service(compile(SOURCES, v2), "api").routes();

    assertThat(table.match(get("/anything")).name()).isEqualTo("from-v2-callers");
  }

  @Test
  void sourceNamespaceIsDecidedAgainstTheWorkloadAtCompileTime() {
    WorkloadIdentity prod = workload("batch", "prod", Map.of("app", "batch"));
    RouteTable table = service(compile(SOURCES, prod), "api.demo").routes();

    assertThat(table.routes()).extracting(CompiledRoute::name)
        .containsExactly("from-prod", "from-frontend-or-prod", "fallback");
    assertThat(table.match(get("/x")).name()).isEqualTo("from-prod");
  }

  @Test
  void matchEntryForThisSourceKeepsItsRequestConditions() {
    RouteTable table = service(compile(SOURCES), "api").routes();

    assertThat(table.match(request("GET", "/x", headers("x-canary", "1"))).name())
        .isEqualTo("from-frontend-or-prod");
    assertThat(table.match(get("/v1/orders")).name()).isEqualTo("from-demo-frontend-v1");
    assertThat(table.match(get("/x")).name()).isEqualTo("fallback");
  }

  @Test
  void sourceLabelsMustAllBeCarriedByTheWorkload() {
    WorkloadIdentity noVersion = workload("frontend", "demo", Map.of("app", "frontend"));
    RouteTable table = service(compile(SOURCES, noVersion), "api").routes();

    assertThat(table.routes()).extracting(CompiledRoute::name)
        .containsExactly("from-frontend-or-prod", "fallback");
  }

  @Test
  void serviceWhoseRulesAllTargetOtherSourcesHasNoRouteForThisWorkload() {
    RouteTable table = service(compile("""
        services:
          - name: api
            routes:
              - match: [{sourceNamespace: prod}]
        """), "api").routes();

    assertThat(table.routes()).isEmpty();
    assertThat(table.match(get("/"))).isNull();
  }

  // ------------------------------------------------------------------ implicit rule

  @Test
  void serviceWithoutRoutesHasOneRuleRoutingEverythingToItself() {
    CompiledService api = service(compile("""
        mesh:
          defaults:
            retries: {attempts: 3, retryOn: [5xx]}
        services:
          - name: api
        """), "api");

    assertThat(api.routes().routes()).hasSize(1);
    CompiledRoute only = api.routes().routes().get(0);
    assertThat(only.id()).isEqualTo("api/0");
    assertThat(only.name()).isNull();
    assertThat(only.timeout()).isNull();
    assertThat(only.destinations()).singleElement().satisfies(d -> {
      assertThat(d.service()).isSameAs(api);
      assertThat(d.subset()).isNull();
      assertThat(d.port()).isNull();
    });
    assertThat(api.routes().match(request("PATCH", "/any/path?x=1", headers("x-any", "1")))).isSameAs(only);
    assertThat(only.retries()).isNotNull();
    assertThat(only.retries().attempts()).isEqualTo(3);
    assertThat(only.retries().retryOn()).containsExactly("5xx");
  }

  @Test
  void serviceWithoutRoutesGetsTheBuiltInDefaultRetries() {
    CompiledRoute only = service(compile("services: [{name: api}]"), "api").routes().routes().get(0);

    assertThat(only.retries()).isNotNull();
    assertThat(only.retries().attempts()).isEqualTo(2);
    assertThat(only.retries().retryOn()).containsExactly("connect-failure", "refused-stream", "503");
    assertThat(only.retryBudget()).isEqualTo(new RetryBudget(true, 0.2, 10, Duration.ofSeconds(10)));
  }

  @Test
  void ruleWithoutDestinationsRoutesToItsOwnService() {
    CompiledService api = service(compile(ORDERED), "api");

    assertThat(api.routes().routes()).allSatisfy(r ->
        assertThat(r.destinations()).singleElement().satisfies(d -> assertThat(d.service()).isSameAs(api)));
  }

  // ------------------------------------------------------------------ timeout, retries, budget

  private static final String POLICIES = """
      mesh:
        defaults:
          retryBudget: {retryRatio: 0.5, minRetriesPerSecond: 3, ttl: 20s}
          retries: {attempts: 4, perTryTimeout: 300ms, retryOn: [gateway-error]}
      services:
        - name: api
          routes:
            - name: faulty
              match: [{uri: {prefix: /fault}}]
              timeout: 2s
              retries: {attempts: 3, retryOn: [5xx]}
              fault: {abort: {httpStatus: 503, percentage: {value: 50}}}
            - name: delayed
              match: [{uri: {prefix: /delay}}]
              timeout: 2s
              fault: {delay: {fixedDelay: 100ms}}
            - name: own
              match: [{uri: {prefix: /own}}]
              timeout: 3s
              retries: {attempts: 1, perTryTimeout: 1s, retryOn: [reset], budget: {retryRatio: 0.1, ttl: 5s}}
            - name: own-without-budget
              match: [{uri: {prefix: /nobudget}}]
              retries: {attempts: 5, retryOn: "5xx,connect-failure"}
            - name: no-retries
              match: [{uri: {prefix: /once}}]
              retries: {attempts: 0}
            - name: inherited
              timeout: 750ms
      """;

  private static CompiledRoute rule(String name) {
    return service(compile(POLICIES), "api").routes().routes().stream()
        .filter(r -> name.equals(r.name())).findFirst().orElseThrow();
  }

  @Test
  void routeWithAnAbortFaultHasNoTimeoutAndNoRetries() {
    CompiledRoute faulty = rule("faulty");

    assertThat(faulty.fault()).isNotNull();
    assertThat(faulty.timeout()).isNull();
    assertThat(faulty.retries()).isNull();
  }

  @Test
  void routeWithADelayFaultHasNoTimeoutAndNoRetries() {
    CompiledRoute delayed = rule("delayed");

    assertThat(delayed.timeout()).isNull();
    assertThat(delayed.retries()).isNull();
  }

  @Test
  void routeKeepsItsOwnTimeoutRetriesAndBudget() {
    CompiledRoute own = rule("own");

    assertThat(own.timeout()).isEqualTo(Duration.ofSeconds(3));
    RetryPolicy retries = own.retries();
    assertThat(retries).isNotNull();
    assertThat(retries.attempts()).isEqualTo(1);
    assertThat(retries.perTryTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(retries.retryOn()).containsExactly("reset");
    assertThat(own.retryBudget().retryRatio()).isEqualTo(0.1);
    assertThat(own.retryBudget().ttl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(own.retryBudget().minRetriesPerSecond()).isEqualTo(10); // unset field: built-in default
  }

  @Test
  void routeRetriesWithoutBudgetTakeTheMeshDefaultBudget() {
    CompiledRoute r = rule("own-without-budget");

    assertThat(r.retries().attempts()).isEqualTo(5);
    assertThat(r.retries().retryOn()).containsExactly("5xx", "connect-failure");
    assertThat(r.retries().perTryTimeout()).isNull();
    assertThat(r.retryBudget()).isEqualTo(new RetryBudget(true, 0.5, 3, Duration.ofSeconds(20)));
    assertThat(r.timeout()).isNull(); // timeouts are off by default
  }

  @Test
  void routeWithZeroAttemptsDoesNotRetry() {
    assertThat(rule("no-retries").retries()).isNull();
  }

  @Test
  void routeWithoutRetriesInheritsMeshDefaultRetriesAndBudget() {
    CompiledRoute r = rule("inherited");

    assertThat(r.timeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(r.retries()).isNotNull();
    assertThat(r.retries().attempts()).isEqualTo(4);
    assertThat(r.retries().perTryTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(r.retries().retryOn()).containsExactly("gateway-error");
    assertThat(r.retryBudget()).isEqualTo(new RetryBudget(true, 0.5, 3, Duration.ofSeconds(20)));
  }

  @Test
  void compiledTablesAreIndependentPerWorkload() {
    List<String> frontend = service(compile(SOURCES, FRONTEND), "api").routes().routes().stream()
        .map(CompiledRoute::name).toList();
    List<String> other = service(compile(SOURCES, workload("x", "demo", Map.of())), "api").routes().routes()
        .stream().map(CompiledRoute::name).toList();

    assertThat(frontend).isNotEqualTo(other);
    assertThat(other).containsExactly("fallback");
  }
}
