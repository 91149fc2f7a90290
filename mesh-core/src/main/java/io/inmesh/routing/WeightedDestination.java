package io.inmesh.routing;

import io.inmesh.config.RouteConfig;
import org.jspecify.annotations.Nullable;

/**
 * A route destination resolved against the snapshot: the service object (not its name), the subset, the port, and
 * the destination's share.
 *
 * @param service the destination service
 * @param subset the subset name, or null for all of the service's endpoints
 * @param port the service port, or null for the request's
 * @param weight the relative weight
 * @param headers header operations specific to this destination, or null
 */
public record WeightedDestination(
    CompiledService service, @Nullable String subset, @Nullable Integer port, int weight,
    RouteConfig.@Nullable Headers headers) {

  @Override
  public String toString() {
    return service.name() + (subset == null ? "" : "/" + subset) + " weight " + weight;
  }
}
