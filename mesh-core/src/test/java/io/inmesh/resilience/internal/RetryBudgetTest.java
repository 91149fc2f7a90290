package io.inmesh.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.inmesh.config.MeshConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final AtomicLong now = new AtomicLong(123_456_789L);

  private RetryBudget budget(double ratio, int minPerSecond, Duration ttl) {
    return new RetryBudget(new MeshConfig.RetryBudget(true, ratio, minPerSecond, ttl), now::get);
  }

  private static int withdrawAll(RetryBudget b) {
    int n = 0;
    while (b.tryWithdraw()) {
      n++;
    }
    return n;
  }

  @Test
  void theReserveAloneAllowsMinRetriesPerSecondTimesTtl() {
    assertThat(withdrawAll(budget(0.2, 10, Duration.ofSeconds(10)))).isEqualTo(100);
    assertThat(withdrawAll(budget(0.2, 0, Duration.ofSeconds(10)))).isZero();
  }

  @Test
  void eachRequestEarnsRetryRatioOfARetry() {
    RetryBudget b = budget(0.2, 0, Duration.ofSeconds(10));
    for (int i = 0; i < 1000; i++) {
      b.deposit();
    }
    assertThat(b.available()).isEqualTo(200);
    assertThat(withdrawAll(b)).isEqualTo(200);
  }

  @Test
  void depositsAndWithdrawalsExpireAfterTheTtl() {
    RetryBudget b = budget(0.5, 1, Duration.ofSeconds(10));
    for (int i = 0; i < 100; i++) {
      b.deposit();
    }
    assertThat(withdrawAll(b)).isEqualTo(50 + 10);
    now.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(b.tryWithdraw()).isFalse(); // still inside the ttl: spent
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    // Everything of the first second expired: the reserve is whole again, the deposits are gone.
    assertThat(withdrawAll(b)).isEqualTo(10);
    now.addAndGet(Duration.ofSeconds(60).toNanos());
    assertThat(b.available()).isEqualTo(10);
  }
}
