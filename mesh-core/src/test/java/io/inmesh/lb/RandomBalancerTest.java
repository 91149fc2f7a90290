package io.inmesh.lb;

class RandomBalancerTest extends BalancerContractTest {
  @Override
  String policy() {
    return "simple: RANDOM";
  }
}
