package io.inmesh.inbound;

import io.inmesh.Mesh;
import io.inmesh.MeshSnapshot;
import io.inmesh.authz.AuthorizationDecision;
import io.inmesh.authz.AuthorizationPolicies;
import io.inmesh.authz.ExternalAuthorizer;
import io.inmesh.pipeline.Direction;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import io.inmesh.ratelimit.RateLimiter;
import io.inmesh.ratelimit.RateLimits;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Explains what the inbound pipeline does with a request, with the pipeline's own code: the same normaliser and mode
 * resolution, the same compiled policies and evaluation, the same rate-limit bucket selection (looked at, never
 * taken from).
 */
public final class InboundExplainer {
  private InboundExplainer() {}

  /**
   * Explains {@code probe} offline, against {@code snapshot} alone: rate-limit buckets are full, and no external
   * authorizer is registered, so a request a CUSTOM policy matches is denied, as it would be at run time without its
   * provider.
   */
  public static InboundExplanation explain(MeshSnapshot snapshot, InboundProbe probe) {
    return explain(snapshot, probe, name -> null,
        RateLimits.fresh(snapshot.config().inbound(), snapshot.workload()));
  }

  /** Explains {@code probe} against a running mesh: its snapshot, its external authorizers and its buckets now. */
  public static InboundExplanation explain(Mesh mesh, InboundProbe probe) {
    MeshSnapshot snapshot = mesh.snapshot();
    InboundSecurity feature = mesh.feature(InboundSecurity.class);
    if (feature == null) {
      return explain(snapshot, probe);
    }
    return explain(snapshot, probe, feature::authorizer,
        feature.rateLimits().view(snapshot.config().inbound(), snapshot.workload()));
  }

  private static InboundExplanation explain(MeshSnapshot snapshot, InboundProbe probe,
      Function<String, @Nullable ExternalAuthorizer> authorizers, List<RateLimiter> limiters) {
    MeshRequest request = MeshRequest.builder()
        .method(probe.method()).authority(probe.authority()).target(probe.target()).headers(probe.headers()).build();
    MeshService app = (c, r) -> CompletableFuture.completedFuture(MeshResponse.synthesized(200));
    MeshContext ctx = new MeshContext(Direction.INBOUND, snapshot, app, System.nanoTime())
        .peerPrincipal(probe.principal())
        .remoteAddress(probe.sourceIp());
    if (probe.port() > 0) {
      ctx.attribute(InboundAttributes.LOCAL_PORT, probe.port());
    }
    InboundExplanation.RateLimit[] rateLimit = {InboundExplanation.RateLimit.NONE};
    MeshService probeLimits = (c, r) -> {
      rateLimit[0] = probeLimits(limiters, c, r);
      return CompletableFuture.completedFuture(MeshResponse.synthesized(rateLimit[0].limited() ? 429 : 200));
    };
    AuthorizationStage authz = new AuthorizationStage(
        AuthorizationPolicies.compile(snapshot.config().inbound(), snapshot.workload()), authorizers, d -> {});
    PathNormalizationStage normalization = new PathNormalizationStage(PathNormalizationStage.mode(snapshot));
    // The stages are synchronous: the future is complete when filter() returns.
    int status = normalization.filter(ctx, request, (c, r) -> authz.filter(c, r, probeLimits)).join().status();
    String normalized = ctx.attribute(InboundAttributes.NORMALIZED_PATH);
    AuthorizationDecision decision = ctx.attribute(InboundAttributes.AUTHORIZATION);
    return new InboundExplanation(normalized, normalized == null, normalized == null
        ? ctx.attribute(InboundAttributes.REJECTION) : null, status, decision, rateLimit[0]);
  }

  private static InboundExplanation.RateLimit probeLimits(List<RateLimiter> limiters, MeshContext ctx,
      MeshRequest request) {
    InboundExplanation.RateLimit first = InboundExplanation.RateLimit.NONE;
    for (RateLimiter limiter : limiters) {
      RateLimiter.Probe p = limiter.probe(request, ctx.peerPrincipal(), ctx.remoteAddress());
      if (p == null) {
        continue;
      }
      if (p.limited()) {
        return new InboundExplanation.RateLimit(true, p.bucket(), p.available());
      }
      if (first.bucket() == null) {
        first = new InboundExplanation.RateLimit(false, p.bucket(), p.available());
      }
    }
    return first;
  }
}
