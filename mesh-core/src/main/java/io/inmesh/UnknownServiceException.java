package io.inmesh;

/**
 * The request's host is not a mesh service and {@code outboundTrafficPolicy} is {@code REGISTRY_ONLY}.
 */
public final class UnknownServiceException extends MeshException {
  private static final long serialVersionUID = 1L;
  private final String host;

  public UnknownServiceException(String host) {
    super("'" + host + "' is not a service of the mesh (outboundTrafficPolicy: REGISTRY_ONLY)", null, false);
    this.host = host;
  }

  /** The host that was asked for. */
  public String host() {
    return host;
  }
}
