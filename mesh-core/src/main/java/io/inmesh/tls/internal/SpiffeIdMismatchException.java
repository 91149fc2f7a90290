package io.inmesh.tls.internal;

import io.inmesh.tls.PeerIdentityException;
import io.inmesh.tls.SpiffeId;
import java.security.cert.CertificateException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by the client trust manager inside a handshake when the server's SPIFFE ID is not the expected one. JSSE
 * wraps it in an {@code SSLHandshakeException}; {@link io.inmesh.tls.MeshTls#peerIdentityFailure} finds it again.
 */
public final class SpiffeIdMismatchException extends CertificateException {
  private static final long serialVersionUID = 1L;
  private final transient PeerIdentityException failure;

  public SpiffeIdMismatchException(SpiffeId expected, @Nullable SpiffeId actual) {
    this(new PeerIdentityException(expected, actual));
  }

  private SpiffeIdMismatchException(PeerIdentityException failure) {
    super(failure.getMessage());
    this.failure = failure;
  }

  /** The mismatch as the exception adapters throw. */
  public PeerIdentityException toPeerIdentityException(Throwable observed) {
    return new PeerIdentityException(failure.expected(), failure.actual(), observed);
  }
}
