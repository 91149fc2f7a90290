package io.inmesh.resilience.internal;

import io.inmesh.MeshException;
import io.inmesh.internal.Completions;
import io.inmesh.resilience.CircuitOpenException;
import io.inmesh.resilience.MeshTimeoutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.CancellationException;

/**
 * The classification policy: which exception is a connect failure, a refused stream, a reset or a timeout. Kept apart
 * from the retry and breaker stages (which know nothing of exception types) so that a transport's exceptions are
 * mapped in one place. Transports are matched defensively, by class name and message, because core depends on
 * neither OkHttp nor on the JDK client's internal types:
 *
 * <ul>
 *   <li>OkHttp: {@code ConnectException} ("Failed to connect to"), {@code StreamResetException} ("stream was reset:
 *       REFUSED_STREAM" or another code), {@code SocketTimeoutException}, {@code InterruptedIOException} ("timeout"
 *       from a call timeout), {@code IOException} "unexpected end of stream".
 *   <li>java.net.http: {@code HttpConnectTimeoutException} (connect), {@code HttpTimeoutException} (request timeout),
 *       {@code ConnectException}, {@code IOException} "Received RST_STREAM: Stream refused".
 * </ul>
 */
public final class FailureClassifier {
  private FailureClassifier() {}

  /** The kind of {@code failure} (wrappers of CompletableFuture are looked through). */
  public static FailureKind classify(Throwable failure) {
    Throwable t = Completions.unwrap(failure);
    if (t instanceof CancellationException || !(t instanceof IOException)) {
      return FailureKind.OTHER;
    }
    if (t instanceof MeshTimeoutException) {
      return FailureKind.TIMEOUT;
    }
    if (t instanceof CircuitOpenException) {
      return FailureKind.CONNECT_FAILURE; // refused locally before anything was sent: as a refused connection
    }
    if (t instanceof MeshException) {
      return FailureKind.OTHER; // no route, unknown service, no healthy endpoint, overload, peer identity
    }
    if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
      return FailureKind.CONNECT_FAILURE;
    }
    String name = t.getClass().getSimpleName();
    String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
    if (name.equals("HttpConnectTimeoutException") || name.equals("UnknownHostException")
        || (t instanceof SocketTimeoutException && message.contains("connect"))) {
      return FailureKind.CONNECT_FAILURE;
    }
    if (isRefusedStream(name, message)) {
      return FailureKind.REFUSED_STREAM;
    }
    if (t instanceof SocketTimeoutException || name.equals("HttpTimeoutException")
        || (t instanceof InterruptedIOException && message.contains("timeout"))) {
      return FailureKind.TIMEOUT;
    }
    if (t instanceof InterruptedIOException || message.equals("canceled") || message.equals("cancelled")) {
      return FailureKind.OTHER; // interrupted, or cancelled by the caller (OkHttp's "Canceled"): the caller is gone
    }
    if (name.equals("SSLHandshakeException") || name.equals("SSLPeerUnverifiedException")) {
      return FailureKind.OTHER; // a TLS or identity problem does not heal by retrying the same way
    }
    // Anything else after connecting (SocketException "Connection reset", EOFException, OkHttp's "unexpected end of
    // stream", a stream reset with another code): the connection or stream broke.
    return FailureKind.RESET;
  }

  private static boolean isRefusedStream(String name, String message) {
    return message.contains("refused_stream")
        || (message.contains("rst_stream") && message.contains("refused"))
        || (name.equals("StreamResetException") && message.contains("refused"));
  }
}
