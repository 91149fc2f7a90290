package io.inmesh;

import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.MeshStageProvider;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import java.util.List;

/** Registered in META-INF/services for {@link MeshPipelineTest}. */
public final class TestStageProvider implements MeshStageProvider {
  static final MeshContext.Key<String> MARK = MeshContext.Key.of("mark");

  @Override
  public List<MeshStage> stages() {
    return List.of(MeshStage.of("test-provider-header", StagePosition.after(OutboundRole.ROUTING),
        (ctx, req, next) -> {
          ctx.attribute(MARK, "marked by provider");
          return next.execute(ctx, req);
        }));
  }
}
