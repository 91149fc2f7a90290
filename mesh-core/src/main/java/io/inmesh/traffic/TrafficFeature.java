package io.inmesh.traffic;

import io.inmesh.MeshEnvironment;
import io.inmesh.MeshFeature;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.OutboundRole;
import io.inmesh.pipeline.StagePosition;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The built-in traffic feature: route header operations and rewrites, fault injection and mirroring (Istio
 * VirtualService semantics, see SEMANTICS.md). Its state is the mirror executor and the mirror counters, which
 * survive config reloads; the stages are rebuilt per snapshot and cost nothing when no route of the snapshot uses
 * them.
 *
 * <p>Stage placement:
 * <ul>
 *   <li>{@code traffic-headers} sits just after ROUTING: header operations and rewrites depend on the route, are
 *       applied once per request (not per attempt, as Envoy's route-level mutations), and come before FAULT and
 *       MIRROR so that a mirror receives the rewritten request (as Envoy's shadow does) and response operations
 *       also apply to a fault abort.
 *   <li>{@code fault} at FAULT: a delay (scheduled on the mesh scheduler, no thread waits) and/or an abort
 *       (a synthesized response, flag {@code FI}; a delay adds {@code DI}).
 *   <li>{@code mirror} at MIRROR: a fire-and-forget copy per request, sent through the rest of the pipeline (so the
 *       mirror destination gets its own endpoint choice, breaker and pool limits) on a bounded executor.
 * </ul>
 */
public final class TrafficFeature implements MeshFeature {
  /**
   * Set on the context of a mirrored copy: stages below MIRROR (retries, say) and transports can tell a shadow
   * request from the caller's own (a transport must not run a shadow on the caller's thread).
   */
  public static final MeshContext.Key<Boolean> MIRROR_COPY = MeshContext.Key.of("inmesh.mirror-copy");

  private final @Nullable RandomGenerator random;
  private final ScheduledExecutorService scheduler;
  private final Mirrors mirrors;

  /** Creates the feature for one mesh (see {@code BuiltInFeatures}). */
  public TrafficFeature(MeshEnvironment env) {
    this.random = env.random();
    this.scheduler = env.scheduler();
    this.mirrors = new Mirrors(env.nanoTime());
  }

  @Override
  public List<MeshStage> stages() {
    return List.of(
        new MeshStage("traffic-headers", StagePosition.after(OutboundRole.ROUTING), HeaderRewriteFilter::forSnapshot),
        new MeshStage("fault", StagePosition.at(OutboundRole.FAULT), s -> FaultFilter.forSnapshot(s, this::random, scheduler)),
        new MeshStage("mirror", StagePosition.at(OutboundRole.MIRROR),
            s -> MirrorFilter.forSnapshot(s, mirrors, this::random)));
  }

  /** Mirror counters since the mesh started. */
  public MirrorStats mirrorStats() {
    return mirrors.stats();
  }

  private RandomGenerator random() {
    return random != null ? random : ThreadLocalRandom.current();
  }

  @Override
  public void close() {
    mirrors.close();
  }

  /**
   * What happened to mirror copies.
   *
   * @param sent copies handed to the pipeline below MIRROR
   * @param dropped copies not sent because the mirror executor was full (overflow) or shut down
   * @param failed copies that ended in an error (the caller never saw it)
   */
  public record MirrorStats(long sent, long dropped, long failed) {}

  /** True when {@code ctx} belongs to a mirrored copy rather than to the caller's request. */
  public static boolean isMirrorCopy(MeshContext ctx) {
    return ctx.attribute(MIRROR_COPY) != null;
  }

  /** Draws true with probability {@code percent} / 100; an absent percentage means 100. */
  static boolean draw(RandomGenerator random, io.inmesh.config.RouteConfig.@Nullable Percent percent) {
    if (percent == null || percent.value() >= 100) {
      return true;
    }
    return percent.value() > 0 && random.nextDouble() * 100 < percent.value();
  }
}
