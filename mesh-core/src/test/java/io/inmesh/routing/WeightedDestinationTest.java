package io.inmesh.routing;

import static io.inmesh.routing.RoutingFixtures.compile;
import static io.inmesh.routing.RoutingFixtures.get;
import static io.inmesh.routing.RoutingFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Weighted destinations: relative weights, weight 0 gets nothing, a lone destination gets everything. */
class WeightedDestinationTest {
  private static final int DRAWS = 100_000;

  /** A split: the {@code route:} YAML and the expected share of each subset. */
  record Split(String behaviour, String route, Map<String, Double> expectedShares) {
    @Override
    public String toString() {
      return behaviour;
    }
  }

  static Stream<Split> splits() {
    return Stream.of(
        new Split("90/10 split sends 90% and 10%", """
            - {destination: {host: api, subset: v1}, weight: 90}
            - {destination: {host: api, subset: v2}, weight: 10}""", shares("v1", 0.9, "v2", 0.1)),
        new Split("three-way 50/30/20 split", """
            - {destination: {host: api, subset: v1}, weight: 50}
            - {destination: {host: api, subset: v2}, weight: 30}
            - {destination: {host: api, subset: v3}, weight: 20}""", shares("v1", 0.5, "v2", 0.3, "v3", 0.2)),
        new Split("weights are relative, not percentages (1:3)", """
            - {destination: {host: api, subset: v1}, weight: 1}
            - {destination: {host: api, subset: v2}, weight: 3}""", shares("v1", 0.25, "v2", 0.75)),
        new Split("weight-0 destination never chosen", """
            - {destination: {host: api, subset: v1}, weight: 0}
            - {destination: {host: api, subset: v2}, weight: 60}
            - {destination: {host: api, subset: v3}, weight: 40}""", shares("v1", 0.0, "v2", 0.6, "v3", 0.4)),
        new Split("weight-0 last destination never chosen", """
            - {destination: {host: api, subset: v1}, weight: 70}
            - {destination: {host: api, subset: v2}, weight: 30}
            - {destination: {host: api, subset: v3}, weight: 0}""", shares("v1", 0.7, "v2", 0.3, "v3", 0.0)),
        new Split("destination without weight next to weighted ones gets nothing", """
            - {destination: {host: api, subset: v1}}
            - {destination: {host: api, subset: v2}, weight: 5}""", shares("v1", 0.0, "v2", 1.0)),
        new Split("weights whose sum exceeds int range keep their ratios", """
            - {destination: {host: api, subset: v1}, weight: 2000000000}
            - {destination: {host: api, subset: v2}, weight: 1000000000}
            - {destination: {host: api, subset: v3}, weight: 1000000000}""", shares("v1", 0.5, "v2", 0.25, "v3", 0.25)),
        new Split("two maximal weights split evenly", """
            - {destination: {host: api, subset: v1}, weight: 2147483647}
            - {destination: {host: api, subset: v2}, weight: 2147483647}""", shares("v1", 0.5, "v2", 0.5)),
        new Split("lone destination gets everything whatever its weight", """
            - {destination: {host: api, subset: v3}, weight: 7}""", shares("v3", 1.0)),
        new Split("lone destination without weight gets everything", """
            - {destination: {host: api, subset: v2}}""", shares("v2", 1.0)));
  }

