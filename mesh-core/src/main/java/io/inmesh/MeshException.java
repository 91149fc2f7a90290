package io.inmesh;

import java.io.IOException;

/**
 * A request the mesh could not complete. An {@link IOException} because both HTTP client APIs require one. The
 * subclasses are expected outcomes on the request path (no route, unknown service): they carry no stack trace, which
 * would cost more than the request.
 */
public class MeshException extends IOException {
  private static final long serialVersionUID = 1L;
  private final boolean withStackTrace;

  public MeshException(String message) {
    this(message, null, true);
  }

  public MeshException(String message, Throwable cause) {
    this(message, cause, true);
  }

  protected MeshException(String message, Throwable cause, boolean withStackTrace) {
    super(message, cause);
    this.withStackTrace = withStackTrace;
    if (withStackTrace) {
      fillInStackTrace();
    }
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    // Called by Throwable's constructor before our field is set: skip then, and fill in from our constructor.
    return withStackTrace ? super.fillInStackTrace() : this;
  }
}
