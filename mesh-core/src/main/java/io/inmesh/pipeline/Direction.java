package io.inmesh.pipeline;

/** Which side of a call the pipeline runs on. */
public enum Direction {
  /** The client side: requests this application sends. */
  OUTBOUND,
  /** The server side: requests this application receives. */
  INBOUND
}
