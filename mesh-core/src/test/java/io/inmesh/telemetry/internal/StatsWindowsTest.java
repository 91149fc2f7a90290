package io.inmesh.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatsWindowsTest {
  final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  final StatsWindows stats = new StatsWindows(now::get);
  final StatsWindows.Key key = new StatsWindows.Key("outbound", "backend", "api", "v1");

  @Test
  void percentilesAreWithinTenPercentOfTheRecordedLatencies() {
    for (int ms = 1; ms <= 100; ms++) {
      stats.record(key, ms != 100, ms * 1_000_000L, ms % 10 == 0 ? 1 : 0);
    }
    StatsWindows.Row row = stats.rows().get(0);
    assertThat(row.requests()).isEqualTo(100);
    assertThat(row.successRate()).isEqualTo(0.99);
    assertThat(row.retries()).isEqualTo(10);
    assertThat(row.p50Ms()).isBetween(50.0, 55.0);
    assertThat(row.p95Ms()).isBetween(95.0, 104.5);
    assertThat(row.p99Ms()).isBetween(99.0, 108.9);
    assertThat(row.rps()).isEqualTo(100 / 3.0); // a new key: one slot of 3 s so far
  }

  @Test
  void forgetsRequestsOlderThanTheWindow() {
    stats.record(key, true, 1_000_000L, 0);
    now.addAndGet(StatsWindows.WINDOW_SECONDS * 1_000_000_000L / 2);
    stats.record(key, false, 1_000_000L, 0);
    assertThat(stats.rows().get(0).requests()).isEqualTo(2);

    now.addAndGet(StatsWindows.WINDOW_SECONDS * 1_000_000_000L / 2 + 3_000_000_000L);
    assertThat(stats.rows().get(0).requests()).isEqualTo(1);
    assertThat(stats.rows().get(0).successRate()).isZero();
    now.addAndGet(StatsWindows.WINDOW_SECONDS * 1_000_000_000L);
    assertThat(stats.rows()).isEmpty();
  }
}
