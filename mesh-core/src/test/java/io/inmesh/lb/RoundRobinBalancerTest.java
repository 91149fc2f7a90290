package io.inmesh.lb;

import static io.inmesh.lb.LbFixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundRobinBalancerTest extends BalancerContractTest {
  @Override
  String policy() {
    return "simple: ROUND_ROBIN";
  }

  @Test
  void visitsEveryEndpointOncePerRound() {
    EndpointPicker picker = balancer("", null, LbFixtures.endpoints(4)).picker(null);

    for (int round = 0; round < 100; round++) {
      List<String> hosts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        hosts.add(picker.pick(ctx, request(), null).endpoint().host());
      }
      assertThat(hosts).doesNotHaveDuplicates();
    }
  }

  @Test
  void interleavesWeightedEndpointsInsteadOfSendingBursts() {
    EndpointPicker picker = balancer("", null, List.of(endpoint(1, 3, null, Map.of()), endpoint(2, 1, null, Map.of())))
        .picker(null);

    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      hosts.add(picker.pick(ctx, request(), null).endpoint().host());
    }
    // Smooth weighted round robin: the light endpoint appears once in every 4 picks, never two heavy bursts of 6.
    for (int i = 0; i + 4 <= hosts.size(); i++) {
      assertThat(hosts.subList(i, i + 4)).containsOnlyOnce("10.0.0.2");
    }
  }
}
