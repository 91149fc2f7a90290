package io.inmesh.inbound;

import io.inmesh.pipeline.MeshHeaders;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request to explain: what the inbound pipeline would know about it.
 *
 * @param method the HTTP method
 * @param target the request target as sent: path, optionally with {@code ?query}
 * @param authority the Host header
 * @param headers the request headers
 * @param principal the caller's principal ({@code cluster.local/ns/default/sa/x}), or null for a plaintext caller
 * @param sourceIp the caller's address, or null
 * @param port the port the request arrives on, or -1
 */
public record InboundProbe(
    String method,
    String target,
    String authority,
    MeshHeaders headers,
    @Nullable String principal,
    @Nullable String sourceIp,
    int port) {

  public InboundProbe {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(headers, "headers");
  }
}
