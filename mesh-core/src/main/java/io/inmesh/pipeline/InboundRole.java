package io.inmesh.pipeline;

/** The roles of the inbound (server) pipeline, outermost first. */
public enum InboundRole implements StageRole {
  /** Server span, request metrics, access log: outermost so that rejections are seen and counted too. */
  TELEMETRY,
  /** Reject an already-expired deadline with 504 before doing any work; publish the remaining time to the app. */
  DEADLINE,
  /** The caller's SPIFFE identity from the mTLS handshake, which authorization and rate limits key on. */
  PEER_IDENTITY,
  /** Normalise (or reject with 400) the path, so that authorization judges the path the application routes on. */
  PATH_NORMALIZATION,
  /** Istio AuthorizationPolicy: CUSTOM, DENY, then ALLOW; an error denies. */
  AUTHORIZATION,
  /** Local rate limits, after authorization so that denied callers cannot drain an allowed caller's tokens. */
  RATE_LIMIT;

  @Override
  public Direction direction() {
    return Direction.INBOUND;
  }
}
