package io.inmesh.telemetry;

import io.inmesh.pipeline.Direction;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A TCP connection for {@code istio_tcp_connections_opened_total} / {@code _closed_total}, as the transport that
 * opened or accepted it describes it. Report the same value when it closes.
 *
 * @param direction OUTBOUND for a connection this workload opened to a service (reporter {@code source}), INBOUND for
 *     one it accepted (reporter {@code destination})
 * @param service the destination service's name (outbound), or null (inbound: this workload)
 * @param peerPrincipal the peer's principal as verified by mTLS (Istio form {@code cluster.local/ns/x/sa/y}), or null
 * @param mutualTls whether the connection is mutual TLS
 */
public record TcpConnection(
    Direction direction, @Nullable String service, @Nullable String peerPrincipal, boolean mutualTls) {
  public TcpConnection {
    Objects.requireNonNull(direction, "direction");
  }
}
