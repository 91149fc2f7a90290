package io.inmesh.benchmarks;

import io.inmesh.WorkloadIdentity;
import io.inmesh.config.ConfigDocument;
import io.inmesh.config.ConfigLoader;
import io.inmesh.config.InboundConfig;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.ratelimit.RateLimiter;
import io.inmesh.ratelimit.RateLimits;
import io.inmesh.ratelimit.TokenBucket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Rate limiting under contention: 1, 2 and 4 threads taking tokens at once from one {@link TokenBucket} (one
 * {@code AtomicLong}, refilled lazily, one compare-and-set per token), and through a CLIENT-scoped
 * {@link RateLimiter} (the RATE_LIMIT stage's per-request call: the policy's match, the Caffeine-bounded map of
 * per-client buckets, the bucket).
 *
 * <ul>
 *   <li>{@code tokens=plenty}: the bucket never runs out ({@code maxTokens} and {@code tokensPerFill} 2^30 every
 *       second, far more than the threads can take): every call takes a token, the compare-and-set path.
 *   <li>{@code tokens=empty}: one token every 10 s ({@code maxTokens: 1}), drained in set-up: nearly every call is
 *       refused, the read-only path (and, for the limiter, the {@code Limited} answer that becomes a 429).
 * </ul>
 *
 * <p>Each thread count is a JMH group of its own ({@code bucket_1t}, {@code bucket_2t}, {@code bucket_4t},
 * {@code perClient_1t}...), whose threads share one bucket (one limiter); so do not pass {@code -t}, which would
 * multiply the groups. The mode is throughput: the score is all threads' calls per microsecond together, so the
 * ratio of {@code bucket_4t} to {@code bucket_1t} is how the bucket scales (on the 2-core machine, 4 threads are 2
 * running at a time). In {@code perClient}, each thread cycles through {@value #CLIENTS} client principals from its
 * own offset, so threads mostly hit different buckets of the same map.
 *
 * <p>Run (from the repository root, after {@code mvn -pl mesh-core,mesh-benchmarks -am package -DskipTests}):
 *
 * <pre>
 * java -jar mesh-benchmarks/target/benchmarks.jar TokenBucket -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 *
 * Only the bucket, refusals only: {@code java -jar mesh-benchmarks/target/benchmarks.jar 'TokenBucketBenchmark.bucket'
 * -p tokens=empty}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenBucketBenchmark {
  static final int CLIENTS = 1_000;
  private static final WorkloadIdentity CATALOG =
      new WorkloadIdentity("catalog", "shop", "catalog", Map.of("app", "catalog"), null);
  private static final MeshRequest REQUEST = MeshRequest.builder().method("GET").authority("catalog:8080")
      .target("/products/42").build();
  private static final String SOURCE_IP = "10.1.2.3";

  /** One bucket and one limiter, shared by the threads of a group. */
  @State(Scope.Group)
  public static class Shared {
    /** Whether the bucket has tokens to give: see the class. */
    @Param({"plenty", "empty"})
    public String tokens;

    TokenBucket bucket;
    RateLimiter limiter;
    final String[] clients = new String[CLIENTS];

    @Setup(Level.Trial)
    public void setUp() {
      boolean plenty = tokens.equals("plenty");
      String tb = plenty ? "{maxTokens: 1073741824, tokensPerFill: 1073741824, fillInterval: 1s}"
          : "{maxTokens: 1, tokensPerFill: 1, fillInterval: 10s}";
      InboundConfig inbound = ConfigLoader.withEnvironment(n -> null).loadDocuments(List.of(new ConfigDocument(
          "ratelimit.yaml", """
              inbound:
                rateLimits:
                  - name: per-client
                    scope: CLIENT
                    match: [{uri: {prefix: /products}}]
                    tokenBucket: %s
              """.formatted(tb)))).config().inbound();
      bucket = new TokenBucket(inbound.rateLimits().get(0).tokenBucket(), System::nanoTime);
      limiter = new RateLimits(System::nanoTime).select(inbound, CATALOG).get(0);
      for (int i = 0; i < CLIENTS; i++) {
        clients[i] = "cluster.local/ns/shop/sa/client-" + i;
      }

      // Check the path each case is meant to measure: a token taken, or (drained first) a refusal.
      if (!plenty) {
        while (bucket.tryAcquire() >= 0) {
          // drain
        }
        for (String client : clients) {
          limiter.tryAcquire(REQUEST, client, SOURCE_IP);
        }
      }
      boolean took = bucket.tryAcquire() >= 0;
      RateLimiter.Limited limited = limiter.tryAcquire(REQUEST, clients[CLIENTS / 2], SOURCE_IP);
      if (took != plenty || (limited == null) != plenty || limiter.clientBuckets() != (plenty ? 1 : CLIENTS)) {
        throw new IllegalStateException("tokens=" + tokens + ": bucket took a token " + took + ", limiter answered "
            + limited + " with " + limiter.clientBuckets() + " client buckets");
      }
    }
  }

  /** A thread's position in the client list. */
  @State(Scope.Thread)
  public static class Caller {
    int next;

    @Setup(Level.Trial)
    public void setUp(ThreadParams thread) {
      next = thread.getSubgroupThreadIndex() * (CLIENTS / 4);
    }

    String client(Shared s) {
      String c = s.clients[next];
      next = next + 1 == CLIENTS ? 0 : next + 1;
      return c;
    }
  }

  @Benchmark
  @Group("bucket_1t")
  @GroupThreads(1)
  public long bucket1(Shared s) {
    return s.bucket.tryAcquire();
  }

  @Benchmark
  @Group("bucket_2t")
  @GroupThreads(2)
  public long bucket2(Shared s) {
    return s.bucket.tryAcquire();
  }

  @Benchmark
  @Group("bucket_4t")
  @GroupThreads(4)
  public long bucket4(Shared s) {
    return s.bucket.tryAcquire();
  }

  @Benchmark
  @Group("perClient_1t")
  @GroupThreads(1)
  public RateLimiter.@Nullable Limited perClient1(Shared s, Caller c) {
    return s.limiter.tryAcquire(REQUEST, c.client(s), SOURCE_IP);
  }

  @Benchmark
  @Group("perClient_2t")
  @GroupThreads(2)
  public RateLimiter.@Nullable Limited perClient2(Shared s, Caller c) {
    return s.limiter.tryAcquire(REQUEST, c.client(s), SOURCE_IP);
  }

  @Benchmark
  @Group("perClient_4t")
  @GroupThreads(4)
  public RateLimiter.@Nullable Limited perClient4(Shared s, Caller c) {
    return s.limiter.tryAcquire(REQUEST, c.client(s), SOURCE_IP);
  }
}
