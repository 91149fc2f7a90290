package io.inmesh.authz;

import io.inmesh.pipeline.MeshHeaders;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The attributes of one request that authorization policies (and external authorizers) judge.
 *
 * @param method the HTTP method
 * @param authority the Host header (or :authority) as sent, with its port if any
 * @param path the normalised path, without query string or fragment
 * @param headers the request headers
 * @param port the port the request arrived on, or -1 when unknown
 * @param principal the caller's principal from mTLS ({@code cluster.local/ns/default/sa/sleep}), or null
 * @param sourceIp the connection's peer address, or null
 * @param remoteIp the original client address: the last {@code X-Forwarded-For} entry when there is one (as an Envoy
 *     sidecar with no trusted hops), else the peer address; spoofable by the client, so never a security boundary
 * @param destinationIp the local address the request arrived on, or null
 * @param sni the TLS server name the client asked for, or null
 */
public record AuthorizationRequest(
    String method,
    String authority,
    String path,
    MeshHeaders headers,
    int port,
    @Nullable String principal,
    @Nullable String sourceIp,
    @Nullable String remoteIp,
    @Nullable String destinationIp,
    @Nullable String sni) {

  public AuthorizationRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(headers, "headers");
  }

  /** The original client address as Envoy derives it: the last X-Forwarded-For entry, else {@code peer}. */
  public static @Nullable String remoteIp(MeshHeaders headers, @Nullable String peer) {
    List<String> xff = headers.getAll("x-forwarded-for");
    if (xff.isEmpty()) {
      return peer;
    }
    String last = xff.get(xff.size() - 1);
    int comma = last.lastIndexOf(',');
    String ip = (comma < 0 ? last : last.substring(comma + 1)).trim();
    return ip.isEmpty() ? peer : ip;
  }

  /** The host without the port, lower-cased by the matchers. */
  public String host() {
    return authority.substring(0, hostEnd());
  }

  /** Where the host ends in the authority: the port's colon, else its length (the host is always a prefix). */
  int hostEnd() {
    String a = authority;
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      return close > 0 ? close + 1 : a.length();
    }
    int colon = a.lastIndexOf(':');
    return colon < 0 ? a.length() : colon;
  }

  /** The caller's namespace, taken from its principal ({@code <td>/ns/<namespace>/sa/<account>}), or null. */
  public @Nullable String sourceNamespace() {
    int start = sourceNamespaceStart();
    return start < 0 ? null : Objects.requireNonNull(principal).substring(start, sourceNamespaceEnd(start));
  }

  /**
   * Where the namespace starts in the principal, or -1 when there is none. With {@link #sourceNamespaceEnd} the
   * matchers compare it in place: policies check it many times per request, which must not build a string each time.
   */
  int sourceNamespaceStart() {
    int ns = principal == null ? -1 : principal.indexOf("/ns/");
    return ns < 0 ? -1 : ns + 4;
  }

  /** Where the namespace that starts at {@code start} ends in the principal. */
  int sourceNamespaceEnd(int start) {
    String p = Objects.requireNonNull(principal);
    int end = p.indexOf('/', start);
    return end < 0 ? p.length() : end;
  }

  /** A header's values joined with ',' as Envoy matches a repeated header, or null when absent. */
  public @Nullable String header(String name) {
    List<String> all = headers.getAll(name);
    return switch (all.size()) {
      case 0 -> null;
      case 1 -> all.get(0);
      default -> String.join(",", all);
    };
  }
}
