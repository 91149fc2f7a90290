package io.inmesh.config;

import io.inmesh.config.internal.CommaSeparated;
import io.inmesh.config.internal.Default;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One routing rule of a service (Istio VirtualService {@code http[]} entry). Rules are tried in order; the first whose
 * {@code match} holds wins.
 *
 * @param name an optional name, shown in metrics, explain and the access log
 * @param match match conditions; entries are ORed, conditions inside one entry ANDed; empty matches everything
 * @param route weighted destinations; empty sends everything to the service itself
 * @param timeout bounds all attempts together; off when absent
 * @param retries the retry policy; absent takes {@code mesh.defaults.retries}
 * @param mirror a destination that receives a fire-and-forget copy of each request
 * @param mirrorPercentage the share of requests mirrored to {@code mirror} (absent: 100)
 * @param mirrors further mirror destinations, each with its own percentage
 * @param fault fault injection; a route with a fault has its retries and timeout disabled
 * @param headers header manipulation on request and response
 * @param rewrite URI and authority rewrite
 */
public record RouteConfig(
    @Nullable String name,
    List<Match> match,
    List<RouteDestination> route,
    @Nullable Duration timeout,
    @Nullable RetryPolicy retries,
    @Nullable Destination mirror,
    @Nullable Percent mirrorPercentage,
    List<MirrorPolicy> mirrors,
    @Nullable Fault fault,
    @Nullable Headers headers,
    @Nullable Rewrite rewrite) {

  public RouteConfig {
    match = List.copyOf(match);
    route = List.copyOf(route);
    mirrors = List.copyOf(mirrors);
  }

  /**
   * Match conditions, all of which must hold.
   *
   * @param uri the path, without the query string
   * @param method the HTTP method
   * @param headers header conditions; an empty condition ({@code x-user: {}}) means "present"
   * @param withoutHeaders header conditions that must NOT hold
   * @param queryParams query-parameter conditions
   * @param ignoreUriCase compare {@code uri} case-insensitively
   * @param sourceLabels the calling workload must carry these labels
   * @param sourceNamespace the calling workload's namespace
   */
  public record Match(
      @Nullable String name,
      @Nullable StringMatch uri,
      @Nullable StringMatch method,
      Map<String, StringMatch> headers,
      Map<String, StringMatch> withoutHeaders,
      Map<String, StringMatch> queryParams,
      @Default("false") boolean ignoreUriCase,
      Map<String, String> sourceLabels,
      @Nullable String sourceNamespace) {
    public Match {
      headers = Map.copyOf(headers);
      withoutHeaders = Map.copyOf(withoutHeaders);
      queryParams = Map.copyOf(queryParams);
      sourceLabels = Map.copyOf(sourceLabels);
    }
  }

  /** A string condition: exactly one of exact, prefix, regex (RE2-style, matched against the whole value). */
  public record StringMatch(@Nullable String exact, @Nullable String prefix, @Nullable String regex) {
    /** True when no condition is set: for headers this means "present". */
    public boolean isEmpty() {
      return exact == null && prefix == null && regex == null;
    }
  }

  /** A weighted destination; weights are relative, a lone destination gets everything. */
  public record RouteDestination(Destination destination, @Nullable Integer weight, @Nullable Headers headers) {}

  /**
   * A destination service, optionally narrowed to a subset.
   *
   * @param host a service name (or one of its hosts)
   * @param subset a subset of that service
   * @param port a port of that service
   */
  public record Destination(String host, @Nullable String subset, @Nullable Integer port) {}

  /** A percentage, 0-100. */
  public record Percent(double value) {}

  /** A mirror destination with its own share. */
  public record MirrorPolicy(Destination destination, @Nullable Percent percentage) {}

  /**
   * Retries.
   *
   * @param attempts the number of retries (at most 1 + attempts sends)
   * @param perTryTimeout bounds each attempt; absent: the route timeout
   * @param retryOn conditions: 5xx, gateway-error, reset, connect-failure, refused-stream, retriable-4xx,
   *     retriable-status-codes, or status codes such as "503"
   * @param retriableStatusCodes the codes {@code retriable-status-codes} refers to
   * @param backoff exponential backoff with full jitter
   * @param budget a retry budget for this route instead of {@code mesh.defaults.retryBudget}
   * @param retryNonIdempotent also retry POST and PATCH (off: duplicated writes are a known mesh pain)
   */
  public record RetryPolicy(
      int attempts,
      @Nullable Duration perTryTimeout,
      @Default("[connect-failure, refused-stream, \"503\"]") @CommaSeparated List<String> retryOn,
      List<Integer> retriableStatusCodes,
      Backoff backoff,
      MeshConfig.@Nullable RetryBudget budget,
      @Default("false") boolean retryNonIdempotent) {
    public RetryPolicy {
      retryOn = List.copyOf(retryOn);
      retriableStatusCodes = List.copyOf(retriableStatusCodes);
    }
  }

  /** Exponential backoff bounds (full jitter). */
  public record Backoff(@Default("25ms") Duration baseInterval, @Default("250ms") Duration maxInterval) {}

  /** Fault injection. */
  public record Fault(@Nullable Delay delay, @Nullable Abort abort) {}

  /** Inject a fixed delay into a share of requests. */
  public record Delay(Duration fixedDelay, @Nullable Percent percentage) {}

  /** Answer a share of requests with a status code without calling the service. */
  public record Abort(int httpStatus, @Nullable Percent percentage) {}

  /** Header manipulation for requests and responses. */
  public record Headers(@Nullable HeaderOperations request, @Nullable HeaderOperations response) {}

  /** Set (replace), add (append) and remove headers. */
  public record HeaderOperations(Map<String, String> set, Map<String, String> add, List<String> remove) {
    public HeaderOperations {
      set = Map.copyOf(set);
      add = Map.copyOf(add);
      remove = List.copyOf(remove);
    }
  }

  /** Rewrite the path prefix that matched (or the whole path for exact/regex matches) and the authority. */
  public record Rewrite(@Nullable String uri, @Nullable String authority) {}
}
