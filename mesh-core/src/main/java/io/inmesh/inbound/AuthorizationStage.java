package io.inmesh.inbound;

import io.inmesh.authz.AuthorizationDecision;
import io.inmesh.authz.AuthorizationPolicies;
import io.inmesh.authz.AuthorizationRequest;
import io.inmesh.authz.ExternalAuthorizer;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** AUTHORIZATION: the snapshot's compiled policies decide; a denial is a 403 with response flag RBAC. */
final class AuthorizationStage implements MeshFilter {
  private static final Logger log = LoggerFactory.getLogger(AuthorizationStage.class);
  /** Envoy's body for an RBAC denial, so that clients and scripts that look for it keep working. */
  static final String DENIED_BODY = "RBAC: access denied";

  private final AuthorizationPolicies policies;
  private final Function<String, @Nullable ExternalAuthorizer> authorizers;
  private final Consumer<AuthorizationDecision> dryRunCounter;

  AuthorizationStage(AuthorizationPolicies policies, Function<String, @Nullable ExternalAuthorizer> authorizers,
      Consumer<AuthorizationDecision> dryRunCounter) {
    this.policies = policies;
    this.authorizers = authorizers;
    this.dryRunCounter = dryRunCounter;
  }

  /** The attributes policies judge, from what the adapter and the earlier stages put in the context. */
  static AuthorizationRequest attributes(MeshContext ctx, MeshRequest request) {
    Integer port = ctx.attribute(InboundAttributes.LOCAL_PORT);
    String peer = ctx.remoteAddress();
    return new AuthorizationRequest(request.method(), request.authority(), request.path(), request.headers(),
        port == null ? -1 : port, ctx.peerPrincipal(), peer, AuthorizationRequest.remoteIp(request.headers(), peer),
        ctx.attribute(InboundAttributes.LOCAL_ADDRESS), ctx.attribute(InboundAttributes.SNI));
  }

  AuthorizationDecision decide(MeshContext ctx, MeshRequest request) {
    AuthorizationDecision d = policies.evaluate(attributes(ctx, request), authorizers);
    if (!d.dryRunMatches().isEmpty()) {
      dryRunCounter.accept(d);
    }
    return d;
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    AuthorizationDecision d = decide(ctx, request);
    ctx.attribute(InboundAttributes.AUTHORIZATION, d);
    if (log.isDebugEnabled() && (!d.allowed() || !d.dryRunMatches().isEmpty())) {
      log.debug("inbound {} {} from {}: {}", request.method(), request.path(), ctx.peerPrincipal(), d);
    }
    if (d.allowed()) {
      return next.execute(ctx, request);
    }
    ctx.addResponseFlag("RBAC");
    ctx.attribute(InboundAttributes.REJECTION,
        ctx.snapshot().config().mesh().defaults().denialNamesPolicy() && d.policy() != null
            ? DENIED_BODY + " by policy " + d.policy() : DENIED_BODY);
    return CompletableFuture.completedFuture(MeshResponse.synthesized(403));
  }
}
