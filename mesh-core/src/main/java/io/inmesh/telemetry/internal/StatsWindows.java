package io.inmesh.telemetry.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Sliding-window request statistics per direction, service, route and destination subset, what {@code linkerd viz
 * stat} shows: requests per second, success rate, latency percentiles, retries. The window is a ring of
 * {@value #SLOTS} slots of {@value #SLOT_SECONDS} s; recording takes no lock (adders and an atomic array of
 * log-scale latency buckets, about 5 % relative error). A slot is reset by the first request that finds it stale;
 * requests racing with that reset may be lost from the window, an accepted imprecision of lock-free statistics.
 */
public final class StatsWindows {
  static final int SLOTS = 10;
  static final int SLOT_SECONDS = 3;
  /** Window length in seconds. */
  public static final int WINDOW_SECONDS = SLOTS * SLOT_SECONDS;
  private static final int MAX_KEYS = 2_000;
  // Latency buckets: bucket i holds values up to 10us * 1.1^i; 220 buckets reach beyond an hour.
  private static final double GROWTH = 1.1;
  private static final double LOG_GROWTH = Math.log(GROWTH);
  private static final int BUCKETS = 220;
  private static final double BASE_MICROS = 10;

  /** What a row of the stats page is about. */
  public record Key(String direction, String service, String route, String subset) {}

  /** A row of the stats page. */
  public record Row(Key key, double rps, long requests, double successRate, double p50Ms, double p95Ms,
      double p99Ms, long retries) {}

  private static final class Slot {
    final AtomicLong epoch = new AtomicLong(-1);
    final LongAdder total = new LongAdder();
    final LongAdder success = new LongAdder();
    final LongAdder retries = new LongAdder();
    final AtomicLongArray latency = new AtomicLongArray(BUCKETS);

    void reset(long newEpoch, long seen) {
      if (epoch.compareAndSet(seen, newEpoch)) {
        total.reset();
        success.reset();
        retries.reset();
        for (int i = 0; i < BUCKETS; i++) {
          latency.set(i, 0);
        }
      }
    }
  }

  /** The window of one key: {@link #window} finds it once, {@link #record(Window, boolean, long, int)} counts. */
  static final class Window {
    final Slot[] slots = new Slot[SLOTS];
    final long createdEpoch;

    Window(long createdEpoch) {
      this.createdEpoch = createdEpoch;
      for (int i = 0; i < SLOTS; i++) {
        slots[i] = new Slot();
      }
    }
  }

  private final ConcurrentHashMap<Key, Window> windows = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;

  public StatsWindows(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  private long epoch() {
    return nanoTime.getAsLong() / 1_000_000_000L / SLOT_SECONDS;
  }

  /** Records one request. */
  public void record(Key key, boolean success, long durationNanos, int retries) {
    Window w = window(key);
    if (w != null) {
      record(w, success, durationNanos, retries);
    }
  }

  /** The window of {@code key} (kept for the life of this object), or null when the key limit is reached. */
  @Nullable Window window(Key key) {
    Window w = windows.get(key);
    if (w == null) {
      if (windows.size() >= MAX_KEYS) {
        return null;
      }
      long now = epoch();
      w = windows.computeIfAbsent(key, k -> new Window(now));
    }
    return w;
  }

  /** Records one request in a window {@link #window} returned. */
  void record(Window w, boolean success, long durationNanos, int retries) {
    long now = epoch();
    Slot s = w.slots[(int) Math.floorMod(now, (long) SLOTS)];
    long seen = s.epoch.get();
    if (seen != now) {
      s.reset(now, seen);
    }
    s.total.increment();
    if (success) {
      s.success.increment();
    }
    if (retries > 0) {
      s.retries.add(retries);
    }
    s.latency.incrementAndGet(bucket(durationNanos));
  }

  static int bucket(long nanos) {
    double micros = nanos / 1000.0;
    if (micros <= BASE_MICROS) {
      return 0;
    }
    int i = (int) Math.ceil(Math.log(micros / BASE_MICROS) / LOG_GROWTH);
    return Math.min(i, BUCKETS - 1);
  }

  static double upperBoundMs(int bucket) {
    return BASE_MICROS * Math.pow(GROWTH, bucket) / 1000.0;
  }

  /** The rows with traffic in the window, sorted by key. */
  public List<Row> rows() {
    long now = epoch();
    List<Row> rows = new ArrayList<>();
    for (var e : windows.entrySet()) {
      Row r = row(e.getKey(), e.getValue(), now);
      if (r != null) {
        rows.add(r);
      }
    }
    rows.sort(Comparator.comparing((Row r) -> r.key().direction()).thenComparing(r -> r.key().service())
        .thenComparing(r -> r.key().route()).thenComparing(r -> r.key().subset()));
    return rows;
  }

  private static @Nullable Row row(Key key, Window w, long now) {
    long total = 0;
    long success = 0;
    long retries = 0;
    long[] latency = new long[BUCKETS];
    for (Slot s : w.slots) {
      long e = s.epoch.get();
      if (e < 0 || now - e >= SLOTS) {
        continue;
      }
      total += s.total.sum();
      success += s.success.sum();
      retries += s.retries.sum();
      for (int i = 0; i < BUCKETS; i++) {
        latency[i] += s.latency.get(i);
      }
    }
    if (total == 0) {
      return null;
    }
    // The window covers at most SLOTS slots, fewer while the key is new; the current slot counts as full.
    long slots = Math.min(SLOTS, now - w.createdEpoch + 1);
    double rps = total / (double) (slots * SLOT_SECONDS);
    return new Row(key, rps, total, success / (double) total, percentile(latency, 0.50),
        percentile(latency, 0.95), percentile(latency, 0.99), retries);
  }

  static double percentile(long[] buckets, double q) {
    long total = 0;
    for (long b : buckets) {
      total += b;
    }
    long rank = (long) Math.ceil(q * total);
    long running = 0;
    for (int i = 0; i < buckets.length; i++) {
      running += buckets[i];
      if (running >= rank && buckets[i] > 0) {
        return upperBoundMs(i);
      }
    }
    return Double.NaN;
  }
}
