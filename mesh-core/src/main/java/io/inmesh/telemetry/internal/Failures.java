package io.inmesh.telemetry.internal;

import io.inmesh.internal.Completions;
import io.inmesh.telemetry.FailureOutcome;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * The one place where a request failure (an exception instead of a response) becomes a status and an Envoy response
 * flag for metrics, traces and the access log. An exception implementing {@link FailureOutcome} says so itself; the
 * others are looked up by simple class name along their superclass chain (names, not types, so that this table needs
 * no dependency on every package that throws, wherever it puts its exceptions), then along their causes.
 */
public final class Failures {
  /** A status and flag. */
  public record Outcome(int status, String flag) {}

  private static final Outcome NO_ROUTE = new Outcome(404, "NR");

  // Envoy semantics: NR no route, UH no healthy upstream, UO overflow (breaker, pool limits), UT timeout,
  // UF connect failure, UC upstream connection termination, DC downstream disconnect.
  private static final Map<String, Outcome> BY_CLASS = Map.ofEntries(
      Map.entry("NoRouteException", NO_ROUTE),
      // REGISTRY_ONLY: Istio sends such traffic to its BlackHoleCluster, which answers 502.
      Map.entry("UnknownServiceException", new Outcome(502, "NR")),
      Map.entry("NoHealthyEndpointException", new Outcome(503, "UH")),
      Map.entry("CircuitOpenException", new Outcome(503, "UO")),
      Map.entry("OverloadedException", new Outcome(503, "UO")),
      Map.entry("MeshTimeoutException", new Outcome(504, "UT")),
      Map.entry("PeerIdentityException", new Outcome(503, "UF")),
      Map.entry("HttpTimeoutException", new Outcome(504, "UT")),
      Map.entry("HttpConnectTimeoutException", new Outcome(503, "UF")),
      Map.entry("SocketTimeoutException", new Outcome(504, "UT")),
      Map.entry("TimeoutException", new Outcome(504, "UT")),
      Map.entry("InterruptedIOException", new Outcome(504, "UT")),
      Map.entry("ConnectException", new Outcome(503, "UF")),
      Map.entry("NoRouteToHostException", new Outcome(503, "UF")),
      Map.entry("UnknownHostException", new Outcome(503, "UF")),
      Map.entry("SSLException", new Outcome(503, "UF")));

  private static final Outcome RESET = new Outcome(503, "UC");
  private static final Outcome CANCELLED = new Outcome(499, "DC");
  private static final Outcome INTERNAL = new Outcome(500, "-");

  private Failures() {}

  /** The outcome of a request that failed with {@code error}. */
  public static Outcome classify(Throwable error) {
    Throwable t = Completions.unwrap(error);
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof FailureOutcome f) {
        return new Outcome(f.httpStatus(), f.responseFlag());
      }
      for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
        Outcome o = BY_CLASS.get(c.getSimpleName());
        if (o != null) {
          return o;
        }
      }
      if (t instanceof CancellationException) {
        return CANCELLED;
      }
    }
    // Any other I/O failure after the connection was made: the upstream reset or closed it.
    return Completions.unwrap(error) instanceof java.io.IOException ? RESET : INTERNAL;
  }
}
