package io.inmesh.inbound;

import io.inmesh.authz.AuthorizationDecision;
import io.inmesh.pipeline.MeshContext;

/**
 * The {@link MeshContext} attributes of inbound requests. Adapters set the transport's facts before running the
 * pipeline; the stages record what they decided, for the adapter (the response body), telemetry and the access log.
 */
public final class InboundAttributes {
  private InboundAttributes() {}

  /** Set by the adapter: the port the request arrived on. */
  public static final MeshContext.Key<Integer> LOCAL_PORT = MeshContext.Key.of("inbound.localPort");

  /** Set by the adapter: the local IP address the request arrived on. */
  public static final MeshContext.Key<String> LOCAL_ADDRESS = MeshContext.Key.of("inbound.localAddress");

  /** Set by the adapter when known: the TLS server name (SNI) the client asked for. */
  public static final MeshContext.Key<String> SNI = MeshContext.Key.of("inbound.sni");

  /**
   * Set by the adapter: the decoded path the application will route on, as the container resolved it (servlet:
   * context path + servlet path + path info). The normalisation stage rejects the request (400) when it differs from
   * the decoded normalised path, so that authorization never judges a path other than the one served.
   */
  public static final MeshContext.Key<String> APPLICATION_PATH = MeshContext.Key.of("inbound.applicationPath");

  /** Set by normalisation: the path authorization judged. */
  public static final MeshContext.Key<String> NORMALIZED_PATH = MeshContext.Key.of("inbound.normalizedPath");

  /** Set by authorization: its decision (the policy and rule that decided). */
  public static final MeshContext.Key<AuthorizationDecision> AUTHORIZATION = MeshContext.Key.of("inbound.authz");

  /** Set by the rate-limit stage on a 429: the bucket that was empty. */
  public static final MeshContext.Key<String> RATE_LIMITED_BUCKET = MeshContext.Key.of("inbound.rateLimitedBucket");

  /** Set by a stage that rejected the request: the short response body for the client. */
  public static final MeshContext.Key<String> REJECTION = MeshContext.Key.of("inbound.rejection");
}
