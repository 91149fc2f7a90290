package io.inmesh.lb;

import static io.inmesh.lb.LbFixtures.endpoint;
import static io.inmesh.lb.LbFixtures.endpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inmesh.discovery.Endpoint;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.routing.CompiledService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every load-balancing algorithm must have, run once per algorithm by a subclass: fair shares (equal
 * and weighted), locality with failover, panic mode, slow start, retry avoidance, subsets, and per-endpoint state
 * kept across endpoint-set changes. Randomness is seeded and time is a fake clock.
 */
abstract class BalancerContractTest {
  static final int PICKS = 100_000;
  static final long SECOND = 1_000_000_000L;

  final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  final SplittableRandom random = new SplittableRandom(42);
  /** Draws the hash keys of requests (separate from the balancer's random source). */
  final SplittableRandom keys = new SplittableRandom(7);
  MeshContext ctx;

  /** The policy as a YAML fragment of {@code loadBalancer}, e.g. {@code simple: ROUND_ROBIN}. */
  abstract String policy();

  /** Whether the policy hashes a request key (slow start does not apply to it). */
  boolean hashed() {
    return false;
  }

  @BeforeEach
  void context() {
    ctx = LbFixtures.context(LbFixtures.snapshot("services: []\n"));
  }

  ServiceBalancer balancer(String extraSettings, @Nullable String zone, List<Endpoint> endpoints) {
    CompiledService service = LbFixtures.service("{" + policy() + (extraSettings.isEmpty() ? "" : ", " + extraSettings)
        + "}");
    ServiceBalancer b = new ServiceBalancer(service.key(), new LbEnvironment(random, clock::get, zone,
        "cluster.local/ns/default/sa/client"));
    b.configure(service);
    b.endpoints(endpoints);
    return b;
  }

  /** A request; hashed policies get a fresh key per request, so shares reflect the ring. */
  MeshRequest request() {
    MeshRequest.Builder b = MeshRequest.builder().authority("api");
    if (hashed()) {
      b.headers(MeshHeaders.of(Map.of("x-key", "user-" + keys.nextLong())));
    }
    return b.build();
  }

