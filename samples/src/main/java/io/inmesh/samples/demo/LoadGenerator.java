package io.inmesh.samples.demo;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A steady open-loop load on {@code frontend}: one request every {@code 1/rps} seconds whatever the latency (so a slow
 * service does not slow the load down, as real users do not wait for each other). One request in twenty carries
 * {@code x-canary: true}. It counts what the users saw: successes, and which {@code api-service} version served
 * each request, apart for canary and ordinary traffic.
 */
final class LoadGenerator implements AutoCloseable {
  static final int CANARY_EVERY = 20;

  private final OkHttpClient client;
  private final String url;
  private final long periodNanos;
  private final ScheduledExecutorService ticker;
  private final AtomicLong sequence = new AtomicLong();
  private final LongAdder inFlight = new LongAdder();
  final Counts counts = new Counts();

  /** Cumulative counts; read them while the load runs for live figures. */
  static final class Counts {
    final LongAdder sent = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder v1 = new LongAdder();
    final LongAdder v2 = new LongAdder();
    final LongAdder canary = new LongAdder();
    final LongAdder canaryOnV2 = new LongAdder();
    /** Failed requests by cause ({@code HTTP 502}, or the exception's class), for the log. */
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    void failed(String cause) {
      failures.computeIfAbsent(cause, k -> new LongAdder()).increment();
    }
  }

  LoadGenerator(OkHttpClient meshed, int rps) {
    this.client = meshed;
    this.url = "http://frontend/shop";
    this.periodNanos = TimeUnit.SECONDS.toNanos(1) / rps;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-load");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Sends {@code n} requests one after the other, not counted, so that the first measured second does not pay for
   * class loading, the JIT and every connection's first TLS handshake at once. Failures here are ignored: the
   * measured run reports what matters.
   */
  void warmUp(int n) {
    for (int i = 0; i < n; i++) {
      Request.Builder r = new Request.Builder().url(url + "/warm-up/" + i);
      if (i % 4 == 0) {
        r.header(DemoServlets.CANARY, "true");
      }
      try (Response response = client.newCall(r.build()).execute()) {
        response.body().bytes();
      } catch (IOException e) {
        // not counted; see above
      }
    }
  }

  void start() {
    ticker.scheduleAtFixedRate(this::send, 0, periodNanos, TimeUnit.NANOSECONDS);
  }

  private void send() {
    long n = sequence.incrementAndGet();
    boolean canary = n % CANARY_EVERY == 0;
    Request.Builder r = new Request.Builder().url(url + "/" + n);
    if (canary) {
      r.header(DemoServlets.CANARY, "true");
    }
    counts.sent.increment();
    inFlight.increment();
    client.newCall(r.build()).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          String version = response.header(DemoServlets.API_VERSION);
          if (response.code() == 200) {
            counts.succeeded.increment();
            if (canary) {
              counts.canary.increment();
              if ("v2".equals(version)) {
                counts.canaryOnV2.increment();
              }
            } else if ("v1".equals(version)) {
              counts.v1.increment();
            } else if ("v2".equals(version)) {
              counts.v2.increment();
            }
          } else {
            counts.failed("HTTP " + response.code());
          }
        } finally {
          done();
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        counts.failed(e.getClass().getSimpleName());
        done();
      }
    });
  }

  private void done() {
    counts.completed.increment();
    inFlight.decrement();
  }

  /**
   * Stops sending and waits up to {@code timeout} for the requests in flight to complete; any still unanswered then
   * count as failed ({@link Counts#sent} is the number of requests, {@link Counts#succeeded} those that succeeded).
   */
  void stop(Duration timeout) throws InterruptedException {
    ticker.shutdownNow();
    ticker.awaitTermination(1, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.sum() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling a counter at shutdown, not synchronising a test
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    client.dispatcher().cancelAll();
  }
}
