package io.inmesh.tls;

/**
 * No workload identity could be produced (dev CA missing, PEM files unreadable, mismatched or expired). Unchecked: it
 * is a configuration error, raised when the mesh starts or a new configuration is applied.
 */
public final class IdentityException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IdentityException(String message) {
    super(message);
  }

  public IdentityException(String message, Throwable cause) {
    super(message, cause);
  }
}
