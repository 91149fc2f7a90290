package io.inmesh.lb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LeastRequestBalancerTest extends BalancerContractTest {
  @Override
  String policy() {
    return "simple: LEAST_REQUEST";
  }

  @Test
  void avoidsAnEndpointHoldingManyRequestsInFlight() {
    ServiceBalancer b = balancer("", null, LbFixtures.endpoints(4));
    EndpointState busy = b.state("10.0.0.1:8080");
    for (int i = 0; i < 50; i++) {
      busy.started();
    }

    var shares = shares(b.picker(null), 10_000);

    assertThat(shares).doesNotContainKey("10.0.0.1");
    assertThat(shares).hasSize(3);
  }

  @Test
  void sendsToTheBusyEndpointAgainOnceItsRequestsComplete() {
    ServiceBalancer b = balancer("", null, LbFixtures.endpoints(4));
    EndpointState busy = b.state("10.0.0.1:8080");
    for (int i = 0; i < 50; i++) {
      busy.started();
    }
    for (int i = 0; i < 50; i++) {
      busy.finished(1_000_000, clock.get(), true);
    }

    assertThat(shares(b.picker(null), 10_000).get("10.0.0.1")).isGreaterThan(0.2);
  }
}
