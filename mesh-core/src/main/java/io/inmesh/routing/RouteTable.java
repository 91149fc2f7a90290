package io.inmesh.routing;

import io.inmesh.pipeline.MeshRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A service's rules in order; the first that matches wins. */
public final class RouteTable {
  private final CompiledRoute[] routes;

  RouteTable(List<CompiledRoute> routes) {
    this.routes = routes.toArray(CompiledRoute[]::new);
  }

  /** The first rule matching {@code request}, or null (Istio answers 404: no route). */
  public @Nullable CompiledRoute match(MeshRequest request) {
    for (CompiledRoute r : routes) {
      if (r.matches(request)) {
        return r;
      }
    }
    return null;
  }

  public List<CompiledRoute> routes() {
    return List.of(routes);
  }
}
