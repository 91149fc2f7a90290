package io.inmesh.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.NoRouteException;
import io.inmesh.UnknownServiceException;
import io.inmesh.lb.NoHealthyEndpointException;
import io.inmesh.telemetry.FailureOutcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FailuresTest {
  static final class Overloaded extends IOException implements FailureOutcome {
    @Override
    public int httpStatus() {
      return 503;
    }

    @Override
    public String responseFlag() {
      return "UO";
    }
  }

  @Test
  void mapsMeshAndJdkFailuresToEnvoyStatusesAndFlags() {
    assertThat(Failures.classify(new NoRouteException("s", "GET", "/"))).isEqualTo(new Failures.Outcome(404, "NR"));
    assertThat(Failures.classify(new UnknownServiceException("h"))).isEqualTo(new Failures.Outcome(502, "NR"));
    assertThat(Failures.classify(new NoHealthyEndpointException("ns/s", null, "none")))
        .isEqualTo(new Failures.Outcome(503, "UH"));
    assertThat(Failures.classify(new ConnectException())).isEqualTo(new Failures.Outcome(503, "UF"));
    assertThat(Failures.classify(new HttpConnectTimeoutException("x"))).isEqualTo(new Failures.Outcome(503, "UF"));
    assertThat(Failures.classify(new HttpTimeoutException("x"))).isEqualTo(new Failures.Outcome(504, "UT"));
    assertThat(Failures.classify(new SocketTimeoutException())).isEqualTo(new Failures.Outcome(504, "UT"));
    assertThat(Failures.classify(new SSLHandshakeException("x"))).isEqualTo(new Failures.Outcome(503, "UF"));
    assertThat(Failures.classify(new IOException("reset"))).isEqualTo(new Failures.Outcome(503, "UC"));
    assertThat(Failures.classify(new CancellationException())).isEqualTo(new Failures.Outcome(499, "DC"));
    assertThat(Failures.classify(new IllegalStateException())).isEqualTo(new Failures.Outcome(500, "-"));
  }

  @Test
  void looksThroughFutureWrappersAndCausesAndLetsExceptionsClassifyThemselves() {
    assertThat(Failures.classify(new CompletionException(new ConnectException())))
        .isEqualTo(new Failures.Outcome(503, "UF"));
    assertThat(Failures.classify(new IOException("wrapped", new Overloaded())))
        .isEqualTo(new Failures.Outcome(503, "UO"));
  }
}
