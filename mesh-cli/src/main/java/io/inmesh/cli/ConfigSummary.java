package io.inmesh.cli;

import io.inmesh.config.MeshConfig;

/**
 * The size of a configuration in one line: {@code 3 services, 4 routes, 5 policies}.
 *
 * @param services the number of services
 * @param routes the number of route rules over all services
 * @param policies the number of inbound policies of every kind
 */
record ConfigSummary(int services, int routes, int policies) {

  static ConfigSummary of(MeshConfig config) {
    int routes = config.services().stream().mapToInt(s -> s.routes().size()).sum();
    return new ConfigSummary(config.services().size(), routes, config.inbound().policyCount());
  }

  @Override
  public String toString() {
    return count(services, "service", "services") + ", " + count(routes, "route", "routes") + ", "
        + count(policies, "policy", "policies");
  }

  /** {@code 1 error}, {@code 2 errors}. */
  static String count(int n, String singular, String plural) {
    return n + " " + (n == 1 ? singular : plural);
  }
}
