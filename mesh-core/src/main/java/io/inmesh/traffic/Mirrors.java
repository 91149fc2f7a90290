package io.inmesh.traffic;

import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import io.inmesh.pipeline.MeshResponse;
import io.inmesh.pipeline.MeshService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded executor mirror copies run on, kept by the feature across snapshots. At most {@link #MAX_IN_FLIGHT}
 * copies are queued or in flight at once; a copy beyond that is dropped and counted, so that a slow or dead mirror
 * can never hold memory or threads the caller needs. The caller's thread only takes a permit and queues a task.
 */
final class Mirrors implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Mirrors.class);
  /** Copies queued or awaiting their mirror's answer at once; beyond this a copy is dropped. */
  static final int MAX_IN_FLIGHT = 256;
  /** Threads that hand copies to the pipeline; the transports are asynchronous, so few are needed. */
  static final int THREADS = 2;

  private final ThreadPoolExecutor executor;
  private final Semaphore permits = new Semaphore(MAX_IN_FLIGHT);
  private final LongAdder sent = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongSupplier nanoTime;

  Mirrors(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    AtomicInteger n = new AtomicInteger();
    // The queue is unbounded but never holds more than MAX_IN_FLIGHT tasks: every task holds a permit.
    this.executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "inmesh-mirror-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executor.allowCoreThreadTimeOut(true); // a mesh without mirrors keeps no thread
  }

  /**
   * Sends {@code copy} through {@code next} on the mirror executor, or drops it when the executor is full. Never
   * throws, never waits.
   */
  void submit(MeshContext copyCtx, MeshRequest copy, MeshService next) {
    if (!permits.tryAcquire()) {
      dropped.increment();
      return;
    }
    try {
      executor.execute(() -> run(copyCtx, copy, next));
    } catch (RejectedExecutionException e) { // closed
      permits.release();
      dropped.increment();
    }
  }

  private void run(MeshContext ctx, MeshRequest copy, MeshService next) {
    CompletableFuture<MeshResponse> f;
    try {
      f = next.execute(ctx, copy);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    sent.increment();
    f.whenComplete((response, error) -> {
      permits.release();
      if (error != null) {
        failed.increment();
        log.debug("mirror copy to {} failed", ctx.destination(), error);
      } else {
        response.discard(); // nobody reads a mirror's answer: release its connection at once
      }
    });
  }

  long now() {
    return nanoTime.getAsLong();
  }

  TrafficFeature.MirrorStats stats() {
    return new TrafficFeature.MirrorStats(sent.sum(), dropped.sum(), failed.sum());
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
