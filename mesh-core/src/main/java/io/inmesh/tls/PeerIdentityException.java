package io.inmesh.tls;

import io.inmesh.MeshException;
import org.jspecify.annotations.Nullable;

/**
 * The peer of a TLS connection is not who the mesh expected: its certificate carries another SPIFFE ID, or none.
 * An {@link java.io.IOException} (a {@link MeshException}) so that HTTP clients report it as a failed call.
 */
public final class PeerIdentityException extends MeshException {
  private static final long serialVersionUID = 1L;
  private final SpiffeId expected;
  private final @Nullable SpiffeId actual;

  public PeerIdentityException(SpiffeId expected, @Nullable SpiffeId actual) {
    this(expected, actual, null);
  }

  public PeerIdentityException(SpiffeId expected, @Nullable SpiffeId actual, @Nullable Throwable cause) {
    super(message(expected, actual), cause, false);
    this.expected = expected;
    this.actual = actual;
  }

  static String message(SpiffeId expected, @Nullable SpiffeId actual) {
    return "peer identity mismatch: expected " + expected + ", peer presented "
        + (actual != null ? actual.toString() : "no SPIFFE ID");
  }

  /** The identity the peer had to present. */
  public SpiffeId expected() {
    return expected;
  }

  /** The identity it presented, or null when its certificate had none (or it presented no certificate). */
  public @Nullable SpiffeId actual() {
    return actual;
  }
}
