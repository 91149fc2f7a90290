package io.inmesh;

/** No rule of the service's routes matched the request (Istio answers 404, response flag {@code NR}). */
public final class NoRouteException extends MeshException {
  private static final long serialVersionUID = 1L;
  private final String service;

  public NoRouteException(String service, String method, String path) {
    super("no route of service '" + service + "' matches " + method + " " + path, null, false);
    this.service = service;
  }

  /** The service whose routes did not match. */
  public String service() {
    return service;
  }
}
