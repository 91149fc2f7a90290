package io.inmesh.servlet;

import io.inmesh.tls.SpiffeId;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import org.jspecify.annotations.Nullable;

/** The request the application sees: the peer's SPIFFE identity as its user principal. */
final class PeerRequest extends HttpServletRequestWrapper {
  private final @Nullable SpiffePrincipal principal;

  PeerRequest(HttpServletRequest request, @Nullable SpiffeId peer) {
    super(request);
    this.principal = peer == null ? null : new SpiffePrincipal(peer);
  }

  @Override
  public @Nullable Principal getUserPrincipal() {
    return principal != null ? principal : super.getUserPrincipal();
  }

  @Override
  public @Nullable String getRemoteUser() {
    return principal != null ? principal.getName() : super.getRemoteUser();
  }

  @Override
  public @Nullable String getAuthType() {
    return principal != null ? CLIENT_CERT_AUTH : super.getAuthType();
  }

  /** A peer workload: its name is its SPIFFE ID ({@code spiffe://cluster.local/ns/default/sa/x}). */
  record SpiffePrincipal(SpiffeId id) implements Principal {
    @Override
    public String getName() {
      return id.toString();
    }
  }
}
