package io.inmesh.resilience.internal;

/** What kind of failure ended an attempt, as far as retry conditions care. */
public enum FailureKind {
  /** No connection could be made (refused, unreachable, connect timeout), or a local breaker refused it: unsent. */
  CONNECT_FAILURE,
  /** The upstream refused the HTTP/2 stream (REFUSED_STREAM): unprocessed, safe to retry. */
  REFUSED_STREAM,
  /** The connection or stream was reset or closed after the request was (perhaps) sent. */
  RESET,
  /** No answer in time: a read timeout, a per-try timeout. */
  TIMEOUT,
  /** Not retriable: a local decision (no route, overload, cancelled) or a programming error. */
  OTHER
}
