package io.inmesh.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

class PeakEwmaBalancerTest extends BalancerContractTest {
  static final long MILLI = 1_000_000L;

  @Override
  String policy() {
    return "simple: PEAK_EWMA";
  }

  /** A request in flight in the simulation. */
  record InFlight(long doneAt, long startedAt, EndpointState endpoint) {}

  /**
   * Simulates {@code seconds} of steady load at 1,000 requests per second on the fake clock: each pick starts a
   * request that completes after its endpoint's latency. Returns the slow endpoint's share over the last {@code
   * measureSeconds}.
   */
  double simulate(EndpointPicker picker, PriorityQueue<InFlight> queue, String slowHost, long slowLatency,
      int seconds, int measureSeconds) {
    int total = seconds * 1_000;
    int measured = 0;
    int slow = 0;
    for (int i = 0; i < total; i++) {
      long now = clock.addAndGet(MILLI);
      while (!queue.isEmpty() && queue.peek().doneAt() <= now) {
        InFlight done = queue.poll();
        done.endpoint().finished(done.doneAt() - done.startedAt(), now, true);
      }
      EndpointState e = picker.pick(ctx, request(), null);
      e.started();
      boolean isSlow = e.endpoint().host().equals(slowHost);
      queue.add(new InFlight(now + (isSlow ? slowLatency : 10 * MILLI), now, e));
      if (i >= total - measureSeconds * 1_000) {
        measured++;
        slow += isSlow ? 1 : 0;
      }
    }
    return slow / (double) measured;
  }

  @Test
  void sendsUnderTenPercentToAnEndpointTenTimesSlowerAndRecoversWhenItHeals() {
    EndpointPicker picker = balancer("", null, LbFixtures.endpoints(5)).picker(null);
    PriorityQueue<InFlight> queue = new PriorityQueue<>((a, b) -> Long.compare(a.doneAt(), b.doneAt()));

    double whileSlow = simulate(picker, queue, "10.0.0.5", 100 * MILLI, 60, 50);
    double healed = simulate(picker, queue, "10.0.0.5", 10 * MILLI, 120, 30);

    assertThat(whileSlow).isLessThan(0.10);
    assertThat(healed).isGreaterThan(0.15);
  }

  @Test
  void theLatencyEstimateJumpsToAHigherSampleAndDecaysWithTime() {
    EndpointState e = balancer("", null, LbFixtures.endpoints(1)).state("10.0.0.1:8080");
    long now = clock.get();

    e.observe(500 * MILLI, now);
    assertThat(e.cost(now)).isEqualTo(500.0 * MILLI);
    assertThat(e.cost(now + 10_000 * MILLI)).isCloseTo(500.0 * MILLI / Math.E, org.assertj.core.data.Offset.offset(
        1.0 * MILLI));
  }
}
