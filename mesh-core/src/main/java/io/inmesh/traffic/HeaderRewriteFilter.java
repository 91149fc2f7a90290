package io.inmesh.traffic;

import io.inmesh.MeshSnapshot;
import io.inmesh.config.RouteConfig;
import io.inmesh.config.RouteConfig.HeaderOperations;
import io.inmesh.config.RouteConfig.Headers;
import io.inmesh.config.RouteConfig.Match;
import io.inmesh.config.RouteConfig.Rewrite;
import io.inmesh.config.RouteConfig.StringMatch;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.routing.CompiledRoute;
import io.inmesh.routing.CompiledService;
import io.inmesh.routing.StringMatcher;
import io.inmesh.routing.WeightedDestination;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Header operations ({@code headers.request/response} set / add / remove, route-level and per destination) and
 * rewrites ({@code rewrite.uri}, {@code rewrite.authority}), applied once per request just after ROUTING.
 *
 * <p>Order, as Envoy with its default {@code most_specific_header_mutations_wins: false}: the destination's
 * operations first, then the route's (so the route's {@code set} wins); within one set of operations: remove, then
 * set, then add. A {@code rewrite.uri} replaces the prefix that matched, or the whole path when the rule matched by an
 * exact or regex uri; a rule entry without a uri condition counts as prefix {@code /} (Istio's translation). The
 * query string is kept.
 */
final class HeaderRewriteFilter implements MeshFilter {
  /** One route's compiled edits. */
  private record RouteEdits(
      @Nullable String authority,
      @Nullable String uri,
      UriCondition[] uriConditions,
      @Nullable HeaderOperations request,
      @Nullable HeaderOperations response) {}

  /** A match entry's uri condition: which rewrite it implies. */
  private record UriCondition(StringMatcher matcher, @Nullable String prefix) {}

  private final Map<CompiledRoute, RouteEdits> routes;

  private HeaderRewriteFilter(Map<CompiledRoute, RouteEdits> routes) {
    this.routes = routes;
  }

  /** The filter, or null when no route or destination of {@code snapshot} edits requests or responses. */
  static @Nullable MeshFilter forSnapshot(MeshSnapshot snapshot) {
    Map<CompiledRoute, RouteEdits> routes = new IdentityHashMap<>();
    boolean any = false;
    for (CompiledService s : snapshot.services().services()) {
      for (CompiledRoute r : s.routes().routes()) {
        RouteConfig c = r.config();
        Rewrite rw = c.rewrite();
        Headers h = c.headers();
        for (WeightedDestination d : r.destinations()) {
          any |= d.headers() != null;
        }
        if (rw == null && h == null) {
          continue;
        }
        any = true;
        routes.put(r, new RouteEdits(rw == null ? null : rw.authority(), rw == null ? null : rw.uri(),
            rw == null || rw.uri() == null ? new UriCondition[0] : uriConditions(c.match()),
            h == null ? null : h.request(), h == null ? null : h.response()));
      }
    }
    return any ? new HeaderRewriteFilter(routes) : null;
  }

  private static UriCondition[] uriConditions(List<Match> matches) {
    List<UriCondition> out = new ArrayList<>();
    for (Match m : matches) {
      StringMatch uri = m.uri() != null ? m.uri() : new StringMatch(null, "/", null);
      out.add(new UriCondition(StringMatcher.of(uri, m.ignoreUriCase()), uri.prefix()));
    }
    if (out.isEmpty()) { // no match at all: everything matches, as prefix "/"
      out.add(new UriCondition(StringMatcher.of(new StringMatch(null, "/", null), false), "/"));
    }
    return out.toArray(UriCondition[]::new);
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    CompiledRoute route = ctx.route();
    RouteEdits edits = route == null ? null : routes.get(route);
    WeightedDestination destination = ctx.destination();
    Headers destHeaders = destination == null ? null : destination.headers();
    if (edits == null && destHeaders == null) {
      return next.execute(ctx, request);
    }
    MeshRequest edited = editRequest(request, edits, destHeaders == null ? null : destHeaders.request());
    HeaderOperations destResponse = destHeaders == null ? null : destHeaders.response();
    HeaderOperations routeResponse = edits == null ? null : edits.response();
    CompletableFuture<MeshResponse> f = next.execute(ctx, edited);
    if (destResponse == null && routeResponse == null) {
      return f;
    }
    return f.thenApply(r -> new MeshResponse(r.status(),
        apply(apply(r.headers(), destResponse), routeResponse), r.transportResponse()));
  }

  private static MeshRequest editRequest(
      MeshRequest request, @Nullable RouteEdits edits, @Nullable HeaderOperations destOps) {
    HeaderOperations routeOps = edits == null ? null : edits.request();
    String authority = edits == null ? null : edits.authority();
    String path = edits == null || edits.uri() == null ? null : rewritePath(request.path(), edits);
    if (destOps == null && routeOps == null && authority == null && path == null) {
      return request;
    }
    MeshRequest.Builder b = copy(request);
    if (authority != null) {
      b.authority(authority);
    }
    if (path != null) {
      b.path(path);
    }
    if (destOps != null || routeOps != null) {
      b.headers(apply(apply(request.headers(), destOps), routeOps));
    }
    return b.build();
  }

  private static String rewritePath(String path, RouteEdits edits) {
    String replacement = edits.uri();
    for (UriCondition c : edits.uriConditions()) {
      if (c.matcher().matches(path)) {
        String prefix = c.prefix();
        return prefix == null ? replacement : replacement + path.substring(prefix.length());
      }
    }
    // The route matched on an entry whose uri condition does not hold here: cannot be, but keep the path safe.
    return path;
  }

  /** {@code headers} after {@code ops} (remove, then set, then add); {@code headers} itself when ops is null. */
  static MeshHeaders apply(MeshHeaders headers, @Nullable HeaderOperations ops) {
    if (ops == null) {
      return headers;
    }
    MeshHeaders.Builder b = MeshHeaders.builder().addAll(headers);
    for (String name : ops.remove()) {
      if (!name.toLowerCase(Locale.ROOT).equals("host")) { // the authority is changed by rewrite.authority only
        b.remove(name);
      }
    }
    ops.set().forEach(b::set);
    ops.add().forEach(b::add);
    return b.build();
  }

  /** A builder holding every part of {@code request}. */
  static MeshRequest.Builder copy(MeshRequest request) {
    return MeshRequest.builder().method(request.method()).scheme(request.scheme()).authority(request.authority())
        .path(request.path()).query(request.query()).headers(request.headers());
  }
}
