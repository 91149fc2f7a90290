package io.inmesh.lb;

import io.inmesh.MeshException;
import org.jspecify.annotations.Nullable;

/**
 * The destination has no endpoint to send to: the service has none, its subset selects none, or every endpoint is
 * ejected or unhealthy while panic mode is off (Envoy's response flag {@code UH}, a 503 in metrics).
 */
public final class NoHealthyEndpointException extends MeshException {
  private static final long serialVersionUID = 1L;
  private final String service;
  private final @Nullable String subset;

  /**
   * @param service the service key ({@code namespace/name})
   * @param subset the subset, or null for all of the service's endpoints
   * @param reason why there is none
   */
  public NoHealthyEndpointException(String service, @Nullable String subset, String reason) {
    super("no healthy endpoint for service '" + service + "'" + (subset == null ? "" : " subset '" + subset + "'")
        + ": " + reason, null, false);
    this.service = service;
    this.subset = subset;
  }

  /** The service ({@code namespace/name}). */
  public String service() {
    return service;
  }

  /** The subset, or null when the destination was the whole service. */
  public @Nullable String subset() {
    return subset;
  }
}
