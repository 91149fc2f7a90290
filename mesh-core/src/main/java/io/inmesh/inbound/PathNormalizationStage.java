package io.inmesh.inbound;

import io.inmesh.MeshSnapshot;
import io.inmesh.authz.AuthorizationPolicies;
import io.inmesh.config.InboundConfig.PathNormalizationPolicy;
import io.inmesh.config.PathNormalizationMode;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshFilter;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** PATH_NORMALIZATION: normalise (or refuse with 400); later stages see the normalised path. */
final class PathNormalizationStage implements MeshFilter {
  private final PathNormalizationMode mode;

  PathNormalizationStage(PathNormalizationMode mode) {
    this.mode = mode;
  }

  /**
   * The mode for this snapshot's workload: the most specific {@code inbound.pathNormalization} policy that selects
   * it (selector and namespace, then namespace, then mesh-wide; the first of equals), else
   * {@code mesh.defaults.pathNormalization}.
   */
  static PathNormalizationMode mode(MeshSnapshot snapshot) {
    PathNormalizationPolicy best = null;
    int bestScore = -1;
    for (PathNormalizationPolicy p : snapshot.config().inbound().pathNormalization()) {
      if (AuthorizationPolicies.appliesTo(p.namespace(), p.selector(), snapshot.workload())) {
        int score = (p.namespace() != null ? 1 : 0) + (p.selector() != null ? 2 : 0);
        if (score > bestScore) {
          best = p;
          bestScore = score;
        }
      }
    }
    return best != null ? best.mode() : snapshot.config().mesh().defaults().pathNormalization();
  }

  @Override
  public CompletableFuture<MeshResponse> filter(MeshContext ctx, MeshRequest request, MeshService next) {
    String reason = null;
    NormalizedPath normalized = PathNormalizer.normalize(request.path(), mode);
    String path = normalized.path();
    if (path == null) {
      reason = normalized.rejection();
    } else {
      reason = mismatch(ctx.attribute(InboundAttributes.APPLICATION_PATH), path);
    }
    if (reason != null || path == null) {
      ctx.attribute(InboundAttributes.REJECTION, "Bad Request: " + reason);
      return CompletableFuture.completedFuture(MeshResponse.synthesized(400));
    }
    ctx.attribute(InboundAttributes.NORMALIZED_PATH, path);
    return next.execute(ctx, path.equals(request.path()) ? request : request.withPath(path));
  }

  /** Why the container's path differs from the one authorization would judge, or null when they agree. */
  private @Nullable String mismatch(@Nullable String applicationPath, String normalized) {
    if (applicationPath == null || mode == PathNormalizationMode.NONE) {
      return null;
    }
    return applicationPath.equals(PathNormalizer.decode(normalized)) ? null
        : "the server resolves this path differently from the mesh";
  }
}
