package io.inmesh.telemetry.internal;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram with fixed bucket bounds, recorded without locks ({@link LongAdder} per bucket). Counts are
 * kept per bucket and made cumulative only when written out.
 */
public final class Histogram {
  /** Istio's default buckets for {@code istio_request_duration_milliseconds}. */
  public static final double[] DURATION_MS_BUCKETS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000
  };

  /** Istio's buckets for {@code istio_request_bytes} / {@code istio_response_bytes} (powers of ten). */
  public static final double[] BYTES_BUCKETS = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

  private final double[] bounds;
  private final LongAdder[] counts; // one per bound, plus +Inf
  private final DoubleAdder sum = new DoubleAdder();

  public Histogram(double[] bounds) {
    this.bounds = bounds;
    this.counts = new LongAdder[bounds.length + 1];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  public void record(double value) {
    int i = 0;
    while (i < bounds.length && value > bounds[i]) {
      i++;
    }
    counts[i].increment();
    sum.add(value);
  }

  double[] bounds() {
    return bounds;
  }

  /** Cumulative counts, one per bound and a last one for +Inf (= the count). */
  long[] cumulative() {
    long[] c = new long[counts.length];
    long running = 0;
    for (int i = 0; i < counts.length; i++) {
      running += counts[i].sum();
      c[i] = running;
    }
    return c;
  }

  double sum() {
    return sum.sum();
  }
}
