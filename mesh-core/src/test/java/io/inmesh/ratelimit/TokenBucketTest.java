package io.inmesh.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.InboundConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);

  TokenBucket bucket(int max, int perFill, Duration interval) {
    return new TokenBucket(new InboundConfig.TokenBucket(max, perFill, interval), now::get);
  }

  void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void startsFullAndTakesOneTokenPerRequest() {
    TokenBucket b = bucket(3, 1, Duration.ofSeconds(1));
    assertThat(b.tryAcquire()).isEqualTo(2);
    assertThat(b.tryAcquire()).isEqualTo(1);
    assertThat(b.tryAcquire()).isEqualTo(0);
    assertThat(b.tryAcquire()).isEqualTo(-1);
    assertThat(b.available()).isZero();
  }

  @Test
  void addsTokensPerFillAtEachIntervalBoundaryUpToTheMaximum() {
    TokenBucket b = bucket(10, 4, Duration.ofSeconds(1));
    for (int i = 0; i < 10; i++) {
      b.tryAcquire();
    }
    advance(Duration.ofMillis(999));
    assertThat(b.tryAcquire()).as("no fill before the interval ends").isEqualTo(-1);
    advance(Duration.ofMillis(1));
    assertThat(b.available()).isEqualTo(4);
    advance(Duration.ofSeconds(1));
    assertThat(b.available()).isEqualTo(8);
    advance(Duration.ofDays(365 * 20));
    assertThat(b.available()).as("capped, and no overflow after a long idle time").isEqualTo(10);
  }

  @Test
  void fillsOnIntervalBoundariesCountedFromCreationNotFromTheLastRequest() {
    TokenBucket b = bucket(1, 1, Duration.ofSeconds(10));
    advance(Duration.ofSeconds(9));
    assertThat(b.tryAcquire()).isZero();
    advance(Duration.ofSeconds(1));
    assertThat(b.tryAcquire()).as("the boundary at 10 s refills, though the token was taken at 9 s").isZero();
    assertThat(b.nanosUntilNextFill()).isEqualTo(Duration.ofSeconds(10).toNanos());
  }

  @Test
  void zeroMaxTokensRejectsEverything() {
    TokenBucket b = bucket(0, 5, Duration.ofMillis(50));
    assertThat(b.tryAcquire()).isEqualTo(-1);
    advance(Duration.ofHours(1));
    assertThat(b.tryAcquire()).isEqualTo(-1);
  }

  @Test
  void eightRacingThreadsAreAdmittedExactlyAsManyTimesAsThereAreTokens() throws Exception {
    int tokens = 10_000;
    for (int round = 0; round < 20; round++) {
      TokenBucket b = bucket(tokens, 1, Duration.ofHours(1));
      // 8 x 2500 tries = twice the tokens
      assertThat(race(8, id -> admitted(b, tokens / 4, () -> {}))).as("round " + round).isEqualTo(tokens);
    }
  }

  @Test
  void racingThreadsAcrossRefillsNeverGetMoreThanTheTokensThatExisted() throws Exception {
    TokenBucket b = bucket(100, 10, Duration.ofMillis(100));
    AtomicLong tries = new AtomicLong();
    int total = race(8, id -> admitted(b, 5_000, () -> {
      if (id == 0 && tries.getAndIncrement() % 1_000 == 0) {
        advance(Duration.ofMillis(100)); // one fill of 10 tokens, 5 times in all
      }
    }));
    assertThat(total).isLessThanOrEqualTo(100 + 5 * 10).isGreaterThanOrEqualTo(100);
  }

  private static int admitted(TokenBucket b, int tries, Runnable beforeEach) {
    int n = 0;
    for (int i = 0; i < tries; i++) {
      beforeEach.run();
      if (b.tryAcquire() >= 0) {
        n++;
      }
    }
    return n;
  }

  /** Starts {@code threads} workers at once and sums what they return. */
  private static int race(int threads, IntFunction<Integer> worker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        results.add(pool.submit(() -> {
          start.await();
          return worker.apply(id);
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get(30, TimeUnit.SECONDS);
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }
}