  private static Map<String, Double> shares(Object... subsetShare) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < subsetShare.length; i += 2) {
      m.put((String) subsetShare[i], (Double) subsetShare[i + 1]);
    }
    return m;
  }

  private static CompiledRoute compileRoute(String routeYaml) {
    String yaml = """
        services:
          - name: api
            endpoints:
              - {address: 10.0.0.1, port: 80, labels: {version: v1}}
              - {address: 10.0.0.2, port: 80, labels: {version: v2}}
              - {address: 10.0.0.3, port: 80, labels: {version: v3}}
            subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
              - {name: v3, labels: {version: v3}}
            routes:
              - name: split
                route:
        %s
        """.formatted(routeYaml.indent(10).stripTrailing());
    return service(compile(yaml), "api").routes().match(get("/"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("splits")
  void destinationSharesFollowRelativeWeights(Split split) {
    CompiledRoute route = compileRoute(split.route());
    SplittableRandom random = new SplittableRandom(20240611L);
    Map<String, Integer> counts = new HashMap<>();

    for (int i = 0; i < DRAWS; i++) {
      WeightedDestination d = route.pick(random.nextInt(route.totalWeight()));
      counts.merge(d.subset(), 1, Integer::sum);
    }

    split.expectedShares().forEach((subset, share) -> {
      double actual = counts.getOrDefault(subset, 0) / (double) DRAWS;
      if (share == 0.0) {
        assertThat(counts).as("%s never chosen", subset).doesNotContainKey(subset);
      } else if (share == 1.0) {
        assertThat(actual).as("share of %s", subset).isEqualTo(1.0);
      } else {
        assertThat(actual).as("share of %s", subset).isCloseTo(share, within(0.01));
      }
    });
    assertThat(counts.keySet()).isSubsetOf(split.expectedShares().keySet());
  }

  @Test
  void everyDrawMapsToTheDestinationOwningThatSliceOfTheTotal() {
    CompiledRoute route = compileRoute("""
        - {destination: {host: api, subset: v1}, weight: 50}
        - {destination: {host: api, subset: v2}, weight: 30}
        - {destination: {host: api, subset: v3}, weight: 20}""");

    assertThat(route.totalWeight()).isEqualTo(100);
    assertThat(route.pick(0).subset()).isEqualTo("v1");
    assertThat(route.pick(49).subset()).isEqualTo("v1");
    assertThat(route.pick(50).subset()).isEqualTo("v2");
    assertThat(route.pick(79).subset()).isEqualTo("v2");
    assertThat(route.pick(80).subset()).isEqualTo("v3");
    assertThat(route.pick(99).subset()).isEqualTo("v3");
  }

  @Test
  void positiveWeightKeepsASliceWhenHugeWeightsAreScaledDown() {
    CompiledRoute route = compileRoute("""
        - {destination: {host: api, subset: v1}, weight: 2147483647}
        - {destination: {host: api, subset: v2}, weight: 2147483647}
        - {destination: {host: api, subset: v3}, weight: 1}""");

    assertThat(route.totalWeight()).isPositive();
    assertThat(route.pick(0).subset()).isEqualTo("v1");
    assertThat(route.pick(route.totalWeight() - 1).subset()).isEqualTo("v3");
    assertThat(route.destinations()).extracting(WeightedDestination::weight)
        .containsExactly(2147483647, 2147483647, 1); // the configured weights are reported unchanged
  }

  @Test
  void weightZeroDestinationIsNotAmongTheCompiledDestinations() {
    CompiledRoute route = compileRoute("""
        - {destination: {host: api, subset: v1}, weight: 0}
        - {destination: {host: api, subset: v2}, weight: 60}""");

    assertThat(route.destinations()).extracting(WeightedDestination::subset).containsExactly("v2");
    assertThat(route.totalWeight()).isEqualTo(60);
  }

  @Test
  void destinationsKeepConfigOrderSubsetPortAndWeight() {
    String yaml = """
        services:
          - name: api
            ports: [{number: 80}, {number: 8080}]
            subsets: [{name: v1, labels: {version: v1}}]
            routes:
              - route:
                  - {destination: {host: api, subset: v1, port: 8080}, weight: 3}
                  - {destination: {host: payments}, weight: 1}
          - name: payments
        """;
    ServiceDirectory directory = compile(yaml);
    CompiledRoute route = service(directory, "api").routes().routes().get(0);

    List<WeightedDestination> ds = route.destinations();
    assertThat(ds).hasSize(2);
    assertThat(ds.get(0).service()).isSameAs(service(directory, "api"));
    assertThat(ds.get(0).subset()).isEqualTo("v1");
    assertThat(ds.get(0).port()).isEqualTo(8080);
    assertThat(ds.get(0).weight()).isEqualTo(3);
    assertThat(ds.get(1).service()).isSameAs(service(directory, "payments"));
    assertThat(ds.get(1).subset()).isNull();
    assertThat(ds.get(1).weight()).isEqualTo(1);
  }

  @Test
  void destinationHostResolvesInTheNamespaceOfTheServiceWhoseRuleNamesIt() {
    String yaml = """
        mesh: {defaultNamespace: demo}
        services:
          - {name: db, namespace: demo}
          - {name: db, namespace: prod}
          - name: api
            namespace: prod
            routes:
              - route: [{destination: {host: db}}]
        """;
    ServiceDirectory directory = compile(yaml); // workload in demo: its own short name "db" is demo/db

    WeightedDestination d = service(directory, "api.prod").routes().routes().get(0).destinations().get(0);

    assertThat(d.service().key()).isEqualTo("prod/db");
    assertThat(service(directory, "db").key()).isEqualTo("demo/db");
  }
}
