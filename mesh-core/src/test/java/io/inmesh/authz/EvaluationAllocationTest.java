package io.inmesh.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.inmesh.pipeline.MeshHeaders;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Evaluation runs for every inbound request, through every policy when none matches: it must not allocate per
 * policy (the regex matchers and namespace copies it used to build cost about 9 KB per request over 100 policies).
 */
class EvaluationAllocationTest {

  @Test
  void evaluatingEveryPolicyWithoutAMatchAllocatesNothing() {
    List<String> policies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      policies.add("{name: deny-" + i + ", namespace: shop, action: DENY, rules: ["
          + AuthorizationPoliciesTest.from("namespaces: [sandbox-" + i + ", 'test-*'], notIpBlocks: [10.0.0.0/8]")
          + ", " + AuthorizationPoliciesTest.to("paths: ['/internal/" + i + "/{**}']") + "]}");
      policies.add("{name: allow-" + i + ", namespace: shop, rules: [{from: [{source: {namespaces: [shop], "
          + "ipBlocks: [10.1.0.0/16]}}], to: [{operation: {hosts: ['catalog.*'], ports: ['8080'], methods: [GET], "
          + "paths: ['/api/v1/orders/{*}/items-" + i + "', '/api/{*}/carts/{**}']}}], "
          + "when: [{key: 'request.headers[x-tenant]', values: [gold]}, {key: source.namespace, values: [shop]}, "
          + "{key: destination.port, values: ['8080']}]}]}");
    }
    AuthorizationPolicies compiled = AuthorizationPoliciesTest.compile(policies);
    AuthorizationRequest request = new AuthorizationRequest("GET", "Catalog.Shop:8080", "/api/v1/orders/12345/items",
        MeshHeaders.builder().add("x-tenant", "gold").build(), 8080, AuthorizationPoliciesTest.FRONTEND, "10.1.2.3",
        "10.1.2.3", "10.0.0.5", null);
    assertThat(AuthorizationPoliciesTest.render(compiled.evaluate(request, name -> null)))
        .isEqualTo("DENY no ALLOW policy matched");

    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
    long thread = Thread.currentThread().getId();
    int evaluations = 20_000;
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < evaluations; i++) {
      compiled.evaluate(request, name -> null);
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertThat(allocated).as("bytes allocated by %d evaluations", evaluations).isLessThan(evaluations);
  }
}