  /** Picks {@code n} times; the share of each endpoint host. */
  Map<String, Double> shares(EndpointPicker picker, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(picker.pick(ctx, request(), null).endpoint().host(), 1, Integer::sum);
    }
    Map<String, Double> shares = new HashMap<>();
    counts.forEach((k, v) -> shares.put(k, v / (double) n));
    return shares;
  }

  @Test
  void equalEndpointsGetEqualSharesWithinTwoPercent() {
    ServiceBalancer b = balancer("", null, endpoints(5));

    Map<String, Double> shares = shares(b.picker(null), PICKS);

    assertThat(shares).hasSize(5);
    shares.values().forEach(s -> assertThat(s).isCloseTo(0.20, within(0.02)));
  }

  @Test
  void weightedEndpointsGetSharesProportionalToTheirWeightsWithinTwoPercent() {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      list.add(endpoint(i, i, null, Map.of()));
    }
    ServiceBalancer b = balancer("", null, list);

    Map<String, Double> shares = shares(b.picker(null), PICKS);

    for (int i = 1; i <= 4; i++) {
      assertThat(shares.get("10.0.0." + i)).as("weight %d of 10", i).isCloseTo(i / 10.0, within(0.02));
    }
  }

  @Test
  void keepsAllTrafficInTheCallersZoneWhileItHasAvailableEndpoints() {
    ServiceBalancer b = balancer("", "zone-a", zoned());

    Map<String, Double> shares = shares(b.picker(null), 10_000);

    assertThat(shares).containsOnlyKeys("10.0.0.1", "10.0.0.2");
  }

  @Test
  void failsOverToOtherZonesWhenTheCallersZoneHasNoAvailableEndpoint() {
    ServiceBalancer b = balancer("", "zone-a", zoned());
    b.state("10.0.0.1:8080").ejected(true);
    b.state("10.0.0.2:8080").healthy(false);

    Map<String, Double> shares = shares(b.picker(null), 10_000);

    assertThat(shares).containsOnlyKeys("10.0.0.3", "10.0.0.4", "10.0.0.5");
    b.state("10.0.0.1:8080").ejected(false);
    assertThat(shares(b.picker(null), 1_000)).containsOnlyKeys("10.0.0.1");
  }

  @Test
  void ignoresLocalityWhenItIsDisabled() {
    ServiceBalancer b = balancer("localityLbSetting: {enabled: false}", "zone-a", zoned());

    assertThat(shares(b.picker(null), 10_000)).hasSize(5);
  }

  private static List<Endpoint> zoned() {
    return List.of(endpoint(1, 1, "zone-a", Map.of()), endpoint(2, 1, "zone-a", Map.of()),
        endpoint(3, 1, "zone-b", Map.of()), endpoint(4, 1, "zone-b", Map.of()), endpoint(5, 1, "zone-c", Map.of()));
  }

  @Test
  void neverPicksAnEjectedEndpointWhileEnoughOthersAreAvailable() {
    ServiceBalancer b = balancer("", null, endpoints(4));
    b.state("10.0.0.1:8080").ejected(true);
    b.state("10.0.0.2:8080").ejected(true); // 50 % available: not below the threshold of 50

    EndpointPicker picker = b.picker(null);

    assertThat(picker.panic()).isFalse();
    assertThat(shares(picker, 10_000)).containsOnlyKeys("10.0.0.3", "10.0.0.4");
  }

  @Test
  void balancesOverAllEndpointsInPanicModeWhenMoreThanHalfAreEjected() {
    ServiceBalancer b = balancer("", null, endpoints(4));
    for (int i = 1; i <= 3; i++) {
      b.state("10.0.0." + i + ":8080").ejected(true);
    }

    EndpointPicker picker = b.picker(null);

    assertThat(picker.panic()).isTrue();
    assertThat(shares(picker, 10_000)).hasSize(4);
  }

  @Test
  void failsWithAReasonWhenEveryEndpointIsEjectedAndPanicModeIsOff() {
    ServiceBalancer b = balancer("panicThreshold: 0", null, endpoints(2));
    b.state("10.0.0.1:8080").ejected(true);
    b.state("10.0.0.2:8080").healthy(false);

    assertThat(b.picker(null).isEmpty()).isTrue();
    assertThat(b.picker(null).emptyReason()).contains("all 2 endpoints are ejected or unhealthy");
  }

  @Test
  void aNewEndpointsShareRampsUpLinearlyFromTenPercentDuringWarmup() {
    Assumptions.assumeFalse(hashed(), "slow start would move hash keys: not applied to consistent hashing");
    ServiceBalancer b = balancer("warmupDuration: 10s", null, endpoints(4));
    List<Endpoint> five = endpoints(5);
    b.endpoints(five); // 10.0.0.5 joins now

    double atStart = shares(b.picker(null), PICKS).getOrDefault("10.0.0.5", 0.0);
    clock.addAndGet(5 * SECOND);
    double halfway = shares(b.picker(null), PICKS).get("10.0.0.5");
    clock.addAndGet(5 * SECOND);
    double after = shares(b.picker(null), PICKS).get("10.0.0.5");

    // Factor 0.1 -> share 0.1/4.1; factor 0.55 -> 0.55/4.55; factor 1 -> 1/5.
    assertThat(atStart).isCloseTo(0.1 / 4.1, within(0.01));
    assertThat(halfway).isCloseTo(0.55 / 4.55, within(0.02));
    assertThat(after).isCloseTo(0.20, within(0.02));
  }

  @Test
  void endpointsOfTheFirstSetDoNotWarmUp() {
    ServiceBalancer b = balancer("warmupDuration: 10s", null, endpoints(4));

    shares(b.picker(null), 10_000).values().forEach(s -> assertThat(s).isCloseTo(0.25, within(0.03)));
  }

  @Test
  void aRetryAvoidsTheEndpointsEarlierAttemptsUsedWhileOthersRemain() {
    ServiceBalancer b = balancer("", null, endpoints(3));
    EndpointPicker picker = b.picker(null);
    MeshRequest request = request(); // one request, one hash key: a hash balancer would always choose the same

    Endpoint first = picker.pick(ctx, request, null).endpoint();
    List<Endpoint> tried = new ArrayList<>(List.of(first));
    for (int i = 0; i < 1_000; i++) {
      assertThat(picker.pick(ctx, request, tried).endpoint()).isNotEqualTo(first);
    }
    Endpoint second = picker.pick(ctx, request, tried).endpoint();
    tried.add(second);
    Endpoint third = picker.pick(ctx, request, tried).endpoint();
    assertThat(third).isNotIn(first, second);
    tried.add(third);
    assertThat(picker.pick(ctx, request, tried).endpoint()).as("all tried: any endpoint").isIn(tried);
  }

  @Test
  void aSubsetPicksOnlyEndpointsCarryingItsLabels() {
    ServiceBalancer b = balancer("", null, List.of(endpoint(1, 1, null, Map.of("version", "v1")),
        endpoint(2, 1, null, Map.of("version", "v2")), endpoint(3, 1, null, Map.of("version", "v2"))));

    assertThat(shares(b.picker("v2"), 10_000)).containsOnlyKeys("10.0.0.2", "10.0.0.3");
    assertThat(b.picker("v3").isEmpty()).isTrue();
  }

  @Test
  void keepsTheStateOfRemainingEndpointsWhenTheSetChangesAndDropsVanishedOnes() {
    ServiceBalancer b = balancer("", null, endpoints(3));
    EndpointState kept = b.state("10.0.0.2:8080");
    kept.started();
    kept.ejected(true);

    b.endpoints(List.of(endpoint(2, 5, "zone-b", Map.of()), endpoint(4)));

    assertThat(b.state("10.0.0.2:8080")).isSameAs(kept);
    assertThat(kept.inFlight()).isEqualTo(1);
    assertThat(kept.ejected()).isTrue();
    assertThat(kept.endpoint().weight()).isEqualTo(5);
    assertThat(b.state("10.0.0.1:8080")).isNull();
    assertThat(shares(b.picker(null), 1_000)).containsOnlyKeys("10.0.0.4");
  }
}
