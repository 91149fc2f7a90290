package io.inmesh.servlet;

import io.inmesh.authz.AuthorizationDecision;
import io.inmesh.tls.SpiffeId;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The request the application sees: the peer's SPIFFE identity as its user principal, and the mesh's request
 * attributes ({@link MeshServlet#PEER_SPIFFE_ID} and the others) answered from the request's {@link Judgement}
 * rather than stored in the container's attribute map (four map writes per request saved). They are read-only: the
 * mesh's values win over anything set under the same names.
 */
final class PeerRequest extends HttpServletRequestWrapper {
  private final Judgement judgement;
  private final @Nullable SpiffePrincipal principal;

  /** A caller's SPIFFE ID and its principal (Istio form), built once per client certificate. */
  record Peer(@Nullable SpiffeId id, @Nullable String principal) {
    /** No (SPIFFE) client certificate. */
    static final Peer NONE = new Peer(null, null);
  }

  /** What the mesh learnt of a request: kept as the request's "judged" attribute, so re-dispatches see it too. */
  static final class Judgement {
    final Peer peer;
    @Nullable String normalizedPath; // set once the pipeline ran, before the application is called
    @Nullable AuthorizationDecision decision;

    Judgement(Peer peer) {
      this.peer = peer;
    }
  }

  PeerRequest(HttpServletRequest request, Judgement judgement) {
    super(request);
    this.judgement = judgement;
    SpiffeId peer = judgement.peer.id();
    this.principal = peer == null ? null : new SpiffePrincipal(peer);
  }

  @Override
  public @Nullable Object getAttribute(String name) {
    if (name.startsWith("io.inmesh.")) {
      switch (name) {
        case MeshServlet.PEER_SPIFFE_ID:
          return judgement.peer.id();
        case MeshServlet.PEER_PRINCIPAL:
          return judgement.peer.principal();
        case MeshServlet.NORMALIZED_PATH:
          return judgement.normalizedPath;
        case MeshServlet.AUTHORIZATION:
          return judgement.decision;
        default:
          break;
      }
    }
    return super.getAttribute(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    List<String> names = Collections.list(super.getAttributeNames());
    List<String> mesh = new ArrayList<>(4);
    if (judgement.peer.id() != null) {
      mesh.add(MeshServlet.PEER_SPIFFE_ID);
      mesh.add(MeshServlet.PEER_PRINCIPAL);
    }
    if (judgement.normalizedPath != null) {
      mesh.add(MeshServlet.NORMALIZED_PATH);
    }
    if (judgement.decision != null) {
      mesh.add(MeshServlet.AUTHORIZATION);
    }
    for (String n : mesh) {
      if (!names.contains(n)) {
        names.add(n);
      }
    }
    return Collections.enumeration(names);
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
