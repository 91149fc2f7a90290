package io.inmesh.resilience.internal;

import static io.inmesh.resilience.internal.FailureKind.CONNECT_FAILURE;
import static io.inmesh.resilience.internal.FailureKind.OTHER;
import static io.inmesh.resilience.internal.FailureKind.REFUSED_STREAM;
import static io.inmesh.resilience.internal.FailureKind.RESET;
import static io.inmesh.resilience.internal.FailureKind.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.NoRouteException;
import io.inmesh.lb.NoHealthyEndpointException;
import io.inmesh.resilience.CircuitOpenException;
import io.inmesh.resilience.MeshTimeoutException;
import io.inmesh.resilience.OverloadedException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {
  /** Same simple name as OkHttp's: the classifier matches by name, as core does not depend on OkHttp. */
  static final class StreamResetException extends IOException {
    StreamResetException(String message) {
      super(message);
    }
  }

  @Test
  void classifiesTransportsAndMeshExceptions() {
    assertThat(FailureClassifier.classify(new ConnectException("Failed to connect to /127.0.0.1:1")))
        .isEqualTo(CONNECT_FAILURE);
    assertThat(FailureClassifier.classify(new HttpConnectTimeoutException("HTTP connect timed out")))
        .isEqualTo(CONNECT_FAILURE);
    assertThat(FailureClassifier.classify(new SocketTimeoutException("connect timed out"))).isEqualTo(CONNECT_FAILURE);
    assertThat(FailureClassifier.classify(new CircuitOpenException("x"))).isEqualTo(CONNECT_FAILURE);
    assertThat(FailureClassifier.classify(new StreamResetException("stream was reset: REFUSED_STREAM")))
        .isEqualTo(REFUSED_STREAM);
    assertThat(FailureClassifier.classify(new IOException("Received RST_STREAM: Stream refused")))
        .isEqualTo(REFUSED_STREAM);
    assertThat(FailureClassifier.classify(new StreamResetException("stream was reset: CANCEL"))).isEqualTo(RESET);
    assertThat(FailureClassifier.classify(new SocketException("Connection reset"))).isEqualTo(RESET);
    assertThat(FailureClassifier.classify(new EOFException())).isEqualTo(RESET);
    assertThat(FailureClassifier.classify(new IOException("unexpected end of stream on http://x/...")))
        .isEqualTo(RESET);
    assertThat(FailureClassifier.classify(new SocketTimeoutException("Read timed out"))).isEqualTo(TIMEOUT);
    assertThat(FailureClassifier.classify(new HttpTimeoutException("request timed out"))).isEqualTo(TIMEOUT);
    assertThat(FailureClassifier.classify(new InterruptedIOException("timeout"))).isEqualTo(TIMEOUT);
    assertThat(FailureClassifier.classify(new MeshTimeoutException("x"))).isEqualTo(TIMEOUT);
    assertThat(FailureClassifier.classify(new CompletionException(new MeshTimeoutException("x")))).isEqualTo(TIMEOUT);
    assertThat(FailureClassifier.classify(new OverloadedException("a", 1))).isEqualTo(OTHER);
    assertThat(FailureClassifier.classify(new NoRouteException("api", "GET", "/"))).isEqualTo(OTHER);
    assertThat(FailureClassifier.classify(new NoHealthyEndpointException("a", null, "none"))).isEqualTo(OTHER);
    assertThat(FailureClassifier.classify(new IOException("Canceled"))).isEqualTo(OTHER);
    assertThat(FailureClassifier.classify(new CancellationException())).isEqualTo(OTHER);
    assertThat(FailureClassifier.classify(new IllegalStateException())).isEqualTo(OTHER);
  }
}
