package io.inmesh.resilience.internal;

import io.inmesh.pipeline.MeshResponse;
import java.util.List;
import java.util.Locale;

/**
 * A route's {@code retryOn} list, compiled: which responses and which failure kinds are retried (Envoy's semantics,
 * SEMANTICS.md). Status conditions apply to real upstream responses only, never to a response the mesh synthesised.
 *
 * <ul>
 *   <li>{@code 5xx}: any 5xx, or no response (connect failure, refused stream, reset, timeout);
 *   <li>{@code gateway-error}: 502, 503, 504, or no response;
 *   <li>{@code reset}: no response (disconnect, reset, read or per-try timeout, connect failure);
 *   <li>{@code connect-failure}: the connection could not be made (or a breaker refused the endpoint);
 *   <li>{@code refused-stream}: the upstream refused the HTTP/2 stream;
 *   <li>{@code retriable-4xx}: 409;
 *   <li>{@code retriable-status-codes}: the route's {@code retriableStatusCodes};
 *   <li>a status code such as {@code "503"}.
 * </ul>
 */
public final class RetryCondition {
  private final boolean[] statuses = new boolean[600];
  private int failureKinds; // bit set of FailureKind ordinals

  private RetryCondition() {}

  /** Compiles {@code retryOn} (validated by the config validator: unknown entries are ignored here). */
  public static RetryCondition of(List<String> retryOn, List<Integer> retriableStatusCodes) {
    RetryCondition c = new RetryCondition();
    for (String raw : retryOn) {
      String cond = raw.strip().toLowerCase(Locale.ROOT);
      switch (cond) {
        case "5xx" -> {
          c.range(500, 599);
          c.noResponse();
        }
        case "gateway-error" -> {
          c.range(502, 504);
          c.noResponse();
        }
        case "reset" -> c.noResponse();
        case "connect-failure" -> c.kind(FailureKind.CONNECT_FAILURE);
        case "refused-stream" -> c.kind(FailureKind.REFUSED_STREAM);
        case "retriable-4xx" -> c.range(409, 409);
        case "retriable-status-codes" -> retriableStatusCodes.forEach(code -> c.range(code, code));
        default -> {
          if (cond.matches("[1-5][0-9][0-9]")) {
            int code = Integer.parseInt(cond);
            c.range(code, code);
          }
        }
      }
    }
    return c;
  }

  private void range(int from, int to) {
    for (int s = Math.max(from, 0); s <= Math.min(to, statuses.length - 1); s++) {
      statuses[s] = true;
    }
  }

  private void noResponse() {
    kind(FailureKind.CONNECT_FAILURE);
    kind(FailureKind.REFUSED_STREAM);
    kind(FailureKind.RESET);
    kind(FailureKind.TIMEOUT);
  }

  private void kind(FailureKind kind) {
    failureKinds |= 1 << kind.ordinal();
  }

  /** Whether {@code response} is retried: a real upstream response with a listed status. */
  public boolean retries(MeshResponse response) {
    int s = response.status();
    return !response.isSynthesized() && s >= 0 && s < statuses.length && statuses[s];
  }

  /** Whether a failure of {@code kind} is retried. */
  public boolean retries(FailureKind kind) {
    return (failureKinds & (1 << kind.ordinal())) != 0;
  }
}
