package io.inmesh.http.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The thread that runs an OkHttp call's interceptor (the caller's for {@code execute()}, a dispatcher thread for
 * {@code enqueue()}), lent to the mesh while it waits for the pipeline: each attempt's blocking I/O is handed here
 * and runs on it, so a meshed call holds one thread, as a plain OkHttp call does, whichever thread (the mesh
 * scheduler after a fault delay or a retry backoff) decided to send the attempt. Waits (delays, backoffs) hold no
 * thread beyond this one.
 */
final class CallerThread {
  /** How often a meshed call checks whether it was canceled. */
  private static final long CANCEL_CHECK_MILLIS = 50;
  private static final Runnable WAKE_UP = () -> {};

  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private boolean closed; // guarded by this

  /** Queues {@code task} for the waiting thread; false when it no longer waits (run the task elsewhere). */
  synchronized boolean offer(Runnable task) {
    if (closed) {
      return false;
    }
    tasks.add(task);
    return true;
  }

  /**
   * Runs queued tasks until {@code result} completes, then returns its value.
   *
   * @param canceled whether the call was canceled (OkHttp's cancel does not wake an interceptor: a watchdog on
   *     {@code scheduler} checks it while the call waits or an attempt runs)
   * @param onCancel stops the work in flight when the call is canceled or the thread interrupted
   */
  <T> T await(CompletableFuture<T> result, BooleanSupplier canceled, Runnable onCancel,
      ScheduledExecutorService scheduler) throws IOException {
    result.whenComplete((r, e) -> tasks.add(WAKE_UP));
    ScheduledFuture<?> watchdog = watch(scheduler, () -> {
      if (canceled.getAsBoolean() && result.completeExceptionally(new IOException("Canceled"))) {
        onCancel.run();
      }
    });
    try {
      while (!result.isDone()) {
        tasks.take().run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      onCancel.run();
      throw new InterruptedIOException("interrupted while waiting for the mesh");
    } finally {
      if (watchdog != null) {
        watchdog.cancel(false);
      }
      close();
    }
    try {
      return result.join();
    } catch (RuntimeException e) {
      throw Transports.rethrow(e);
    }
  }

  private static @Nullable ScheduledFuture<?> watch(ScheduledExecutorService scheduler, Runnable check) {
    try {
      return scheduler.scheduleWithFixedDelay(check, CANCEL_CHECK_MILLIS, CANCEL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null; // the mesh is closing: the call still ends with its own timeouts
    }
  }

  private void close() {
    Runnable[] left;
    synchronized (this) {
      closed = true;
      left = tasks.toArray(Runnable[]::new);
      tasks.clear();
    }
    // Attempts queued after the result was decided (none in the built-in stages) still run, so their futures end.
    for (Runnable r : left) {
      r.run();
    }
  }
}
