package io.inmesh.telemetry.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Who talks to whom: the request series folded by caller and callee (what {@code linkerd viz edges} shows), with
 * identities and whether mTLS was used. Computed when the page is read, never on the request path.
 */
public final class Edges {
  private Edges() {}

  /**
   * One edge.
   *
   * @param mtls whether mTLS was used; null when this side cannot tell (outbound without connection reports)
   */
  public record Edge(String direction, String source, String sourcePrincipal, String destination,
      String destinationPrincipal, @Nullable Boolean mtls, long requests) {}

  private record Key(String direction, String source, String sourcePrincipal, String destination,
      String destinationPrincipal, @Nullable Boolean mtls) {}

  /**
   * @param outboundMutualTls per destination service name, whether its connections were mTLS (from connection
   *     reports)
   */
  public static List<Edge> of(List<IstioMetrics.RequestSeries> series, Map<String, Boolean> outboundMutualTls) {
    Map<Key, Long> counts = new LinkedHashMap<>();
    for (IstioMetrics.RequestSeries s : series) {
      Peer p = s.peer;
      boolean outbound = p.reporter.equals("source");
      Boolean mtls = outbound ? outboundMutualTls.get(p.destinationWorkload) : Boolean.valueOf(p.mutualTls);
      Key k = new Key(outbound ? "outbound" : "inbound", p.sourceWorkload, p.sourcePrincipal,
          p.destinationWorkload, p.destinationPrincipal, mtls);
      counts.merge(k, s.count.sum(), Long::sum);
    }
    List<Edge> edges = new ArrayList<>();
    counts.forEach((k, n) -> edges.add(new Edge(k.direction(), k.source(), k.sourcePrincipal(), k.destination(),
        k.destinationPrincipal(), k.mtls(), n)));
    edges.sort(Comparator.comparing(Edge::direction).thenComparing(Edge::source).thenComparing(Edge::destination));
    return edges;
  }
}
