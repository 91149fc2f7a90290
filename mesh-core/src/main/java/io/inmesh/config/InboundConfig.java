package io.inmesh.config;

import io.inmesh.config.internal.Default;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Server-side policies. Each policy is scoped: {@code namespace} (absent: every namespace, like Istio's root namespace)
 * and {@code selector.matchLabels} (absent: every workload in scope).
 *
 * @param peerAuthentication mTLS modes (Istio PeerAuthentication); the most specific scope wins
 * @param authorization authorization policies (Istio AuthorizationPolicy)
 * @param rateLimits local rate limits (Envoy local_ratelimit)
 * @param pathNormalization per-workload overrides of {@code mesh.defaults.pathNormalization}
 */
public record InboundConfig(
    List<PeerAuthentication> peerAuthentication,
    List<AuthorizationPolicy> authorization,
    List<RateLimitPolicy> rateLimits,
    List<PathNormalizationPolicy> pathNormalization) {

  public InboundConfig {
    peerAuthentication = List.copyOf(peerAuthentication);
    authorization = List.copyOf(authorization);
    rateLimits = List.copyOf(rateLimits);
    pathNormalization = List.copyOf(pathNormalization);
  }

  /** Total number of policies of every kind. */
  public int policyCount() {
    return peerAuthentication.size() + authorization.size() + rateLimits.size() + pathNormalization.size();
  }

  /** Selects workloads by labels; all must match. */
  public record WorkloadSelector(Map<String, String> matchLabels) {
    public WorkloadSelector {
      matchLabels = Map.copyOf(matchLabels);
    }
  }

  /** mTLS mode for the selected workloads, optionally per port. */
  public record PeerAuthentication(
      String name,
      @Nullable String namespace,
      @Nullable WorkloadSelector selector,
      Mtls mtls,
      Map<Integer, Mtls> portLevelMtls) {
    public PeerAuthentication {
      portLevelMtls = Map.copyOf(portLevelMtls);
    }
  }

  /** An mTLS mode. */
  public record Mtls(@Default("UNSET") MtlsMode mode) {}

  /**
   * An authorization policy. {@code rules} absent or empty with ALLOW matches nothing, so it denies every request
   * ("allow-nothing", Istio's {@code spec: {}}); {@code rules: [{}]} matches every request.
   *
   * @param action ALLOW, DENY, AUDIT or CUSTOM
   * @param provider the external authorizer of a CUSTOM policy
   * @param dryRun evaluate, log and count, but never enforce
   */
  public record AuthorizationPolicy(
      String name,
      @Nullable String namespace,
      @Nullable WorkloadSelector selector,
      @Default("ALLOW") AuthorizationAction action,
      @Nullable Provider provider,
      List<Rule> rules,
      @Default("false") boolean dryRun) {
    public AuthorizationPolicy {
      rules = List.copyOf(rules);
    }
  }

  /** Authorization actions, evaluated CUSTOM, then DENY, then ALLOW; AUDIT never decides. */
  public enum AuthorizationAction {
    ALLOW,
    DENY,
    AUDIT,
    CUSTOM
  }

  /** An external authorizer, by the name of its provider. */
  public record Provider(String name) {}

  /** A rule matches when one source AND one operation match AND every condition holds. */
  public record Rule(List<From> from, List<To> to, List<Condition> when) {
    public Rule {
      from = List.copyOf(from);
      to = List.copyOf(to);
      when = List.copyOf(when);
    }
  }

  /** Wraps a source, as Istio does. */
  public record From(Source source) {}

  /** Wraps an operation, as Istio does. */
  public record To(Operation operation) {}

  /** Who is calling: fields are ANDed, values within a field ORed; {@code notX} negates. */
  public record Source(
      List<String> principals,
      List<String> notPrincipals,
      List<String> namespaces,
      List<String> notNamespaces,
      List<String> ipBlocks,
      List<String> notIpBlocks,
      List<String> remoteIpBlocks,
      List<String> notRemoteIpBlocks) {
    public Source {
      principals = List.copyOf(principals);
      notPrincipals = List.copyOf(notPrincipals);
      namespaces = List.copyOf(namespaces);
      notNamespaces = List.copyOf(notNamespaces);
      ipBlocks = List.copyOf(ipBlocks);
      notIpBlocks = List.copyOf(notIpBlocks);
      remoteIpBlocks = List.copyOf(remoteIpBlocks);
      notRemoteIpBlocks = List.copyOf(notRemoteIpBlocks);
    }
  }

  /** What is being called: fields are ANDed, values within a field ORed; {@code notX} negates. */
  public record Operation(
      List<String> hosts,
      List<String> notHosts,
      List<String> ports,
      List<String> notPorts,
      List<String> methods,
      List<String> notMethods,
      List<String> paths,
      List<String> notPaths) {
    public Operation {
      hosts = List.copyOf(hosts);
      notHosts = List.copyOf(notHosts);
      ports = List.copyOf(ports);
      notPorts = List.copyOf(notPorts);
      methods = List.copyOf(methods);
      notMethods = List.copyOf(notMethods);
      paths = List.copyOf(paths);
      notPaths = List.copyOf(notPaths);
    }
  }

  /** A condition on a request attribute such as {@code request.headers[x-tenant]} or {@code source.ip}. */
  public record Condition(String key, List<String> values, List<String> notValues) {
    public Condition {
      values = List.copyOf(values);
      notValues = List.copyOf(notValues);
    }
  }

  /**
   * A local rate limit (token bucket).
   *
   * @param scope one bucket per instance, per matched route entry, or per client identity
   * @param match which requests the limit applies to (empty: all)
   * @param tokenBucket the bucket
   * @param overrides per-client buckets (scope CLIENT)
   */
  public record RateLimitPolicy(
      String name,
      @Nullable String namespace,
      @Nullable WorkloadSelector selector,
      @Default("INSTANCE") RateLimitScope scope,
      List<RouteConfig.Match> match,
      TokenBucket tokenBucket,
      List<RateLimitOverride> overrides) {
    public RateLimitPolicy {
      match = List.copyOf(match);
      overrides = List.copyOf(overrides);
    }
  }

  /** Rate-limit scopes. */
  public enum RateLimitScope {
    INSTANCE,
    ROUTE,
    CLIENT
  }

  /**
   * A token bucket: starts full at {@code maxTokens}; every {@code fillInterval} adds {@code tokensPerFill} (capped);
   * each request takes one token. {@code maxTokens: 0} rejects everything.
   */
  public record TokenBucket(int maxTokens, @Default("1") int tokensPerFill, Duration fillInterval) {}

  /** A different bucket for some clients (principals, Istio form or SPIFFE IDs). */
  public record RateLimitOverride(List<String> clients, TokenBucket tokenBucket) {
    public RateLimitOverride {
      clients = List.copyOf(clients);
    }
  }

  /** A path-normalisation mode for the selected workloads. */
  public record PathNormalizationPolicy(
      String name,
      @Nullable String namespace,
      @Nullable WorkloadSelector selector,
      PathNormalizationMode mode) {}
}
