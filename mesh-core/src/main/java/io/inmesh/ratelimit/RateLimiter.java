package io.inmesh.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.inmesh.WorkloadIdentity;
import io.inmesh.authz.WildcardMatch;
import io.inmesh.config.InboundConfig.RateLimitOverride;
import io.inmesh.config.InboundConfig.RateLimitPolicy;
import io.inmesh.config.InboundConfig.RateLimitScope;
import io.inmesh.config.InboundConfig;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.routing.RequestMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * One rate-limit policy's buckets: one for the instance (INSTANCE), one per {@code match} entry (ROUTE), or one per
 * client (CLIENT: the caller's principal, or its source IP when it has none), with per-client overrides.
 *
 * <p>Client buckets live in a Caffeine cache bounded to {@link #MAX_CLIENTS} entries per policy, so a flood of
 * distinct identities cannot exhaust memory. An idle bucket expires once it would have refilled completely: a new
 * bucket starts full, so nothing is lost. (Under a flood beyond the bound, the least recently used buckets are evicted
 * early, which can give their clients a full bucket back sooner; the bound is what keeps the process alive.)
 */
public final class RateLimiter {
  /** The most client buckets one policy keeps. */
  public static final int MAX_CLIENTS = 65_536;

  private final String id;
  private final RateLimitPolicy policy;
  private final RequestMatcher[] matchers;
  private final LongSupplier nanoTime;
  private final @Nullable Cache<String, TokenBucket> clients;
  private final TokenBucket[] shared;
  private final WildcardMatch[][] overrideClients;

  RateLimiter(RateLimitPolicy policy, WorkloadIdentity workload, LongSupplier nanoTime) {
    this.id = id(policy);
    this.policy = policy;
    this.nanoTime = nanoTime;
    List<RequestMatcher> compiled = new ArrayList<>();
    for (var m : policy.match()) {
      RequestMatcher rm = RequestMatcher.compile(m, workload);
      if (rm != null) {
        compiled.add(rm);
      }
    }
    this.matchers = compiled.toArray(RequestMatcher[]::new);
    int sharedBuckets = switch (policy.scope()) {
      case INSTANCE -> 1;
      case ROUTE -> Math.max(1, matchers.length);
      case CLIENT -> 0;
    };
    this.shared = new TokenBucket[sharedBuckets];
    for (int i = 0; i < sharedBuckets; i++) {
      shared[i] = new TokenBucket(policy.tokenBucket(), nanoTime);
    }
    this.overrideClients = policy.overrides().stream()
        .map(o -> o.clients().stream().map(WildcardMatch::principal).toArray(WildcardMatch[]::new))
        .toArray(WildcardMatch[][]::new);
    if (policy.scope() == RateLimitScope.CLIENT) {
      Duration idle = fullRefill(policy.tokenBucket());
      for (RateLimitOverride o : policy.overrides()) {
        Duration d = fullRefill(o.tokenBucket());
        idle = d.compareTo(idle) > 0 ? d : idle;
      }
      this.clients = Caffeine.newBuilder()
          .maximumSize(MAX_CLIENTS)
          .expireAfterAccess(idle)
          .ticker(nanoTime::getAsLong)
          .executor(Runnable::run) // maintenance on the calling thread: no pool work per request burst
          .build();
    } else {
      this.clients = null;
    }
  }

  /** How long an untouched bucket takes to fill up from empty: after that, a new full bucket is the same thing. */
  private static Duration fullRefill(InboundConfig.TokenBucket tb) {
    long fills = Math.max(1, (tb.maxTokens() + tb.tokensPerFill() - 1) / Math.max(1, tb.tokensPerFill()));
    return tb.fillInterval().multipliedBy(fills);
  }

  static String id(RateLimitPolicy policy) {
    return policy.namespace() == null ? policy.name() : policy.namespace() + "/" + policy.name();
  }

  /** {@code namespace/name}, or {@code name} for a mesh-wide policy. */
  public String id() {
    return id;
  }

  public RateLimitPolicy policy() {
    return policy;
  }

  /**
   * Takes a token for {@code request} when this policy applies to it.
   *
   * @param request the request, with its normalised path
   * @param principal the caller's principal, or null
   * @param sourceIp the caller's address, or null
   * @return null when the request may go on (the policy does not apply, or a token was taken), else the limit hit
   */
  public @Nullable Limited tryAcquire(MeshRequest request, @Nullable String principal, @Nullable String sourceIp) {
    int entry = matchingEntry(request);
    if (entry < 0) {
      return null;
    }
    String key = bucketKey(entry, principal, sourceIp);
    TokenBucket bucket = bucket(entry, key);
    if (bucket.tryAcquire() >= 0) {
      return null;
    }
    return new Limited(bucketId(entry, key), bucket.maxTokens(), bucket.nanosUntilNextFill());
  }

  /**
   * What {@link #tryAcquire} would do, without taking a token: the bucket that applies and the tokens it has, or null
   * when the policy does not apply to {@code request}.
   */
  public @Nullable Probe probe(MeshRequest request, @Nullable String principal, @Nullable String sourceIp) {
    int entry = matchingEntry(request);
    if (entry < 0) {
      return null;
    }
    String key = bucketKey(entry, principal, sourceIp);
    TokenBucket bucket = key == null || clients == null ? shared[entry]
        : clients.getIfPresent(key);
    long available = bucket != null ? bucket.available() : configFor(key).maxTokens();
    long max = bucket != null ? bucket.maxTokens() : configFor(key).maxTokens();
    return new Probe(bucketId(entry, key), max, available);
  }

  /** The index of the first match entry that holds (0 when there are none), or -1 when the policy does not apply. */
  private int matchingEntry(MeshRequest request) {
    if (matchers.length == 0) {
      return policy.match().isEmpty() ? 0 : -1;
    }
    for (int i = 0; i < matchers.length; i++) {
      if (matchers[i].matches(request)) {
        return policy.scope() == RateLimitScope.ROUTE ? i : 0;
      }
    }
    return -1;
  }

  private @Nullable String bucketKey(int entry, @Nullable String principal, @Nullable String sourceIp) {
    if (clients == null) {
      return null;
    }
    if (principal != null) {
      return principal;
    }
    return "ip:" + (sourceIp == null ? "unknown" : sourceIp);
  }

  private TokenBucket bucket(int entry, @Nullable String key) {
    Cache<String, TokenBucket> c = clients;
    if (c == null || key == null) {
      return shared[entry];
    }
    TokenBucket b = c.getIfPresent(key);
    return b != null ? b : c.get(key, k -> new TokenBucket(configFor(k), nanoTime));
  }

  /** The override bucket of the first override naming the client, else the policy's. */
  private InboundConfig.TokenBucket configFor(@Nullable String key) {
    if (key != null && !key.startsWith("ip:")) {
      for (int i = 0; i < overrideClients.length; i++) {
        for (WildcardMatch m : overrideClients[i]) {
          if (m.matches(key)) {
            return policy.overrides().get(i).tokenBucket();
          }
        }
      }
    }
    return policy.tokenBucket();
  }

  private String bucketId(int entry, @Nullable String key) {
    return switch (policy.scope()) {
      case INSTANCE -> id;
      case ROUTE -> id + "/match[" + entry + "]";
      case CLIENT -> id + "/" + (key == null ? "" : key.startsWith("ip:") ? "source.ip=" + key.substring(3)
          : "principal=" + key);
    };
  }

  /** The number of client buckets held now (for tests and diagnostics). */
  public long clientBuckets() {
    if (clients == null) {
      return 0;
    }
    clients.cleanUp();
    return clients.estimatedSize();
  }

  /**
   * A request over the limit.
   *
   * @param bucket the bucket that was empty ({@code policy}, {@code policy/match[i]} or {@code policy/principal=...})
   * @param limit the bucket's size
   * @param nanosUntilRefill when the next tokens arrive
   */
  public record Limited(String bucket, long limit, long nanosUntilRefill) {
    /** Whole seconds until the next tokens arrive, at least 1 (for {@code x-ratelimit-reset}, {@code retry-after}). */
    public long resetSeconds() {
      return Math.max(1, (nanosUntilRefill + 999_999_999L) / 1_000_000_000L);
    }
  }

  /**
   * The bucket a request would take from.
   *
   * @param bucket its id
   * @param limit its size
   * @param available the tokens it has now
   */
  public record Probe(String bucket, long limit, long available) {
    public boolean limited() {
      return available <= 0;
    }
  }
}
