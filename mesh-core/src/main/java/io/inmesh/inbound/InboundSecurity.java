package io.inmesh.inbound;

import io.inmesh.MeshEnvironment;
import io.inmesh.MeshFeature;
import io.inmesh.authz.AuthorizationDecision;
import io.inmesh.authz.AuthorizationPolicies;
import io.inmesh.authz.ExternalAuthorizer;
import io.inmesh.pipeline.InboundRole;
import io.inmesh.pipeline.MeshStage;
import io.inmesh.pipeline.StagePosition;
import io.inmesh.ratelimit.RateLimiter;
import io.inmesh.ratelimit.RateLimits;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in inbound security feature: the PATH_NORMALIZATION, AUTHORIZATION and RATE_LIMIT stages, with the state
 * that outlives a snapshot (rate-limit buckets, external authorizers, dry-run counters). Policies are compiled once
 * per snapshot for this workload by the stages' factories.
 *
 * <pre>{@code
 * mesh.feature(InboundSecurity.class).addAuthorizer(new MyOpaAuthorizer()); // provider of CUSTOM policies
 * }</pre>
 */
public final class InboundSecurity implements MeshFeature {
  private static final Logger log = LoggerFactory.getLogger(InboundSecurity.class);

  private final RateLimits rateLimits;
  private final Map<String, ExternalAuthorizer> authorizers = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> dryRunMatches = new ConcurrentHashMap<>();

  private InboundSecurity(MeshEnvironment env) {
    this.rateLimits = new RateLimits(env.nanoTime());
    for (ExternalAuthorizer a : ServiceLoader.load(ExternalAuthorizer.class, InboundSecurity.class.getClassLoader())) {
      authorizers.putIfAbsent(a.name(), a);
    }
  }

  /** The factory {@link io.inmesh.Mesh} uses (listed among the built-in features). */
  public static InboundSecurity create(MeshEnvironment env) {
    return new InboundSecurity(env);
  }

  @Override
  public List<MeshStage> stages() {
    return List.of(
        new MeshStage("path-normalization", StagePosition.at(InboundRole.PATH_NORMALIZATION),
            snapshot -> new PathNormalizationStage(PathNormalizationStage.mode(snapshot))),
        new MeshStage("authorization", StagePosition.at(InboundRole.AUTHORIZATION),
            snapshot -> new AuthorizationStage(
                AuthorizationPolicies.compile(snapshot.config().inbound(), snapshot.workload()),
                this::authorizer, this::countDryRun)),
        new MeshStage("rate-limit", StagePosition.at(InboundRole.RATE_LIMIT), snapshot -> {
          List<RateLimiter> limiters = rateLimits.select(snapshot.config().inbound(), snapshot.workload());
          return limiters.isEmpty() ? null : new RateLimitStage(limiters);
        }));
  }

  /** Registers the external authorizer of CUSTOM policies naming {@code authorizer.name()} (replacing any other). */
  public InboundSecurity addAuthorizer(ExternalAuthorizer authorizer) {
    authorizers.put(Objects.requireNonNull(authorizer.name(), "name"), authorizer);
    return this;
  }

  /** The external authorizer registered as {@code name}, or null. */
  public @Nullable ExternalAuthorizer authorizer(String name) {
    return authorizers.get(name);
  }

  /** How many requests the dry-run policy {@code policyId} ({@code namespace/name} or {@code name}) has matched. */
  public long dryRunMatches(String policyId) {
    LongAdder a = dryRunMatches.get(policyId);
    return a == null ? 0 : a.sum();
  }

  RateLimits rateLimits() {
    return rateLimits;
  }

  private void countDryRun(AuthorizationDecision d) {
    for (String id : d.dryRunMatches()) {
      dryRunMatches.computeIfAbsent(id, k -> new LongAdder()).increment();
    }
    if (d.dryRunVerdict() != null && d.dryRunVerdict() != d.verdict()) {
      log.debug("dry-run policies {} would change the verdict to {}: {}", d.dryRunMatches(), d.dryRunVerdict(), d);
    }
  }
}
